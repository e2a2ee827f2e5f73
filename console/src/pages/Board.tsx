import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App as AntApp,
  Card,
  Col,
  Progress,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { Agent, Page, TicketSummary } from '../api.ts';
import { useApp, useDirectory } from '../app-context.ts';
import { useNow } from '../clock.ts';
import { headlineTarget, SlaBadge, targetLevel } from '../components/SlaBadge.tsx';
import { useI18n } from '../i18n.tsx';
import { link } from '../Shell.tsx';

const hour = 3600_000;

/** Every active ticket, nearest due first (a few pages of 100; the board is for one service desk). */
async function activeTickets(get: <T>(path: string, q?: Record<string, string | undefined>) => Promise<T>) {
  const all: TicketSummary[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const result = await get<Page<TicketSummary>>('/tickets', {
      active: 'true',
      sort: 'due',
      limit: '100',
      cursor,
    });
    all.push(...result.items);
    cursor = result.cursor;
    if (!cursor) break;
  }
  return all;
}

/**
 * The supervisor's board: per team the backlog, unassigned, warned and breached counts, the oldest
 * waiting ticket, agents online and their load against capacity; the at-risk list with one-click
 * reassignment. Refreshed every 3 s.
 */
export default function Board() {
  const { api } = useApp();
  const { t, lang } = useI18n();
  const { message } = AntApp.useApp();
  const directory = useDirectory();
  const queryClient = useQueryClient();
  const now = useNow(1000);
  const tickets = useQuery({
    queryKey: ['tickets', 'board'],
    queryFn: () => activeTickets(api.get),
    refetchInterval: 3000,
  });
  const agents = useQuery({
    queryKey: ['agents'],
    queryFn: () => api.get<{ items: Agent[] }>('/agents').then((r) => r.items),
    refetchInterval: 3000,
  });
  const reassign = useMutation({
    mutationFn: ({ ticket, agentId }: { ticket: TicketSummary; agentId: string }) =>
      api.send('POST', `/tickets/${ticket.id}/assignment`, { agentId, reason: t('board') }, ticket.version),
    onSuccess: () => {
      message.success(t('reassign'));
      void queryClient.invalidateQueries({ queryKey: ['tickets'] });
      void queryClient.invalidateQueries({ queryKey: ['agents'] });
    },
    onError: (error) => message.error(error.message),
  });

  const rows = tickets.data ?? [];
  const levelOf = (ticket: TicketSummary) => {
    if (ticket.sla.breached.length) return 'breached';
    const target = headlineTarget(ticket);
    return target ? targetLevel(target, now) : 'none';
  };
  const teams = directory.data?.teams ?? [];
  const stats = teams.map((team) => {
    const mine = rows.filter((r) => r.team === team.id);
    const members = (agents.data ?? []).filter((a) => a.teams.includes(team.id));
    const online = members.filter((a) => a.availability === 'online');
    const waiting = mine.filter((r) => r.assignee === null || r.status === 'new');
    const oldest = waiting.reduce<string | null>((o, r) => (!o || r.createdAt < o ? r.createdAt : o), null);
    return {
      team,
      backlog: mine.length,
      queued: mine.filter((r) => r.assignee === null).length,
      warned: mine.filter((r) => levelOf(r) === 'warning').length,
      breached: mine.filter((r) => levelOf(r) === 'breached').length,
      oldest,
      online,
      members,
    };
  });
  const atRisk = rows.filter((r) => {
    const level = levelOf(r);
    return (
      level === 'warning' || level === 'breached' || (r.nextDueAt && Date.parse(r.nextDueAt) - now < hour)
    );
  });

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>
        {t('board')}
      </Typography.Title>
      {tickets.isError && <Alert type="error" showIcon message={tickets.error.message} />}
      <Row gutter={[16, 16]}>
        {stats.map((s) => (
          <Col xs={24} md={12} xl={8} key={s.team.id} data-team={s.team.id}>
            <Card title={lang === 'zh' ? s.team.name : s.team.nameEn} size="small">
              <Row gutter={[8, 8]}>
                <Col span={8}>
                  <Statistic title={t('backlog')} value={s.backlog} />
                </Col>
                <Col span={8}>
                  <Statistic title={t('queued')} value={s.queued} />
                </Col>
                <Col span={8}>
                  <Statistic title={t('agentsOnline')} value={`${s.online.length}/${s.members.length}`} />
                </Col>
                <Col span={8} data-stat="warned">
                  <Statistic
                    title={t('warned')}
                    value={s.warned}
                    valueStyle={{ color: s.warned ? '#ad4e00' : undefined }}
                  />
                </Col>
                <Col span={8} data-stat="breached">
                  <Statistic
                    title={t('breached')}
                    value={s.breached}
                    valueStyle={{ color: s.breached ? '#a8071a' : undefined }}
                  />
                </Col>
                <Col span={8}>
                  <Statistic
                    title={t('oldest')}
                    value={s.oldest ? `${Math.round((now - Date.parse(s.oldest)) / 60_000)}m` : '—'}
                  />
                </Col>
              </Row>
              <div style={{ marginTop: 8 }}>
                {s.online.map((a) => (
                  <div key={a.id} style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
                    <span
                      style={{
                        width: 72,
                        overflow: 'hidden',
                        textOverflow: 'ellipsis',
                        whiteSpace: 'nowrap',
                      }}
                    >
                      {a.name}
                    </span>
                    <Progress
                      percent={Math.round((a.load.total / Math.max(a.capacity.max, 1)) * 100)}
                      format={() => `${a.load.total}/${a.capacity.max}`}
                      size="small"
                      style={{ flex: 1, margin: 0 }}
                      aria-label={`${t('load')} ${a.name}`}
                    />
                  </div>
                ))}
              </div>
            </Card>
          </Col>
        ))}
      </Row>
      <Card title={t('atRisk')}>
        <Table<TicketSummary>
          rowKey="id"
          size="small"
          dataSource={atRisk}
          pagination={false}
          scroll={{ x: 720 }}
          locale={{ emptyText: t('noTickets') }}
          columns={[
            {
              title: t('sla'),
              key: 'sla',
              width: 130,
              render: (_, r) => <SlaBadge target={headlineTarget(r)} />,
            },
            {
              title: t('number'),
              dataIndex: 'number',
              width: 110,
              render: (n, r) => (
                <a href={`${import.meta.env.BASE_URL}tickets/${r.id}`} onClick={link(`/tickets/${r.id}`)}>
                  {n}
                </a>
              ),
            },
            { title: t('subject'), dataIndex: 'subject', ellipsis: true },
            { title: t('priority'), dataIndex: 'priority', width: 80, render: (p) => <Tag>{t(p)}</Tag> },
            {
              title: t('reassign'),
              key: 'reassign',
              width: 200,
              render: (_, r) => (
                <Select
                  size="small"
                  placeholder={
                    directory.data?.agents.find((a) => a.id === r.assignee)?.name ?? t('unassigned')
                  }
                  aria-label={`${t('reassign')} ${r.number}`}
                  style={{ width: 180 }}
                  onChange={(agentId: string) => reassign.mutate({ ticket: r, agentId })}
                  options={(agents.data ?? [])
                    .filter(
                      (a) =>
                        a.availability === 'online' &&
                        a.id !== r.assignee &&
                        (!r.team || a.teams.includes(r.team)),
                    )
                    .map((a) => ({ value: a.id, label: `${a.name} (${a.load.total}/${a.capacity.max})` }))}
                />
              ),
            },
          ]}
        />
      </Card>
    </Space>
  );
}
