import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Collapse,
  Form,
  Input,
  Modal,
  Radio,
  Select,
  Space,
  Steps,
  Switch,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { ApiError, type Approval, type Ticket } from '../api.ts';
import { useApp, useDirectory } from '../app-context.ts';
import { useNow } from '../clock.ts';
import { useI18n } from '../i18n.tsx';
import { hasRole } from '../session.ts';

type Translate = ReturnType<typeof useI18n>;

/** "2 小时 5 分钟" / "2 h 5 min": how long someone has been waited on. */
export function waited(ms: number, { format }: Pick<Translate, 'format'>): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (minutes < 1) return format('dur_lt1m', {});
  const parts = [
    days ? format('dur_d', { n: days }) : '',
    hours ? format('dur_h', { n: hours }) : '',
    !days && (rest || !hours) ? format('dur_m', { n: rest }) : '',
  ];
  return parts.filter(Boolean).join(' ');
}

/** A refusal in the reader's language, by its code (the API's English message otherwise). */
export function approvalError(error: unknown, { t, format }: Pick<Translate, 't' | 'format'>): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  if (error.code === 'APPROVAL.NUDGE_TOO_SOON') {
    const seconds = Number(error.details.retryAfterSeconds ?? 60);
    return format('appr_nudgeTooSoon', { minutes: Math.max(1, Math.ceil(seconds / 60)) });
  }
  const key = `appr_err_${error.code}`;
  const text = t(key);
  return text === key ? error.message : text;
}

const statusColor = { pending: 'processing', approved: 'success', rejected: 'error' } as const;
const approverColor: Record<string, string> = {
  pending: 'processing',
  approved: 'success',
  rejected: 'error',
  not_needed: 'default',
  replaced: 'default',
};
const stepStatus = { waiting: 'wait', pending: 'process', approved: 'finish', rejected: 'error' } as const;
const active = ['new', 'open', 'pending'];

interface RequestForm {
  reason: string;
  approvers: string[];
  mode: 'all' | 'any';
  second: boolean;
  approvers2?: string[];
  mode2?: 'all' | 'any';
}

/**
 * The approvals (审批) of a ticket: each approval's stages (who is pending and for how long, who decided
 * what, with comments), its decision trail (time, person, IP, user agent), approve/reject for the
 * signed-in user when they are a pending approver, nudge with its count for the requester and
 * supervisors, and "request approval" (approvers from the directory, mode, reason, an optional second
 * stage). Each change answers with the ticket, which replaces the one on screen (its version moved).
 */
export function ApprovalsPanel({ ticket }: { ticket: Ticket }) {
  const { api, session } = useApp();
  const i18n = useI18n();
  const { t, format } = i18n;
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const directory = useDirectory();
  const now = useNow(10_000);
  const [requesting, setRequesting] = useState(false);
  const [deciding, setDeciding] = useState<{ approval: Approval; decision: 'approve' | 'reject' } | null>(
    null,
  );
  const [busy, setBusy] = useState(false);
  const me = session?.user.id ?? '';
  const staff = hasRole(session, 'agent', 'supervisor', 'admin');

  const approvals = useQuery({
    queryKey: ['approvals', ticket.id],
    queryFn: () => api.get<{ items: Approval[] }>(`/tickets/${ticket.id}/approvals`).then((r) => r.items),
    refetchInterval: 10_000,
  });

  const agentName = (id: string) => directory.data?.agents.find((a) => a.id === id)?.name ?? id;

  /** Runs a change; its answer's ticket replaces the one on screen, so the next action has its version. */
  const act = async (run: () => Promise<{ body: { ticket?: Partial<Ticket> } }>, done: string) => {
    setBusy(true);
    try {
      const { body } = await run();
      if (body.ticket) {
        const changed = body.ticket;
        queryClient.setQueriesData<Ticket>({ queryKey: ['ticket'] }, (old) =>
          old && old.id === changed.id ? { ...old, ...changed, sla: old.sla } : old,
        );
      }
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['approvals'] }),
        queryClient.invalidateQueries({ queryKey: ['history', ticket.id] }),
      ]);
      message.success(done);
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 429) message.warning(approvalError(error, i18n));
      else message.error(approvalError(error, i18n));
      await queryClient.invalidateQueries({ queryKey: ['approvals', ticket.id] });
      return false;
    } finally {
      setBusy(false);
    }
  };

  const items = approvals.data ?? [];
  const pendingOne = items.find((a) => a.status === 'pending');
  const canRequest = staff && active.includes(ticket.status);

  return (
    <Card
      title={t('appr_title')}
      data-testid="approvals"
      extra={
        canRequest && (
          <Button size="small" onClick={() => setRequesting(true)}>
            {t('appr_request')}
          </Button>
        )
      }
    >
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        {pendingOne && active.includes(ticket.status) && (
          <Alert type="info" showIcon message={t('appr_gateHint')} />
        )}
        {!items.length && !approvals.isLoading && (
          <Typography.Text type="secondary">{t('appr_none')}</Typography.Text>
        )}
        {[...items].reverse().map((a) => (
          <ApprovalView
            key={a.id}
            approval={a}
            me={me}
            now={now}
            busy={busy}
            mayNudge={a.requestedBy.id === me || hasRole(session, 'supervisor', 'admin')}
            agentName={agentName}
            onDecide={(decision) => setDeciding({ approval: a, decision })}
            onNudge={() =>
              act(
                () =>
                  api
                    .send<{ ticket: Ticket; reminded: string[] }>('POST', `/approvals/${a.id}/nudge`)
                    .then((r) => {
                      message.info(
                        format('appr_nudged', { names: r.body.reminded.map(agentName).join('、') }),
                      );
                      return r;
                    }),
                t('appr_nudge'),
              )
            }
          />
        ))}
      </Space>
      <RequestModal
        open={requesting}
        ticket={ticket}
        me={me}
        onClose={() => setRequesting(false)}
        submit={async (body) => {
          try {
            const r = await api.send<{ ticket: Ticket }>('POST', `/tickets/${ticket.id}/approvals`, body);
            queryClient.setQueriesData<Ticket>({ queryKey: ['ticket'] }, (old) =>
              old && old.id === r.body.ticket.id ? { ...old, ...r.body.ticket, sla: old.sla } : old,
            );
            await Promise.all([
              queryClient.invalidateQueries({ queryKey: ['approvals'] }),
              queryClient.invalidateQueries({ queryKey: ['history', ticket.id] }),
            ]);
            message.success(t('appr_requested'));
            setRequesting(false);
            return null;
          } catch (error) {
            if (error instanceof ApiError && error.fields.length) return error;
            message.error(approvalError(error, i18n));
            return null;
          }
        }}
      />
      <Modal
        open={!!deciding}
        title={deciding ? t(deciding.decision === 'approve' ? 'appr_approve' : 'appr_reject') : ''}
        okText={deciding ? t(deciding.decision === 'approve' ? 'appr_approve' : 'appr_reject') : ''}
        okButtonProps={{
          danger: deciding?.decision === 'reject',
          loading: busy,
          htmlType: 'submit',
          form: 'decide',
        }}
        cancelText={t('cancel')}
        onCancel={() => setDeciding(null)}
        destroyOnHidden
      >
        {deciding && (
          <Form
            id="decide"
            layout="vertical"
            onFinish={async ({ comment }: { comment?: string }) => {
              const ok = await act(
                () =>
                  api.send<{ ticket: Ticket }>('POST', `/approvals/${deciding.approval.id}/decision`, {
                    decision: deciding.decision,
                    ...(comment?.trim() ? { comment: comment.trim() } : {}),
                  }),
                t(deciding.decision === 'approve' ? 'appr_approvedByMe' : 'appr_rejectedByMe'),
              );
              if (ok) setDeciding(null);
            }}
          >
            <Typography.Paragraph>{deciding.approval.reason}</Typography.Paragraph>
            <Form.Item name="comment" label={t('appr_comment')}>
              <Input.TextArea rows={3} maxLength={2000} />
            </Form.Item>
          </Form>
        )}
      </Modal>
    </Card>
  );
}

function ApprovalView({
  approval: a,
  me,
  now,
  busy,
  mayNudge,
  agentName,
  onDecide,
  onNudge,
}: {
  approval: Approval;
  me: string;
  now: number;
  busy: boolean;
  mayNudge: boolean;
  agentName: (id: string) => string;
  onDecide: (decision: 'approve' | 'reject') => void;
  onNudge: () => void;
}) {
  const i18n = useI18n();
  const { t, format } = i18n;
  const current = a.stages[a.currentStage];
  const mine =
    a.status === 'pending' && current?.approvers.some((x) => x.agentId === me && x.status === 'pending');
  const time = (iso: string) => new Date(iso).toLocaleString();
  return (
    <div
      data-approval={a.id}
      data-status={a.status}
      style={{ border: '1px solid #f0f0f0', borderRadius: 8, padding: 12 }}
    >
      <Space direction="vertical" size={8} style={{ width: '100%' }}>
        <Space wrap size={6}>
          <Tag color={statusColor[a.status]}>{t(`appr_status_${a.status}`)}</Tag>
          {mine && <Tag color="orange">{t('appr_youArePending')}</Tag>}
          <Typography.Text strong>{a.reason}</Typography.Text>
        </Space>
        <Typography.Text type="secondary">
          {format('appr_requestedBy', {
            name: a.requestedBy.name ?? a.requestedBy.id,
            time: time(a.requestedAt),
          })}
          {a.nudges.count > 0 ? ` · ${format('appr_nudgeCount', { n: a.nudges.count })}` : ''}
        </Typography.Text>
        <Steps
          size="small"
          current={a.currentStage}
          items={a.stages.map((s, i) => ({
            title: format('appr_stage', { n: i + 1 }),
            description: t(`appr_mode_${s.mode}`),
            status: stepStatus[s.status],
          }))}
        />
        {a.stages.map((s, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a stage is its position; stages never move
          <div key={i} data-stage={i}>
            <Typography.Text type="secondary">
              {format('appr_stage', { n: i + 1 })} · {t(`appr_mode_${s.mode}`)}
              {s.status === 'waiting' ? ` · ${t('appr_stage_waiting')}` : ''}
            </Typography.Text>
            <ul style={{ margin: '4px 0 0', paddingInlineStart: 20 }}>
              {s.approvers.map((x) => (
                <li
                  key={`${x.agentId}-${x.status}`}
                  data-approver={x.agentId}
                  data-approver-status={x.status}
                >
                  <Space wrap size={6}>
                    <span>{x.name ?? agentName(x.agentId)}</span>
                    {s.status === 'waiting' ? (
                      <Tag>{t('appr_stage_waiting')}</Tag>
                    ) : (
                      <Tag color={approverColor[x.status]}>{t(`appr_approver_${x.status}`)}</Tag>
                    )}
                    {x.status === 'pending' && s.status === 'pending' && x.since && (
                      <Typography.Text strong>
                        {format('appr_waiting', { time: waited(now - Date.parse(x.since), i18n) })}
                      </Typography.Text>
                    )}
                    {(x.status === 'approved' || x.status === 'rejected') && x.decidedAt && (
                      <Typography.Text type="secondary">{time(x.decidedAt)}</Typography.Text>
                    )}
                    {x.status === 'replaced' && x.replacedBy && (
                      <Typography.Text type="secondary">→ {agentName(x.replacedBy)}</Typography.Text>
                    )}
                  </Space>
                  {x.comment && (
                    <Typography.Paragraph style={{ margin: 0 }} type="secondary">
                      “{x.comment}”
                    </Typography.Paragraph>
                  )}
                </li>
              ))}
            </ul>
          </div>
        ))}
        {a.decisions.length > 0 && (
          <Collapse
            size="small"
            items={[
              {
                key: 'trail',
                label: `${t('appr_trail')} (${a.decisions.length})`,
                children: (
                  <ul style={{ margin: 0, paddingInlineStart: 20 }}>
                    {a.decisions.map((d) => (
                      <li key={d.id}>
                        {time(d.at)} · {d.actor.name ?? agentName(d.approver)} · {t(`appr_${d.decision}`)} ·{' '}
                        {t(`appr_via_${d.via}`)}
                        <br />
                        <Typography.Text type="secondary" style={{ fontSize: 12, wordBreak: 'break-all' }}>
                          IP {d.sourceIp ?? '—'} · {d.userAgent ?? '—'}
                        </Typography.Text>
                      </li>
                    ))}
                  </ul>
                ),
              },
            ]}
          />
        )}
        {a.status === 'pending' && (mine || mayNudge) && (
          <Space wrap>
            {mine && (
              <>
                <Button type="primary" disabled={busy} onClick={() => onDecide('approve')}>
                  {t('appr_approve')}
                </Button>
                <Button danger disabled={busy} onClick={() => onDecide('reject')}>
                  {t('appr_reject')}
                </Button>
              </>
            )}
            {mayNudge && (
              <Button disabled={busy} onClick={onNudge} data-action="nudge">
                {t('appr_nudge')}
                {a.nudges.count > 0 ? ` (${a.nudges.count})` : ''}
              </Button>
            )}
          </Space>
        )}
      </Space>
    </div>
  );
}

/** Which form field an API field path belongs to (`stages.1.approvers.0` → the second stage's approvers). */
const formField = (path: string): keyof RequestForm => {
  if (path === 'reason') return 'reason';
  if (path.startsWith('stages.1')) return 'approvers2';
  if (path === 'mode') return 'mode';
  return 'approvers';
};

function RequestModal({
  open,
  ticket,
  me,
  onClose,
  submit,
}: {
  open: boolean;
  ticket: Ticket;
  me: string;
  onClose: () => void;
  submit: (body: Record<string, unknown>) => Promise<ApiError | null>;
}) {
  const { t } = useI18n();
  const directory = useDirectory();
  const [form] = Form.useForm<RequestForm>();
  const second = Form.useWatch('second', form);
  const [sending, setSending] = useState(false);
  const options = (directory.data?.agents ?? [])
    .filter((a) => a.id !== me)
    .map((a) => ({ value: a.id, label: a.name }));

  const finish = async (v: RequestForm) => {
    setSending(true);
    const body = v.second
      ? {
          reason: v.reason,
          stages: [
            { approvers: v.approvers, mode: v.mode },
            { approvers: v.approvers2 ?? [], mode: v.mode2 ?? 'all' },
          ],
        }
      : { reason: v.reason, approvers: v.approvers, mode: v.mode };
    const error = await submit(body);
    setSending(false);
    if (error) {
      const byField = new Map<keyof RequestForm, string[]>();
      for (const f of error.fields)
        byField.set(formField(f.path), [...(byField.get(formField(f.path)) ?? []), f.message]);
      form.setFields([...byField].map(([name, errors]) => ({ name, errors })));
    } else {
      form.resetFields();
    }
  };

  return (
    <Modal
      open={open}
      title={`${t('appr_request')} · ${ticket.number}`}
      okText={t('appr_submit')}
      cancelText={t('cancel')}
      okButtonProps={{ htmlType: 'submit', form: 'request-approval', loading: sending }}
      onCancel={onClose}
      forceRender
    >
      <Form
        id="request-approval"
        form={form}
        layout="vertical"
        initialValues={{ mode: 'all', mode2: 'all', second: false, approvers: [] }}
        onFinish={finish}
      >
        <Form.Item
          name="reason"
          label={t('appr_reason')}
          rules={[{ required: true, message: t('appr_required') }]}
        >
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <Form.Item
          name="approvers"
          label={t('appr_approvers')}
          rules={[{ required: true, message: t('appr_required') }]}
        >
          <Select
            mode="multiple"
            options={options}
            optionFilterProp="label"
            aria-label={t('appr_approvers')}
          />
        </Form.Item>
        <Form.Item name="mode" label={t('appr_mode')}>
          <Radio.Group
            options={[
              { value: 'all', label: t('appr_mode_all') },
              { value: 'any', label: t('appr_mode_any') },
            ]}
          />
        </Form.Item>
        <Form.Item name="second" label={t('appr_addStage')} valuePropName="checked">
          <Switch aria-label={t('appr_addStage')} />
        </Form.Item>
        {second && (
          <>
            <Form.Item
              name="approvers2"
              label={t('appr_stage2')}
              rules={[{ required: true, message: t('appr_required') }]}
            >
              <Select
                mode="multiple"
                options={options}
                optionFilterProp="label"
                aria-label={t('appr_stage2')}
              />
            </Form.Item>
            <Form.Item name="mode2" label={t('appr_mode')}>
              <Radio.Group
                options={[
                  { value: 'all', label: t('appr_mode_all') },
                  { value: 'any', label: t('appr_mode_any') },
                ]}
              />
            </Form.Item>
          </>
        )}
      </Form>
    </Modal>
  );
}

/** An approval's line in the ticket's history (`approval.*` audit events), in the reader's language. */
export function approvalHistoryText(
  e: { type: string; data?: Record<string, unknown> },
  { t, format }: Pick<Translate, 't' | 'format'>,
  agentName: (id: string | null) => string,
): string | null {
  const d = e.data ?? {};
  const names = (ids: unknown) =>
    Array.isArray(ids) ? ids.map((id) => agentName(String(id))).join('、') : '';
  switch (e.type) {
    case 'approval.requested': {
      const stages = (d.stages as { mode: string; approvers: string[] }[] | undefined) ?? [];
      const plan = stages
        .map((s, i) =>
          format('appr_histStage', { n: i + 1, names: names(s.approvers), mode: t(`appr_mode_${s.mode}`) }),
        )
        .join(' → ');
      return `${String(d.reason ?? '')} · ${plan}`;
    }
    case 'approval.decided': {
      const comment = d.comment ? ` · “${String(d.comment)}”` : '';
      const outcome =
        d.outcome && d.outcome !== 'pending' ? ` → ${t(`appr_status_${String(d.outcome)}`)}` : '';
      return `${t(`appr_${String(d.decision)}`)}${comment}${outcome}`;
    }
    case 'approval.nudged':
      return format('appr_nudged', { names: names(d.approvers) });
    case 'approval.delegated':
      return `${agentName(String(d.from))} → ${agentName(String(d.to))}`;
    default:
      return null;
  }
}
