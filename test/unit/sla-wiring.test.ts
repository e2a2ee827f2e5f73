import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '#shared/domain/audit/audit-event.ts';
import { alwaysOpenCalendar } from '#shared/domain/sla/calendar.ts';
import type { ContactDirectory } from '#shared/domain/sla/contacts.ts';
import {
  formatDuration,
  renderSlaMessage,
  type SlaMessageContext,
} from '#shared/domain/sla/notification-templates.ts';
import { defaultSlaPolicies } from '#shared/domain/sla/policy.ts';
import type { SlaAction, SlaTicket, TimelineEntry } from '#shared/domain/sla/sla-clock.ts';
import { sentKeysOf, slaStateOf, slaTicketOf, timelineOf } from '#shared/domain/sla/ticket-mapping.ts';
import { evaluateCheckpoint, type SlaTimerDeps } from '#shared/domain/sla/timer-steps.ts';
import type { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import { deliveriesFor } from '#shared/use-cases/sla-recipients.ts';

const t0 = Date.parse('2026-06-08T01:00:00Z');
const at = (m: number) => new Date(t0 + m * 60_000).toISOString();

let seq = 0;
const audit = (
  type: AuditEvent['type'],
  m: number,
  role: string,
  data: Record<string, unknown> = {},
): AuditEvent => ({
  id: `e${++seq}`,
  ticketId: 'T1',
  type,
  at: at(m),
  actor: { id: `${role}-1`, role: role as AuditEvent['actor']['role'] },
  channel: 'api',
  version: seq,
  data,
});

describe('timelineOf()', () => {
  it('maps the audit trail to the clock events the SLA core replays', () => {
    // Prepare
    const history = [
      audit('created', 0, 'agent'),
      audit('viewed', 1, 'supervisor'),
      audit('noted', 2, 'agent', { public: false }),
      audit('replied', 5, 'agent', { public: true }),
      audit('transitioned', 6, 'agent', { from: 'new', to: 'open' }),
      audit('transitioned', 10, 'agent', { from: 'open', to: 'pending' }),
      audit('replied', 30, 'customer', { public: true }),
      audit('transitioned', 30, 'customer', { from: 'pending', to: 'open', action: 'resume' }),
      audit('sla.warning', 40, 'admin', { slaKey: 'nextResponse#1:warning:75' }),
      audit('transitioned', 50, 'agent', { from: 'open', to: 'resolved' }),
      audit('reopened', 60, 'customer', { from: 'resolved', to: 'open' }),
      audit('transitioned', 90, 'supervisor', { from: 'resolved', to: 'closed' }),
    ];

    // Act
    const timeline = timelineOf(history);

    // Assess
    expect(timeline).toEqual<TimelineEntry[]>([
      { type: 'created', at: at(0) },
      { type: 'staff_replied', at: at(2), public: false },
      { type: 'staff_replied', at: at(5), public: true },
      { type: 'pending', at: at(10) },
      { type: 'customer_replied', at: at(30) },
      { type: 'resumed', at: at(30) },
      { type: 'resolved', at: at(50) },
      { type: 'reopened', at: at(60) },
      { type: 'closed', at: at(90) },
    ]);
  });

  it('treats a reply by an integration like a customer reply, as addReply does', () => {
    expect(timelineOf([audit('replied', 3, 'integration', { public: true })])).toEqual([
      { type: 'customer_replied', at: at(3) },
    ]);
  });

  it('puts a reopen before the same-instant reply that caused it, whatever order the trail has', () => {
    const history = [
      audit('replied', 70, 'customer'),
      audit('reopened', 70, 'customer'),
      audit('created', 0, 'agent'),
    ];
    expect(timelineOf(history).map((e) => e.type)).toEqual(['created', 'reopened', 'customer_replied']);
  });
});

describe('sentKeysOf()', () => {
  it('reads the timer ledger from the action keys recorded in history', () => {
    const history = [
      audit('created', 0, 'agent'),
      audit('sla.breached', 30, 'admin', { slaKey: 'firstResponse#1:breach' }),
      audit('escalated', 30, 'admin', { slaKey: 'firstResponse#1:escalation:1' }),
      audit('escalated', 31, 'supervisor', { reason: 'by hand, no key' }),
    ];
    expect(sentKeysOf(history)).toEqual(['firstResponse#1:breach', 'firstResponse#1:escalation:1']);
  });
});

describe('slaTicketOf() and slaStateOf()', () => {
  it("takes the customer's tier as the ticket's tier", () => {
    const ticket = {
      id: 'T1',
      priority: 'high',
      customer: { email: 'v@example.com', tier: 'vip' },
      category: null,
      team: 'desk',
      assignee: null,
      status: 'open',
    } as unknown as Ticket;
    expect(slaTicketOf(ticket)).toEqual<SlaTicket>({
      id: 'T1',
      priority: 'high',
      tier: 'vip',
      category: null,
      team: 'desk',
      assignee: null,
      status: 'open',
    });
  });

  it('leaves a ticket no policy applies to without deadlines, keeping its timer version', () => {
    expect(slaStateOf(null, 3)).toMatchObject({
      policy: null,
      firstResponseDueAt: null,
      resolutionDueAt: null,
      breached: [],
      targets: [],
      timerVersion: 3,
    });
  });
});

describe('renderSlaMessage()', () => {
  const context: SlaMessageContext = {
    kind: 'warning',
    ticket: { number: 'GD-000123', subject: '空调不制冷', priority: 'urgent', status: 'open' },
    target: 'firstResponse',
    dueAt: '2026-06-08T01:30:00Z',
    minutes: 7.4,
    percent: 75,
    link: 'https://desk.example.com/tickets/T1',
    timeZone: 'Asia/Shanghai',
  };

  it('writes a Chinese warning with the ticket, the target, the time left, the due time and a link', () => {
    const { subject, body } = renderSlaMessage(context, 'zh', 'email');
    expect(subject).toBe('【SLA 预警】GD-000123 首次响应还剩 7 分钟');
    expect(body).toContain(
      '工单 GD-000123「空调不制冷」的首次响应将于 2026-06-08 09:30 (Asia/Shanghai) 到期',
    );
    expect(body).toContain('（已用 75%）');
    expect(body).toContain('优先级：紧急 · 状态：处理中');
    expect(body).toContain('查看工单：https://desk.example.com/tickets/T1');
  });

  it('writes an English escalation with the level and how long it is overdue', () => {
    const { subject, body } = renderSlaMessage(
      { ...context, kind: 'escalation', level: 2, minutes: 95, target: 'resolution' },
      'en',
      'email',
    );
    expect(subject).toBe('[SLA escalation L2] GD-000123: resolution overdue by 1 h 35 min');
    expect(body).toContain('was due at 2026-06-08 09:30 (Asia/Shanghai) and is 1 h 35 min overdue');
    expect(body).toContain('Open the ticket: https://desk.example.com/tickets/T1');
  });

  it('keeps SMS to one line with no subject, still naming ticket, target, time and link', () => {
    const zh = renderSlaMessage({ ...context, kind: 'escalation', level: 1, minutes: 5 }, 'zh', 'sms');
    const en = renderSlaMessage(context, 'en', 'sms');
    expect(zh).toEqual({
      subject: '',
      body: '【工单 SLA 升级 L1】GD-000123 首次响应已超时 5 分钟，请立即处理：https://desk.example.com/tickets/T1',
    });
    expect(en.body).toBe(
      'Gongdan SLA warning: GD-000123 first response due in 7 min. https://desk.example.com/tickets/T1',
    );
    expect(zh.body).not.toContain('\n');
  });

  it('formats durations in days, hours and minutes, never as zero', () => {
    expect(formatDuration(0.2, 'zh')).toBe('1 分钟');
    expect(formatDuration(-61, 'en')).toBe('1 h 1 min');
    expect(formatDuration(60 * 27 + 5, 'zh')).toBe('1 天 3 小时');
    expect(formatDuration(120, 'en')).toBe('2 h');
  });
});

describe('deliveriesFor()', () => {
  const directory: ContactDirectory = {
    agent: async (id) =>
      ({
        a1: { email: 'a1@x.cn', phone: '+8613800000011', locale: 'zh' as const },
        sup: { email: 'sup@x.cn', locale: 'en' as const },
      })[id] ?? null,
    team: async (id) =>
      id === 'desk'
        ? { supervisor: 'sup', escalation: { email: 'duty@x.cn', phone: '+8613800000099', locale: 'zh' } }
        : null,
    defaultTeam: async () => 'desk',
    onCall: async () => null,
  };

  it("resolves roles to people's addresses in their language, falling back to e-mail when a channel is missing", async () => {
    // Act
    const { deliveries, unreachable } = await deliveriesFor(
      [
        { role: 'assignee', channel: 'sms', agentId: 'a1' },
        { role: 'team_supervisor', channel: 'sms', team: 'desk' },
        { role: 'manager', channel: 'sms', team: null },
        { role: 'on_call', channel: 'email', team: 'desk' },
        { address: 'https://hooks.slack.com/services/A/B/C', channel: 'chat' },
        { role: 'assignee', channel: 'email', agentId: 'ghost' },
      ],
      directory,
    );

    // Assess
    expect(deliveries).toEqual([
      { channel: 'sms', to: '+8613800000011', locale: 'zh', who: 'assignee:a1' },
      { channel: 'email', to: 'sup@x.cn', locale: 'en', who: 'team_supervisor:desk' },
      { channel: 'sms', to: '+8613800000099', locale: 'zh', who: 'manager:desk' },
      { channel: 'email', to: 'duty@x.cn', locale: 'zh', who: 'on_call:desk' },
      { channel: 'chat', to: 'https://hooks.slack.com/services/A/B/C', locale: 'en', who: 'address' },
    ]);
    expect(unreachable).toEqual(['assignee:ghost']);
  });

  it('sends once to an address that two roles share', async () => {
    const { deliveries } = await deliveriesFor(
      [
        { role: 'manager', channel: 'email', team: 'desk' },
        { role: 'on_call', channel: 'email', team: 'desk' },
      ],
      directory,
    );
    expect(deliveries).toHaveLength(1);
  });
});

describe('evaluateCheckpoint() when the actions move the deadlines', () => {
  it('computes the next checkpoint from the ticket as the sink left it', async () => {
    // Prepare: a `normal` ticket breached; the sink raises it to urgent and says so
    const ticket: SlaTicket = {
      id: 'T1',
      priority: 'normal',
      tier: 'standard',
      category: null,
      team: 'desk',
      assignee: null,
      status: 'open',
    };
    const sent: string[] = [];
    const policies = defaultSlaPolicies.map((p) =>
      p.id === 'normal' ? { ...p, calendarId: '24x7', targets: { firstResponse: { minutes: 60 } } } : p,
    );
    const deps: SlaTimerDeps = {
      clock: { now: () => new Date(t0 + 61 * 60_000) },
      subjects: {
        load: async () => ({
          ticket: { ...ticket },
          timeline: [{ type: 'created', at: at(0) }],
          timerVersion: 1,
          sent,
        }),
      },
      config: { load: async () => ({ policies, calendars: [alwaysOpenCalendar] }) },
      actions: {
        apply: async (_id, actions: readonly SlaAction[]) => {
          sent.push(...actions.map((a) => a.key));
          ticket.priority = 'urgent';
          return { reload: true };
        },
      },
    };

    // Act
    const step = await evaluateCheckpoint({ ticketId: 'T1', version: 1 }, deps);

    // Assess: urgent's L2 (30 minutes after its 30-minute deadline) is due at once; normal has no L2
    expect(step).toMatchObject({ done: false, actions: 2, checkpointAt: at(60) });
  });
});
