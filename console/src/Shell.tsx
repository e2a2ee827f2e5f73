import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Grid, Layout, Menu, Segmented, Space, Spin, Tag, Typography } from 'antd';
import { lazy, Suspense, useEffect } from 'react';
import type { Agent, Availability } from './api.ts';
import { useApp } from './app-context.ts';
import { useI18n } from './i18n.tsx';
import { Queue } from './pages/Queue.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { href, navigate, usePath } from './router.ts';
import { hasRole } from './session.ts';

const TicketPage = lazy(() => import('./pages/TicketPage.tsx'));
const Board = lazy(() => import('./pages/Board.tsx'));
const Admin = lazy(() => import('./pages/Admin.tsx'));
const Callback = lazy(() => import('./pages/Callback.tsx'));
const MyApprovals = lazy(() => import('./pages/MyApprovals.tsx'));
// Reports carry ECharts: their own chunk, loaded when the page is opened.
const Reports = lazy(() => import('./reports/Reports.tsx'));

export function Shell() {
  const { session, signOut } = useApp();
  const { t, lang, setLang } = useI18n();
  const path = usePath();
  // On a phone the header keeps to two rows: who is signed in is left out (sign-in chose it).
  const wide = Grid.useBreakpoint().md !== false;

  useEffect(() => {
    document.title = `${t('appName')} · ${t('queue')}`;
  }, [t]);

  if (path.startsWith('/callback')) {
    return (
      <Suspense fallback={<Spin />}>
        <Callback />
      </Suspense>
    );
  }
  if (!session) return <SignIn />;

  const section = path.startsWith('/board')
    ? 'board'
    : path.startsWith('/admin')
      ? 'admin'
      : path.startsWith('/approvals')
        ? 'approvals'
        : path.startsWith('/reports')
          ? 'reports'
          : 'queue';
  const items = [
    {
      key: 'queue',
      label: (
        <a href={href('/')} onClick={link('/')}>
          {t('queue')}
        </a>
      ),
    },
    ...(hasRole(session, 'agent', 'supervisor', 'admin')
      ? [
          {
            key: 'approvals',
            label: (
              <a href={href('/approvals')} onClick={link('/approvals')}>
                {t('appr_mine')}
              </a>
            ),
          },
        ]
      : []),
    ...(hasRole(session, 'supervisor', 'admin')
      ? [
          {
            key: 'board',
            label: (
              <a href={href('/board')} onClick={link('/board')}>
                {t('board')}
              </a>
            ),
          },
          {
            key: 'reports',
            label: (
              <a href={href('/reports')} onClick={link('/reports')}>
                {t('reports')}
              </a>
            ),
          },
        ]
      : []),
    ...(hasRole(session, 'admin')
      ? [
          {
            key: 'admin',
            label: (
              <a href={href('/admin/sla')} onClick={link('/admin/sla')}>
                {t('admin')}
              </a>
            ),
          },
        ]
      : []),
  ];
  const ticketId = path.match(/^\/tickets\/([^/?]+)/)?.[1];

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header
        style={{
          display: 'flex',
          alignItems: 'center',
          gap: 12,
          paddingInline: 16,
          flexWrap: 'wrap',
          height: 'auto',
          lineHeight: '48px',
        }}
      >
        <Typography.Text strong style={{ color: '#fff', fontSize: 16, whiteSpace: 'nowrap' }}>
          {t('appName')}
        </Typography.Text>
        <Menu
          theme="dark"
          mode="horizontal"
          selectedKeys={[section]}
          items={items}
          // No "…" overflow menu (its hidden copies stay focusable, which axe flags): on a phone the
          // items wrap onto a second row instead.
          disabledOverflow
          style={{ flex: 1, minWidth: 120, background: 'transparent', flexWrap: 'wrap' }}
          aria-label="main"
        />
        <Space wrap size={8}>
          {hasRole(session, 'agent') && <AvailabilityToggle />}
          <Button size="small" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')} aria-label="language">
            {t('language')}
          </Button>
          {wide && (
            <Tag color="blue" style={{ marginInlineEnd: 0 }}>
              {session.user.name} · {session.user.roles.map((r) => t(`role_${r}`)).join('/')}
            </Tag>
          )}
          <Button size="small" onClick={signOut}>
            {t('signOut')}
          </Button>
        </Space>
      </Layout.Header>
      <Layout.Content style={{ padding: 16, maxWidth: 1400, width: '100%', margin: '0 auto' }}>
        <main>
          <Suspense fallback={<Spin />}>
            {ticketId ? (
              <TicketPage id={decodeURIComponent(ticketId)} />
            ) : section === 'board' ? (
              <Board />
            ) : section === 'admin' ? (
              <Admin />
            ) : section === 'approvals' ? (
              <MyApprovals />
            ) : section === 'reports' && hasRole(session, 'supervisor', 'admin') ? (
              <Reports />
            ) : (
              <Queue />
            )}
          </Suspense>
        </main>
      </Layout.Content>
    </Layout>
  );
}

/** A link that moves inside the app without reloading it (ctrl/cmd-click still opens a tab). */
export function link(path: string) {
  return (event: React.MouseEvent) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(path);
  };
}

/** Online / away / offline for the signed-in agent; coming online shows the work it picked up. */
function AvailabilityToggle() {
  const { api, session } = useApp();
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const id = session!.user.id;
  const agent = useQuery({
    queryKey: ['agent', id],
    queryFn: async () => {
      const { items } = await api.get<{ items: Agent[] }>('/agents');
      const me = items.find((a) => a.id === id);
      if (!me) throw new Error('not an agent');
      return me;
    },
    retry: false,
  });
  const change = useMutation({
    mutationFn: (availability: Availability) =>
      api.send<{
        agent: Agent;
        pickedUp: string[];
        pickedUpTickets: { id: string; number: string; subject: string }[];
      }>('POST', `/agents/${encodeURIComponent(id)}/availability`, { availability }),
    onSuccess: ({ body }) => {
      queryClient.setQueryData(['agent', id], body.agent);
      void queryClient.invalidateQueries({ queryKey: ['tickets'] });
      if (body.pickedUpTickets?.length) {
        message.info(
          <span>
            {t('pickedUp')}{' '}
            {body.pickedUpTickets.map((ticket, i) => (
              <span key={ticket.id}>
                {i > 0 ? '、' : ''}
                <a
                  href={href(`/tickets/${ticket.id}`)}
                  onClick={link(`/tickets/${ticket.id}`)}
                  title={ticket.subject}
                >
                  {ticket.number}
                </a>
              </span>
            ))}
          </span>,
          8,
        );
      }
    },
    onError: (error) => message.error(error.message),
  });
  if (agent.isError) return null;
  return (
    <Segmented<Availability>
      size="small"
      aria-label={t('availability')}
      value={agent.data?.availability ?? 'offline'}
      onChange={(v) => change.mutate(v)}
      options={(['online', 'away', 'offline'] as const).map((v) => ({ value: v, label: t(v) }))}
    />
  );
}
