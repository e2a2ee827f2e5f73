import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Grid,
  Input,
  type InputRef,
  Select,
  Space,
  Switch,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Api, Page, TicketSummary } from '../api.ts';
import { useApp, useDirectory } from '../app-context.ts';
import { ExportButton } from '../components/ExportButton.tsx';
import { headlineTarget, SlaBadge } from '../components/SlaBadge.tsx';
import { useI18n } from '../i18n.tsx';
import { navigate } from '../router.ts';
import { link } from '../Shell.tsx';
import { hasRole } from '../session.ts';

type Scope = 'mine' | 'team' | 'all';

interface Filters {
  status?: string;
  team?: string;
  priority?: string;
  tier?: string;
  channel?: string;
  breached?: boolean;
  q?: string;
}

const priorityColours: Record<string, string> = {
  urgent: 'red',
  high: 'orange',
  normal: 'blue',
  low: 'default',
};
const statusColours: Record<string, string> = {
  new: 'gold',
  open: 'processing',
  pending: 'purple',
  resolved: 'success',
  closed: 'default',
};

/** The list query of a queue tab and its filters. */
export function queueQuery(
  scope: Scope,
  filters: Filters,
  userId: string,
): Record<string, string | undefined> {
  const q: Record<string, string | undefined> = {
    status: filters.status,
    team: filters.team,
    priority: filters.priority,
    tier: filters.tier,
    channel: filters.channel,
    breached: filters.breached ? 'true' : undefined,
    q: filters.q,
    limit: '25',
  };
  if (scope === 'mine') q.assignee = userId;
  if (scope !== 'all' && !filters.status) q.active = 'true';
  if (scope !== 'all') q.sort = 'due';
  return q;
}

/** The queue's filters as an export takes them (docs/export.md): all but paging and order. */
export const exportFilters = ({
  limit: _limit,
  sort: _sort,
  cursor: _cursor,
  ...filters
}: Record<string, string | undefined>) => filters;

/** The queue's TanStack query: pages of summaries with their cursor. */
export const queueOptions = (api: Api, query: Record<string, string | undefined>) =>
  infiniteQueryOptions({
    queryKey: ['tickets', query],
    queryFn: ({ pageParam }) => api.get<Page<TicketSummary>>('/tickets', { ...query, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.cursor,
  });

/** The tab a role starts on: agents their own queue, others the team queues. */
export const initialScope = (roles: readonly string[]): Scope => (roles.includes('agent') ? 'mine' : 'team');

/**
 * My queue, team queues and all tickets: sorted by the nearest SLA due time (queues) with a live
 * countdown, filters, search, cursor paging; refreshed every 3 s so new work shows without a reload.
 */
export function Queue() {
  const { api, session } = useApp();
  const { t, lang } = useI18n();
  const directory = useDirectory();
  const isAgent = hasRole(session, 'agent');
  // A link may open the queue on a search (`/?scope=all&q=…&channel=…`, e.g. from the import wizard).
  const [linked] = useState(() => new URLSearchParams(window.location.search));
  const [scope, setScope] = useState<Scope>(() => {
    const asked = linked.get('scope');
    return asked === 'mine' || asked === 'team' || asked === 'all'
      ? asked
      : initialScope(session!.user.roles);
  });
  const [filters, setFilters] = useState<Filters>(() => ({
    ...(linked.get('q') ? { q: linked.get('q')! } : {}),
    ...(linked.get('channel') ? { channel: linked.get('channel')! } : {}),
  }));
  const [selected, setSelected] = useState(0);
  const search = useRef<InputRef>(null);
  const wide = Grid.useBreakpoint().md !== false;

  const query = useMemo(() => queueQuery(scope, filters, session!.user.id), [filters, scope, session]);
  const tickets = useInfiniteQuery({ ...queueOptions(api, query), refetchInterval: 3000 });
  const rows = tickets.data?.pages.flatMap((p) => p.items) ?? [];

  const teamName = (id: string | null) => {
    const team = directory.data?.teams.find((x) => x.id === id);
    return team ? (lang === 'zh' ? team.name : team.nameEn) : (id ?? '—');
  };
  const agentName = (id: string | null) =>
    id ? (directory.data?.agents.find((a) => a.id === id)?.name ?? id) : t('unassigned');

  // Keyboard: j/k move, Enter opens, / searches.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (target.closest('input, textarea, [contenteditable], .ant-select')) return;
      if (e.key === 'j') setSelected((i) => Math.min(i + 1, Math.max(rows.length - 1, 0)));
      else if (e.key === 'k') setSelected((i) => Math.max(i - 1, 0));
      else if (e.key === 'Enter' && rows[selected]) navigate(`/tickets/${rows[selected].id}`);
      else if (e.key === '/') {
        e.preventDefault();
        search.current?.focus();
      } else return;
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [rows, selected]);

  const select = (key: keyof Filters, options: { value: string; label: string }[]) => (
    <Select
      allowClear
      placeholder={t(key)}
      aria-label={t(key)}
      style={{ minWidth: 110 }}
      value={filters[key] as string | undefined}
      onChange={(value) => setFilters((f) => ({ ...f, [key]: value }))}
      options={options}
    />
  );

  return (
    <Card>
      <Typography.Title level={1} style={{ fontSize: 20, marginTop: 0 }}>
        {t('queue')}
      </Typography.Title>
      <Tabs
        activeKey={scope}
        onChange={(k) => setScope(k as Scope)}
        items={[
          ...(isAgent ? [{ key: 'mine', label: t('myQueue') }] : []),
          { key: 'team', label: t('teamQueue') },
          { key: 'all', label: t('allTickets') },
        ]}
      />
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search
          ref={search}
          allowClear
          placeholder={t('search')}
          aria-label={t('search')}
          defaultValue={filters.q}
          style={{ width: 280 }}
          onSearch={(q) => setFilters((f) => ({ ...f, q: q.trim() || undefined }))}
        />
        {select(
          'status',
          (directory.data?.statuses ?? []).map((s) => ({ value: s.id, label: lang === 'zh' ? s.zh : s.en })),
        )}
        {select(
          'team',
          (directory.data?.teams ?? []).map((x) => ({
            value: x.id,
            label: lang === 'zh' ? x.name : x.nameEn,
          })),
        )}
        {select(
          'priority',
          ['urgent', 'high', 'normal', 'low'].map((p) => ({ value: p, label: t(p) })),
        )}
        {select(
          'tier',
          ['vip', 'standard'].map((p) => ({ value: p, label: t(p) })),
        )}
        {select(
          'channel',
          ['web', 'email', 'api', 'webhook', 'event', 'import', 'phone'].map((c) => ({ value: c, label: c })),
        )}
        <Space size={4}>
          <Switch
            size="small"
            aria-label={t('breachedOnly')}
            checked={!!filters.breached}
            onChange={(v) => setFilters((f) => ({ ...f, breached: v || undefined }))}
          />
          <span>{t('breachedOnly')}</span>
        </Space>
        <ExportButton filters={exportFilters(query)} />
      </Space>
      {tickets.isError && (
        <Alert type="error" showIcon message={tickets.error.message} style={{ marginBottom: 12 }} />
      )}
      {!wide && (
        <PhoneList
          rows={rows}
          selected={selected}
          loading={tickets.isLoading}
          more={tickets.hasNextPage}
          teamName={teamName}
          agentName={agentName}
        />
      )}
      {wide && (
        <Table<TicketSummary>
          rowKey="id"
          size="middle"
          loading={tickets.isLoading}
          dataSource={rows}
          pagination={false}
          scroll={{ x: 860 }}
          locale={{ emptyText: t(tickets.hasNextPage ? 'noTicketsYet' : 'noTickets') }}
          rowClassName={(_, index) => (index === selected ? 'gd-row-selected' : '')}
          onRow={(row, index) =>
            ({
              onClick: () => {
                setSelected(index ?? 0);
                navigate(`/tickets/${row.id}`);
              },
              style: { cursor: 'pointer' },
              'data-ticket': row.number,
            }) as React.HTMLAttributes<HTMLElement>
          }
          columns={[
            {
              title: t('sla'),
              key: 'sla',
              width: 130,
              render: (_, row) => <SlaBadge target={headlineTarget(row)} />,
            },
            {
              title: t('number'),
              dataIndex: 'number',
              width: 110,
              render: (number, row) => (
                <a href={`${import.meta.env.BASE_URL}tickets/${row.id}`} onClick={link(`/tickets/${row.id}`)}>
                  {number}
                </a>
              ),
            },
            { title: t('subject'), dataIndex: 'subject', ellipsis: true },
            {
              title: t('customer'),
              key: 'customer',
              width: 180,
              render: (_, row) => (
                <Space size={4}>
                  {row.customer.tier === 'vip' && <Tag color="gold">VIP</Tag>}
                  <span>{row.customer.name ?? row.customer.email ?? row.customer.phone}</span>
                </Space>
              ),
            },
            {
              title: t('status'),
              dataIndex: 'status',
              width: 100,
              render: (s) => <Tag color={statusColours[s]}>{t(s)}</Tag>,
            },
            {
              title: t('priority'),
              dataIndex: 'priority',
              width: 90,
              render: (p) => <Tag color={priorityColours[p]}>{t(p)}</Tag>,
            },
            { title: t('team'), dataIndex: 'team', width: 120, render: (x) => teamName(x) },
            { title: t('assignee'), dataIndex: 'assignee', width: 110, render: (a) => agentName(a) },
          ]}
        />
      )}
      <Space style={{ marginTop: 12, justifyContent: 'space-between', width: '100%' }} wrap>
        <Typography.Text type="secondary">{t('keyboard')}</Typography.Text>
        {tickets.hasNextPage && (
          <Button onClick={() => tickets.fetchNextPage()} loading={tickets.isFetchingNextPage}>
            {t('loadMore')}
          </Button>
        )}
      </Space>
    </Card>
  );
}

/** On a phone the queue is a list of cards: countdown, number and priority, subject, customer and who holds it. */
function PhoneList({
  rows,
  selected,
  loading,
  more,
  teamName,
  agentName,
}: {
  rows: TicketSummary[];
  selected: number;
  loading: boolean;
  /** A cursor came back: the search read only part of the tickets (docs/console.md, "How search scales"). */
  more: boolean;
  teamName: (id: string | null) => string;
  agentName: (id: string | null) => string;
}) {
  const { t } = useI18n();
  if (loading) return <Card loading />;
  if (!rows.length)
    return (
      <Typography.Paragraph type="secondary">{t(more ? 'noTicketsYet' : 'noTickets')}</Typography.Paragraph>
    );
  return (
    <ul style={{ listStyle: 'none', padding: 0, margin: 0 }}>
      {rows.map((row, index) => (
        <li key={row.id} data-ticket={row.number} className={index === selected ? 'gd-row-selected' : ''}>
          <a
            href={`${import.meta.env.BASE_URL}tickets/${row.id}`}
            onClick={link(`/tickets/${row.id}`)}
            style={{
              display: 'block',
              padding: '10px 4px',
              borderBottom: '1px solid #f0f0f0',
              color: 'inherit',
            }}
          >
            <Space size={6} wrap>
              <SlaBadge target={headlineTarget(row)} />
              <Typography.Text strong>{row.number}</Typography.Text>
              <Tag color={priorityColours[row.priority]}>{t(row.priority)}</Tag>
              <Tag color={statusColours[row.status]}>{t(row.status)}</Tag>
            </Space>
            <div style={{ margin: '4px 0', fontSize: 15 }}>{row.subject}</div>
            <Typography.Text type="secondary">
              {row.customer.tier === 'vip' ? 'VIP · ' : ''}
              {row.customer.name ?? row.customer.email ?? row.customer.phone} · {teamName(row.team)} ·{' '}
              {agentName(row.assignee)}
            </Typography.Text>
          </a>
        </li>
      ))}
    </ul>
  );
}
