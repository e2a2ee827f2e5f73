import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Input, List, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { ConnectorsConfig } from '../../../shared/domain/customer360/connectors.ts';
import { ApiError, type FieldIssue } from '../api.ts';
import { useApp } from '../app-context.ts';
import { useI18n } from '../i18n.tsx';

const editable = ({ version: _v, updatedAt: _a, updatedBy: _b, ...rest }: ConnectorsConfig) =>
  JSON.stringify(rest, null, 2);

/**
 * Customer 360's connectors (docs/integrations.md) as the JSON document `PUT /config/connectors` takes:
 * saved with the version it revises, the API's field errors listed by path, a concurrent change (412)
 * offered for reload rather than overwritten.
 */
export default function AdminConnectors() {
  const { t } = useI18n();
  const { api } = useApp();
  const queryClient = useQueryClient();
  const current = useQuery({
    queryKey: ['config', 'connectors'],
    queryFn: () => api.get<ConnectorsConfig>('/config/connectors'),
  });
  const [text, setText] = useState('');
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [problem, setProblem] = useState<'json' | 'conflict' | 'failed' | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (current.data) setText(editable(current.data));
  }, [current.data]);

  const save = async () => {
    setIssues([]);
    setProblem(null);
    setSaved(false);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      setProblem('json');
      return;
    }
    setBusy(true);
    try {
      const { body: stored } = await api.send<ConnectorsConfig>(
        'PUT',
        '/config/connectors',
        body,
        current.data?.version,
      );
      queryClient.setQueryData(['config', 'connectors'], stored);
      setSaved(true);
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) setIssues(error.fields);
      else setProblem(error instanceof ApiError && error.status === 412 ? 'conflict' : 'failed');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      title={t('conn_title')}
      loading={current.isLoading}
      extra={
        <Button type="primary" loading={busy} onClick={save}>
          {t('conn_save')}
        </Button>
      }
    >
      <Space direction="vertical" size={12} style={{ width: '100%' }}>
        <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
          {t('conn_hint')}
        </Typography.Paragraph>
        {current.data && (
          <Typography.Text type="secondary">
            {t('conn_version')} {current.data.version}
          </Typography.Text>
        )}
        {problem === 'json' && <Alert type="error" showIcon message={t('conn_badJson')} />}
        {problem === 'failed' && <Alert type="error" showIcon message={t('conn_failed')} />}
        {problem === 'conflict' && (
          <Alert
            type="warning"
            showIcon
            message={t('conn_conflict')}
            action={
              <Button size="small" onClick={() => current.refetch().then(() => setProblem(null))}>
                {t('conn_reload')}
              </Button>
            }
          />
        )}
        {issues.length > 0 && (
          <Alert
            type="error"
            showIcon
            message={t('conn_invalid')}
            description={
              <List
                size="small"
                dataSource={issues}
                renderItem={(issue) => (
                  <List.Item>
                    <Typography.Text code>{issue.path}</Typography.Text> {issue.message}
                  </List.Item>
                )}
              />
            }
          />
        )}
        {saved && <Alert type="success" showIcon message={t('conn_saved')} />}
        <Input.TextArea
          aria-label={t('conn_title')}
          value={text}
          onChange={(e) => setText(e.target.value)}
          autoSize={{ minRows: 12, maxRows: 24 }}
          spellCheck={false}
          style={{ fontFamily: 'monospace', fontSize: 12 }}
        />
      </Space>
    </Card>
  );
}
