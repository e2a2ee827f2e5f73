import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, List, Space, Tag, Typography } from 'antd';
import { useApp } from '../app-context.ts';
import { beginSignIn } from '../auth/cognito.ts';
import { useI18n } from '../i18n.tsx';
import { currentPath } from '../router.ts';
import { returnToKey, sessionFromToken } from '../session.ts';

interface LocalUser {
  id: string;
  name: string;
  email: string;
  roles: string[];
  token: string;
}

const staff = ['admin', 'supervisor', 'agent'];

/**
 * Locally: the seeded users by name; choosing one signs in with the token `/dev/tokens` signs for
 * them. In AWS: the Cognito Hosted UI (authorization code with PKCE).
 */
export function SignIn() {
  const { config, signIn } = useApp();
  const { t, lang, setLang } = useI18n();
  const users = useQuery({
    queryKey: ['dev-users'],
    queryFn: async () => {
      const response = await fetch(`${config.apiUrl}/dev/tokens`);
      if (!response.ok) throw new Error(`/dev/tokens: HTTP ${response.status}`);
      return ((await response.json()) as { users: LocalUser[] }).users.filter((u) =>
        u.roles.some((r) => staff.includes(r)),
      );
    },
    enabled: config.mode === 'local',
  });

  return (
    <main style={{ maxWidth: 560, margin: '32px auto', padding: 16 }}>
      <Card
        title={
          <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
            {t('appName')}
          </Typography.Title>
        }
        extra={
          <Button size="small" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
            {t('language')}
          </Button>
        }
      >
        {config.mode === 'cognito' && config.cognito ? (
          <Button
            type="primary"
            block
            onClick={async () => {
              // After the Hosted UI, come back to what was opened (e.g. a ticket link in an SLA e-mail).
              sessionStorage.setItem(returnToKey, currentPath());
              window.location.assign(await beginSignIn(config.cognito!));
            }}
          >
            {t('signInCognito')}
          </Button>
        ) : (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Typography.Title level={2} style={{ fontSize: 16 }}>
              {t('signInTitle')}
            </Typography.Title>
            <Typography.Paragraph type="secondary">{t('signInHint')}</Typography.Paragraph>
            {users.isError && <Alert type="error" message={String(users.error)} />}
            <List
              loading={users.isLoading}
              dataSource={users.data ?? []}
              renderItem={(user) => (
                <List.Item>
                  <Button
                    block
                    size="large"
                    onClick={() => signIn(sessionFromToken(user.token))}
                    data-user={user.id}
                    style={{ display: 'flex', justifyContent: 'space-between' }}
                  >
                    <span>{user.name}</span>
                    <span>
                      {user.roles.map((r) => (
                        <Tag
                          key={r}
                          color={r === 'admin' ? 'volcano' : r === 'supervisor' ? 'purple' : 'blue'}
                          style={{ marginInlineEnd: 0 }}
                        >
                          {t(`role_${r}`)}
                        </Tag>
                      ))}
                    </span>
                  </Button>
                </List.Item>
              )}
            />
          </Space>
        )}
      </Card>
    </main>
  );
}
