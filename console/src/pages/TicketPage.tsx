import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Col,
  Descriptions,
  Form,
  Input,
  Modal,
  Row,
  Segmented,
  Select,
  Space,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useEffect, useRef, useState } from 'react';
import { ApiError, type AuditEvent, type Message, type Status, type Ticket } from '../api.ts';
import { useApp, useDirectory } from '../app-context.ts';
import { ApprovalsPanel, approvalHistoryText } from '../components/Approvals.tsx';
import {
  type ChildrenRefusal,
  ChildTicketsPanel,
  childrenRefusal,
  ParentLink,
} from '../components/ChildTickets.tsx';
import { ResolutionCard, ResolveDialog } from '../components/ClosingReport.tsx';
import { Customer360Panel } from '../components/Customer360.tsx';
import { FieldVisitsPanel } from '../components/FieldVisits.tsx';
import { MailAuthTag, TicketMailAuth } from '../components/MailAuth.tsx';
import { ProductRegionCard, productRegionChange } from '../components/ProductRegion.tsx';
import { SlaBadge } from '../components/SlaBadge.tsx';
import {
  CollaborationPanel,
  Composer,
  MergedBanner,
  MessageBody,
} from '../components/TicketCollaboration.tsx';
import { useI18n } from '../i18n.tsx';
import { navigate } from '../router.ts';
import { link } from '../Shell.tsx';
import { hasRole } from '../session.ts';

/** An action on the ticket at a version; a 412 means someone else got there first. */
interface PendingAction {
  label: string;
  run: (version: number) => Promise<unknown>;
  /** After it succeeded (first time or on retry): e.g. clear the composer. */
  onDone?: () => void;
}

interface Conflict {
  action: PendingAction;
  changes: { field: string; from: string; to: string }[];
}

const compared = ['status', 'assignee', 'team', 'priority', 'subject'] as const;

/**
 * One ticket: who, what, the SLA per target, the thread (public replies and internal notes clearly
 * apart), the history with actor and time, classification and the routing explanation; the actions
 * the caller may take now (the API says which), reply and note with field errors, the 412 flow.
 */
export default function TicketPage({ id }: { id: string }) {
  const { api, session } = useApp();
  const { t, lang, format } = useI18n();
  const { message } = AntApp.useApp();
  const directory = useDirectory();
  const queryClient = useQueryClient();
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [assigning, setAssigning] = useState(false);
  const [childrenRefused, setChildrenRefused] = useState<ChildrenRefusal | null>(null);
  const [resolving, setResolving] = useState(false);
  const replyRef = useRef<HTMLTextAreaElement>(null);
  const noteRef = useRef<HTMLTextAreaElement>(null);

  // Each read of the ticket is a "viewed" entry in its audit trail: it is read on opening and after
  // changes, not polled. The thread and history (no audit) refresh every 5 s.
  const ticket = useQuery({
    queryKey: ['ticket', id],
    queryFn: () => api.get<Ticket>(`/tickets/${encodeURIComponent(id)}`),
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });
  const ticketId = ticket.data?.id;
  const messages = useQuery({
    queryKey: ['messages', ticketId],
    queryFn: () => api.get<{ items: Message[] }>(`/tickets/${ticketId}/messages`).then((r) => r.items),
    enabled: !!ticketId,
    refetchInterval: 5000,
  });
  const history = useQuery({
    queryKey: ['history', ticketId],
    queryFn: () => api.get<{ items: AuditEvent[] }>(`/tickets/${ticketId}/history`).then((r) => r.items),
    enabled: !!ticketId,
    refetchInterval: 5000,
  });

  const refresh = async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: ['ticket', id] }),
      queryClient.invalidateQueries({ queryKey: ['messages', ticketId] }),
      queryClient.invalidateQueries({ queryKey: ['history', ticketId] }),
      queryClient.invalidateQueries({ queryKey: ['tickets'] }),
    ]);
  };

  /** Runs an action at the displayed version; a 412 shows what changed and offers a retry. */
  const perform = async (action: PendingAction) => {
    const shown = ticket.data!;
    try {
      const result = (await action.run(shown.version)) as { body?: unknown } | undefined;
      // The API answers with the changed ticket (a reply with `{ message, ticket }`): show it at once,
      // so a next click carries the new version; the refresh then brings live SLA figures and history.
      const body = result?.body as (Partial<Ticket> & { ticket?: Partial<Ticket> }) | undefined;
      const changed = body?.ticket ?? body;
      if (changed?.id === shown.id && typeof changed.version === 'number') {
        queryClient.setQueryData<Ticket>(['ticket', id], (old) =>
          old ? { ...old, ...changed, sla: old.sla } : old,
        );
      }
      setConflict(null);
      action.onDone?.();
      await refresh();
      message.success(action.label);
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        const fresh = await api.get<Ticket>(`/tickets/${shown.id}`);
        const changes = compared
          .filter((f) => shown[f] !== fresh[f])
          .map((f) => ({ field: f, from: String(shown[f] ?? '—'), to: String(fresh[f] ?? '—') }));
        queryClient.setQueryData(['ticket', id], fresh);
        setConflict({ action, changes });
        return;
      }
      // Open children are named by the children panel, in the reader's language.
      if (!(error instanceof ApiError && error.code === 'TICKET.OPEN_CHILDREN'))
        message.error(error instanceof Error ? error.message : String(error));
      throw error;
    }
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.target as HTMLElement).closest('input, textarea, [contenteditable], .ant-select')) return;
      if (e.key === 'r') {
        e.preventDefault();
        replyRef.current?.focus();
      } else if (e.key === 'n') {
        e.preventDefault();
        noteRef.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (ticket.isLoading) return <Card loading />;
  if (ticket.isError || !ticket.data) {
    return (
      <Alert
        type="error"
        showIcon
        message={ticket.error?.message ?? t('error')}
        action={<Button onClick={() => navigate('/')}>{t('back')}</Button>}
      />
    );
  }
  const tk = ticket.data;
  const teamName = (teamId: string | null) => {
    const team = directory.data?.teams.find((x) => x.id === teamId);
    return team ? (lang === 'zh' ? team.name : team.nameEn) : (teamId ?? '—');
  };
  const agentName = (agentId: string | null) =>
    agentId ? (directory.data?.agents.find((a) => a.id === agentId)?.name ?? agentId) : t('unassigned');
  const intentName = (intent: string | null | undefined) => {
    const found = directory.data?.intents.find((i) => i.id === intent);
    return found ? (lang === 'zh' ? found.zh : found.en) : (intent ?? '—');
  };
  /** The routing explanation in the reader's language (the API's English prose when it has no code). */
  const routingText = () => {
    const explanation = tk.routing?.explanation;
    if (!explanation) return tk.routing?.reason ?? '—';
    const p = explanation.params;
    const named = {
      ...p,
      team: teamName((p.team as string | null) ?? null),
      fromTeam: teamName((p.fromTeam as string | null) ?? null),
      agent: agentName((p.agent as string | null) ?? null),
    };
    return format(`explain.${explanation.code}`, {
      ...named,
      match: format(`match.${p.match ?? 'default'}`, named),
    });
  };
  const transitionLabel = (to: Status) =>
    to === 'open' && tk.status === 'resolved'
      ? t('to_open_from_resolved')
      : to === 'open' && tk.status === 'pending'
        ? t('to_open_from_pending')
        : t(`to_${to}`);

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Space wrap>
        <a href={`${import.meta.env.BASE_URL}`} onClick={link('/')}>
          ← {t('back')}
        </a>
      </Space>
      <Card>
        <Space direction="vertical" style={{ width: '100%' }}>
          <Space wrap align="center">
            <Typography.Text type="secondary" copyable>
              {tk.number}
            </Typography.Text>
            <Tag color="processing" data-status={tk.status}>
              {t(tk.status)}
            </Tag>
            <Tag color={tk.priority === 'urgent' ? 'red' : tk.priority === 'high' ? 'orange' : 'blue'}>
              {t(tk.priority)}
            </Tag>
            {tk.customer.tier === 'vip' && <Tag color="gold">VIP</Tag>}
            <ParentLink ticket={tk} />
          </Space>
          <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>
            {tk.subject}
          </Typography.Title>
          <MergedBanner ticket={tk} />
          <Space wrap aria-label={t('actions')}>
            {tk.allowedTransitions.map((to) => (
              <Button
                key={to}
                type={to === 'resolved' || (to === 'open' && tk.status === 'new') ? 'primary' : 'default'}
                data-action={`to-${to}`}
                onClick={() =>
                  // Resolving asks what was done first (components/ClosingReport.tsx).
                  to === 'resolved'
                    ? setResolving(true)
                    : perform({
                        label: transitionLabel(to),
                        run: (version) => api.send('POST', `/tickets/${tk.id}/transitions`, { to }, version),
                      }).catch((error) => setChildrenRefused(childrenRefusal(error, to)))
                }
              >
                {transitionLabel(to)}
              </Button>
            ))}
            {tk.canTake && (
              <Button
                data-action="take"
                onClick={() =>
                  perform({
                    label: t('take'),
                    run: (v) => api.send('POST', `/tickets/${tk.id}/take`, {}, v),
                  }).catch(() => {})
                }
              >
                {t('take')}
              </Button>
            )}
            {hasRole(session, 'agent', 'supervisor', 'admin') && tk.status !== 'closed' && (
              <Select
                aria-label={t('priority')}
                value={tk.priority}
                style={{ width: 110 }}
                onChange={(priority) =>
                  perform({
                    label: `${t('priority')}: ${t(priority)}`,
                    run: (version) => api.send('PATCH', `/tickets/${tk.id}`, { priority }, version),
                  }).catch(() => {})
                }
                options={(['urgent', 'high', 'normal', 'low'] as const).map((p) => ({
                  value: p,
                  label: t(p),
                }))}
              />
            )}
            {tk.canAssign && (
              <Button data-action="assign" onClick={() => setAssigning(true)}>
                {t('assign')}
              </Button>
            )}
          </Space>
          {conflict && (
            <Alert
              type="warning"
              showIcon
              role="alert"
              message={t('conflictTitle')}
              description={
                <div>
                  <div>{t('conflictBody')}</div>
                  <ul style={{ margin: '4px 0' }}>
                    {conflict.changes.map((c) => (
                      <li key={c.field}>
                        {t(c.field)}:{' '}
                        {c.field === 'status' || c.field === 'priority'
                          ? `${t(c.from)} → ${t(c.to)}`
                          : `${c.from} → ${c.to}`}
                      </li>
                    ))}
                  </ul>
                </div>
              }
              action={
                <Space direction="vertical">
                  <Button
                    size="small"
                    type="primary"
                    onClick={() => perform(conflict.action).catch(() => {})}
                  >
                    {t('retry')}
                  </Button>
                  <Button size="small" onClick={() => setConflict(null)}>
                    {t('cancel')}
                  </Button>
                </Space>
              }
            />
          )}
        </Space>
      </Card>

      <Row gutter={[16, 16]}>
        <Col xs={24} lg={16}>
          <Space direction="vertical" size={16} style={{ width: '100%' }}>
            <Card title={t('details')}>
              <TicketMailAuth ticket={tk} />
              <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>
                {tk.description || '—'}
              </Typography.Paragraph>
            </Card>
            <ResolutionCard ticket={tk} />
            <ResolveDialog
              ticket={tk}
              open={resolving}
              onClose={() => setResolving(false)}
              perform={perform}
              onRefused={(error, summary) => setChildrenRefused(childrenRefusal(error, 'resolved', summary))}
            />
            <ChildTicketsPanel
              ticket={tk}
              perform={perform}
              refusal={childrenRefused}
              onRefusalClose={() => setChildrenRefused(null)}
            />
            <ApprovalsPanel ticket={tk} />
            <FieldVisitsPanel ticket={tk} />
            <Composer ticket={tk} kind="reply" inputRef={replyRef} perform={perform} />
            <Composer ticket={tk} kind="note" inputRef={noteRef} perform={perform} />
            <Card title={t('thread')}>
              <Space direction="vertical" style={{ width: '100%' }}>
                {(messages.data ?? []).map((m) => (
                  <div
                    key={m.id}
                    data-message={m.public ? 'public' : 'internal'}
                    style={{
                      padding: 12,
                      borderRadius: 8,
                      border: `1px solid ${m.public ? '#d6e4ff' : '#ffe58f'}`,
                      background: m.public ? '#f5f9ff' : '#fffbe6',
                    }}
                  >
                    <Space wrap size={6}>
                      <Tag color={m.public ? 'blue' : 'gold'}>{m.public ? t('public') : t('internal')}</Tag>
                      <Typography.Text strong>
                        {m.author.name ?? m.author.email ?? m.author.id}
                      </Typography.Text>
                      <Typography.Text type="secondary">{new Date(m.at).toLocaleString()}</Typography.Text>
                      {m.mailAuth && <MailAuthTag auth={m.mailAuth} />}
                    </Space>
                    <MessageBody message={m} ticketId={tk.id} />
                  </div>
                ))}
              </Space>
            </Card>
          </Space>
        </Col>
        <Col xs={24} lg={8}>
          <Space direction="vertical" size={16} style={{ width: '100%' }}>
            <Card title={t('sla')}>
              <Space direction="vertical">
                {(tk.sla.targets ?? []).map((target) => (
                  <div key={`${target.target}-${target.cycle}`}>
                    <SlaBadge target={target} label />
                  </div>
                ))}
                {!tk.sla.targets?.length && <SlaBadge target={undefined} />}
              </Space>
            </Card>
            <CollaborationPanel ticket={tk} perform={perform} />
            <Card title={t('customer')}>
              <Descriptions column={1} size="small">
                <Descriptions.Item label={t('customer')}>{tk.customer.name ?? '—'}</Descriptions.Item>
                <Descriptions.Item label="E-mail">{tk.customer.email ?? '—'}</Descriptions.Item>
                {tk.customer.phone && <Descriptions.Item label="Tel">{tk.customer.phone}</Descriptions.Item>}
                <Descriptions.Item label={t('tier')}>{t(tk.customer.tier)}</Descriptions.Item>
                <Descriptions.Item label={t('team')}>{teamName(tk.team)}</Descriptions.Item>
                <Descriptions.Item label={t('assignee')}>{agentName(tk.assignee)}</Descriptions.Item>
                <Descriptions.Item label={t('channel')}>{tk.channel}</Descriptions.Item>
              </Descriptions>
            </Card>
            <Customer360Panel ticket={tk} />
            <Card title={t('classification')}>
              <Descriptions column={1} size="small">
                <Descriptions.Item label={t('intent')}>
                  {intentName(tk.classification?.intent ?? tk.intent)}
                </Descriptions.Item>
                {tk.classification && (
                  <Descriptions.Item label={t('confidence')}>
                    {Math.round(tk.classification.confidence * 100)}%
                  </Descriptions.Item>
                )}
                {tk.classification &&
                  Object.entries(tk.classification.facts)
                    .filter(([, values]) => values.length)
                    .map(([kind, values]) => (
                      <Descriptions.Item key={kind} label={kind}>
                        {values.join('、')}
                      </Descriptions.Item>
                    ))}
              </Descriptions>
            </Card>
            <ProductRegionCard ticket={tk} perform={perform} />
            <Card title={t('routing')}>
              <Typography.Paragraph style={{ margin: 0 }}>{routingText()}</Typography.Paragraph>
            </Card>
            <Card title={t('history')}>
              <Timeline
                items={collapseViews(history.data ?? []).map(({ event: e, views }) => ({
                  key: e.id,
                  color:
                    e.type.startsWith('sla') || e.type === 'escalated'
                      ? 'red'
                      : e.type === 'viewed'
                        ? 'gray'
                        : 'blue',
                  children: (
                    <div data-history={e.type}>
                      <Typography.Text strong>
                        {t(e.type)}
                        {views > 1 ? ` ×${views}` : ''}
                      </Typography.Text>{' '}
                      <Typography.Text type="secondary">
                        {e.actor.name ?? e.actor.id} · {new Date(e.at).toLocaleString()}
                      </Typography.Text>
                      {describe(e, { t, format }, agentName)}
                    </div>
                  ),
                }))}
              />
            </Card>
          </Space>
        </Col>
      </Row>
      <AssignModal open={assigning} ticket={tk} onClose={() => setAssigning(false)} perform={perform} />
    </Space>
  );
}

/**
 * The history with each run of views by one person shown once (with a count and the latest time):
 * every open of a ticket is audited, and a dozen "viewed" lines would bury what happened.
 */
function collapseViews(events: AuditEvent[]): { event: AuditEvent; views: number }[] {
  const rows: { event: AuditEvent; views: number }[] = [];
  for (const event of events) {
    const last = rows.at(-1);
    if (event.type === 'viewed' && last?.event.type === 'viewed' && last.event.actor.id === event.actor.id) {
      rows[rows.length - 1] = { event, views: last.views + 1 };
    } else rows.push({ event, views: 1 });
  }
  return rows;
}

/** One history entry's details, worded from its data (codes and parameters) in the reader's language. */
function describe(
  e: AuditEvent,
  i18n: { t: (k: string) => string; format: (k: string, p: Record<string, unknown>) => string },
  agentName: (id: string | null) => string,
) {
  const { t, format } = i18n;
  const d = e.data ?? {};
  const line = (text: string) => <div>{text}</div>;
  const reason = d.reason ? ` · ${String(d.reason)}` : '';
  switch (e.type) {
    case 'transitioned':
    case 'reopened':
      return d.from && d.to ? line(`${t(String(d.from))} → ${t(String(d.to))}${reason}`) : null;
    case 'assigned':
    case 'transferred': {
      const to = (d.toAssignee ?? d.assignee ?? null) as string | null;
      return line(`→ ${agentName(to)}${reason}`);
    }
    case 'updated': {
      const priority = d.priority as { from?: string; to?: string } | undefined;
      if (priority?.from && priority.to)
        return line(`${t('priority')}: ${t(priority.from)} → ${t(priority.to)}`);
      return productRegionChange(d, t) ?? null;
    }
    case 'sla.warning':
      return line(
        format('hist.sla.warning', {
          target: t(String(d.target)),
          percent: d.percent,
          remaining: Math.round(Number(d.remainingMinutes ?? 0)),
        }),
      );
    case 'child.created':
      return line(`${String(d.childNumber)} · ${String(d.subject ?? '')}`);
    case 'rated':
      return line(`${String(d.score)} / 5${d.comment ? ` · ${String(d.comment)}` : ''}`);
    case 'sla.breached':
      return line(format('hist.sla.breached', { target: t(String(d.target)) }));
    case 'escalated':
      return line(
        format('hist.escalated', {
          target: t(String(d.target)),
          level: d.level,
          overdue: Math.round(Number(d.overdueMinutes ?? 0)),
        }),
      );
    case 'approval.requested':
    case 'approval.decided':
    case 'approval.nudged':
    case 'approval.delegated':
      return line(approvalHistoryText(e, { t, format }, agentName) ?? '');
    case 'visit':
      return line(
        `${t(`field_step_${String(d.action)}`)}${typeof d.distanceMeters === 'number' ? ` · ${d.distanceMeters} m${d.outsideRadius ? ` · ${t('field_flagged')}` : ''}` : ''}`,
      );
    default:
      return null;
  }
}

function AssignModal({
  open,
  ticket,
  onClose,
  perform,
}: {
  open: boolean;
  ticket: Ticket;
  onClose: () => void;
  perform: (action: PendingAction) => Promise<void>;
}) {
  const { api } = useApp();
  const { t, lang } = useI18n();
  const directory = useDirectory();
  const [form] = Form.useForm<{ agentId?: string; team?: string; reason: string }>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [mode, setMode] = useState<'agent' | 'team'>('agent');
  const submit = async (values: { agentId?: string; team?: string; reason: string }) => {
    try {
      await perform({
        label: t('assign'),
        run: (version) =>
          api.send(
            'POST',
            `/tickets/${ticket.id}/assignment`,
            mode === 'agent'
              ? { agentId: values.agentId, reason: values.reason }
              : { team: values.team, reason: values.reason },
            version,
          ),
      });
      setErrors({});
      form.resetFields();
      onClose();
    } catch (error) {
      if (error instanceof ApiError) {
        const byField: Record<string, string> = {};
        for (const f of error.fields) byField[f.path] = f.message;
        if (!error.fields.length) byField[mode === 'agent' ? 'agentId' : 'team'] = error.message;
        setErrors(byField);
      }
    }
  };
  return (
    <Modal
      open={open}
      title={t('assign')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('confirm')}
      cancelText={t('cancel')}
      destroyOnHidden
    >
      <Segmented
        value={mode}
        onChange={(v) => setMode(v as 'agent' | 'team')}
        options={[
          { value: 'agent', label: t('agent') },
          { value: 'team', label: t('team') },
        ]}
        style={{ marginBottom: 12 }}
      />
      <Form form={form} layout="vertical" onFinish={submit}>
        {mode === 'agent' ? (
          <Form.Item
            name="agentId"
            label={t('agent')}
            validateStatus={errors.agentId ? 'error' : undefined}
            help={errors.agentId}
          >
            <Select
              showSearch
              optionFilterProp="label"
              options={(directory.data?.agents ?? []).map((a) => ({
                value: a.id,
                label: `${a.name} · ${t(a.availability)}`,
              }))}
            />
          </Form.Item>
        ) : (
          <Form.Item
            name="team"
            label={t('team')}
            validateStatus={errors.team ? 'error' : undefined}
            help={errors.team}
          >
            <Select
              options={(directory.data?.teams ?? []).map((x) => ({
                value: x.id,
                label: lang === 'zh' ? x.name : x.nameEn,
              }))}
            />
          </Form.Item>
        )}
        <Form.Item
          name="reason"
          label={t('reason')}
          validateStatus={errors.reason ? 'error' : undefined}
          help={errors.reason}
        >
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
