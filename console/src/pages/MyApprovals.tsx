import { useQuery } from '@tanstack/react-query';
import { Card, Empty, Grid, List, Space, Table, Tag, Typography } from 'antd';
import { useEffect } from 'react';
import type { PendingApproval } from '../api.ts';
import { useApp } from '../app-context.ts';
import { useNow } from '../clock.ts';
import { waited } from '../components/Approvals.tsx';
import { useI18n } from '../i18n.tsx';
import { href } from '../router.ts';
import { link } from '../Shell.tsx';

/**
 * "My approvals" (我的审批): what waits on the signed-in person, the longest waiting first — the ticket,
 * what is asked and by whom, the stage, how long they have been waited on and how often nudged. Opening
 * one goes to its ticket, where the approve and reject buttons are. A phone gets cards.
 */
export default function MyApprovals() {
  const { api } = useApp();
  const i18n = useI18n();
  const { t, format } = i18n;
  const now = useNow(10_000);
  const wide = Grid.useBreakpoint().md !== false;
  const queue = useQuery({
    queryKey: ['approvals', 'mine'],
    queryFn: () =>
      api.get<{ items: PendingApproval[] }>('/approvals', { mine: 'pending' }).then((r) => r.items),
    refetchInterval: 10_000,
  });

  useEffect(() => {
    document.title = `${t('appName')} · ${t('appr_mine')}`;
  }, [t]);

  const items = queue.data ?? [];
  const ticketLink = (a: PendingApproval) => (
    <a href={href(`/tickets/${a.ticketId}`)} onClick={link(`/tickets/${a.ticketId}`)}>
      {a.ticketNumber}
    </a>
  );
  const waitedFor = (a: PendingApproval) => (
    <Typography.Text type={now - Date.parse(a.since) > 24 * 3600_000 ? 'danger' : undefined}>
      {waited(now - Date.parse(a.since), i18n)}
    </Typography.Text>
  );
  const stage = (a: PendingApproval) => `${a.stage + 1}/${a.stages}`;

  return (
    <Card
      title={
        <Typography.Title level={1} style={{ fontSize: 18, margin: 0 }}>
          {t('appr_mine')}
        </Typography.Title>
      }
      loading={queue.isLoading}
    >
      {!items.length ? (
        <Empty description={t('appr_mineEmpty')} />
      ) : wide ? (
        <Table<PendingApproval>
          rowKey="approvalId"
          onRow={(a) => ({ 'data-approval': a.approvalId }) as React.HTMLAttributes<HTMLElement>}
          dataSource={items}
          pagination={false}
          columns={[
            {
              title: t('appr_ticket'),
              key: 'ticket',
              render: (_, a) => (
                <Space direction="vertical" size={0}>
                  {ticketLink(a)}
                  <Typography.Text type="secondary">{a.subject}</Typography.Text>
                </Space>
              ),
            },
            { title: t('appr_reason'), dataIndex: 'reason', key: 'reason' },
            {
              title: t('appr_requester'),
              key: 'requester',
              render: (_, a) => a.requestedBy.name ?? a.requestedBy.id,
            },
            { title: t('appr_stageCol'), key: 'stage', render: (_, a) => stage(a) },
            { title: t('appr_waitedFor'), key: 'since', render: (_, a) => waitedFor(a) },
            {
              title: t('appr_nudges'),
              key: 'nudges',
              render: (_, a) => (a.nudges ? <Tag color="orange">{a.nudges}</Tag> : '—'),
            },
          ]}
        />
      ) : (
        <List
          dataSource={items}
          renderItem={(a) => (
            <List.Item key={a.approvalId} data-approval={a.approvalId}>
              <Space direction="vertical" size={2} style={{ width: '100%' }}>
                <Space wrap size={6}>
                  {ticketLink(a)}
                  <Typography.Text>{a.subject}</Typography.Text>
                </Space>
                <Typography.Text strong>{a.reason}</Typography.Text>
                <Typography.Text type="secondary">
                  {a.requestedBy.name ?? a.requestedBy.id} · {t('appr_stageCol')} {stage(a)} ·{' '}
                  {t('appr_waitedFor')} {waitedFor(a)}
                  {a.nudges ? ` · ${format('appr_nudgeCount', { n: a.nudges })}` : ''}
                </Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
