import { describe, expect, it } from 'vitest';
import type { Actor } from '#shared/domain/actor.ts';
import { eventColumns, factColumns } from '#shared/domain/analytics/lake-records.ts';
import {
  calendarBuckets,
  eventRowsOf,
  factRowOf,
  lakeLine,
  lakeRowsOf,
} from '#shared/domain/analytics/lake-rows.ts';
import { type AuditEvent, auditEvent } from '#shared/domain/audit/audit-event.ts';
import { defaultCalendars } from '#shared/domain/sla/calendar.ts';
import { openTicket, type Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import type { TicketSnapshot } from '#shared/domain/ticket/ticket-change.ts';

const calendars = defaultCalendars;
const agent: Actor = { id: 'desk-1', roles: ['agent'], channel: 'web' };
const customer: Actor = { id: 'c@example.com', roles: ['customer'], channel: 'email' };
const system: Actor = { id: 'system', roles: ['admin'], channel: 'api' };

/** Friday 2026-12-04 17:00 in Beijing (09:00 UTC): one office hour left that day. */
const created = new Date('2026-12-04T09:00:00Z');

function ticketWith(patch: Partial<Ticket> = {}): Ticket {
  const base = openTicket(
    {
      subject: '空调不制冷',
      description: '',
      priority: 'high',
      category: 'repair',
      tags: [],
      customFields: {},
      customer: { email: 'c@example.com', tier: 'vip' },
      team: 'field',
    },
    { id: 'T1', number: 7 },
    agent,
    created,
  );
  return { ...base, intent: 'repair', assignee: 'desk-1', ...patch };
}

const changed = (patch: Partial<TicketSnapshot> = {}): TicketSnapshot => ({
  status: 'new',
  priority: 'high',
  team: 'field',
  assignee: 'desk-1',
  channel: 'web',
  parentId: null,
  version: 1,
  ...patch,
});

const event = (
  type: AuditEvent['type'],
  actor: Actor,
  version: number,
  data: Record<string, unknown> = {},
  at = '2026-12-07T02:00:00Z',
): AuditEvent => auditEvent(`E-${type}-${version}`, 'T1', type, actor, new Date(at), version, data);

describe('lake rows', () => {
  describe('factRowOf()', () => {
    it('has exactly the columns of ticket_facts', () => {
      const row = factRowOf(ticketWith(), calendars);
      expect(Object.keys(row).sort()).toEqual(factColumns.map(([c]) => c).sort());
    });

    it('measures first response and resolution in wall and business seconds on the ticket calendar', () => {
      // Prepare: answered Monday 10:00 Beijing, resolved Monday 14:00 (after the lunch hour)
      const ticket = ticketWith({
        status: 'resolved',
        version: 4,
        sla: {
          policy: 'p',
          firstResponseDueAt: null,
          resolutionDueAt: null,
          breached: [],
          paused: false,
          calendar: 'cn-office',
        },
        firstRespondedAt: '2026-12-07T02:00:00Z',
        resolvedAt: '2026-12-07T06:00:00Z',
        updatedAt: '2026-12-07T06:00:00Z',
      });

      // Act
      const row = factRowOf(ticket, calendars);

      // Assess: Friday 17–18 and Monday 9–10 are two office hours; resolution adds 10–12 and 13–14
      expect(row.first_response_wall_s).toBe(65 * 3600);
      expect(row.first_response_business_s).toBe(2 * 3600);
      expect(row.resolution_wall_s).toBe(69 * 3600);
      expect(row.resolution_business_s).toBe(5 * 3600);
      expect(row).toMatchObject({
        version: 4,
        at_ms: Date.parse('2026-12-07T06:00:00Z'),
        first_response_ms: Date.parse('2026-12-07T02:00:00Z'),
        resolved_ms: Date.parse('2026-12-07T06:00:00Z'),
        closed_ms: null,
        status: 'resolved',
        team: 'field',
        agent: 'desk-1',
        tier: 'vip',
        category: 'repair',
        intent: 'repair',
        dt: '2026-12-07',
      });
    });

    it('uses the default office calendar when the ticket has none, and 24×7 time on a 24×7 calendar', () => {
      const answered = { firstRespondedAt: '2026-12-07T02:00:00Z' };
      const none = factRowOf(ticketWith(answered), calendars);
      const always = factRowOf(
        ticketWith({
          ...answered,
          sla: {
            policy: 'p',
            firstResponseDueAt: null,
            resolutionDueAt: null,
            breached: [],
            paused: false,
            calendar: '24x7',
          },
        }),
        calendars,
      );
      expect(none.first_response_business_s).toBe(2 * 3600);
      expect(always.first_response_business_s).toBe(65 * 3600);
      // A 24×7 calendar's zone (UTC) says nothing about the desk: the days stay Beijing's
      expect(always.created_day).toBe(none.created_day);
      expect(none.resolution_wall_s).toBeNull();
      expect(none.resolution_business_s).toBeNull();
    });

    it('buckets the creation day, ISO week and month in the business zone, and partitions by the UTC day', () => {
      // 2026-12-06 17:30 UTC is Monday 2026-12-07 01:30 in Beijing (ISO week 50)
      const ticket = ticketWith({ createdAt: '2026-12-06T17:30:00Z', updatedAt: '2026-12-06T17:30:00Z' });
      const row = factRowOf(ticket, calendars);
      expect(row).toMatchObject({
        created_day: '2026-12-07',
        created_week: '2026-W50',
        created_month: '2026-12',
        dt: '2026-12-06',
      });
      // The ISO week-year differs from the calendar year around New Year
      expect(calendarBuckets(Date.parse('2027-01-01T04:00:00Z'), 'Asia/Shanghai').week).toBe('2026-W53');
    });

    it('reports each SLA target as breached once any of its cycles was, else its latest state', () => {
      const target = (
        t: 'firstResponse' | 'resolution',
        cycle: number,
        state: 'met' | 'breached' | 'running',
      ) => ({
        target: t,
        cycle,
        state,
        targetMinutes: 60,
        startedAt: created.toISOString(),
        dueAt: null,
        remainingMinutes: 0,
        stoppedAt: null,
        breachedAt: null,
      });
      const ticket = ticketWith({
        sla: {
          policy: 'p',
          firstResponseDueAt: null,
          resolutionDueAt: null,
          breached: [],
          paused: false,
          calendar: 'cn-office',
          targets: [target('firstResponse', 1, 'met'), target('resolution', 2, 'met')],
          breaches: [{ target: 'resolution', cycle: 1, at: '2026-12-05T00:00:00Z' }],
        },
      });
      const row = factRowOf(ticket, calendars);
      expect(row.sla_first_response).toBe('met');
      expect(row.sla_resolution).toBe('breached');
      expect(factRowOf(ticketWith(), calendars).sla_resolution).toBeNull();
    });

    it('takes the customer rating as csat, and product, model and region when the ticket has them', () => {
      const rated = ticketWith({
        feedback: {
          links: [],
          rating: {
            score: 4,
            comment: '',
            at: '2026-12-08T00:00:00Z',
            assignee: 'desk-1',
            team: 'field',
            category: null,
          },
        },
      });
      const placed = {
        ...rated,
        product: { line: '空调', model: 'KFR-35GW' },
        region: '北京市/朝阳区',
      } as Ticket;
      expect(factRowOf(rated, calendars).csat).toBe(4);
      expect(factRowOf(placed, calendars)).toMatchObject({
        product: '空调',
        model: 'KFR-35GW',
        region: '北京市/朝阳区',
      });
      const bare = { ...ticketWith(), product: null, region: null } as Ticket;
      expect(factRowOf(bare, calendars)).toMatchObject({
        product: null,
        model: null,
        region: null,
        csat: null,
      });
    });
  });

  describe('eventRowsOf()', () => {
    it('has exactly the columns of ticket_events', () => {
      const [row] = eventRowsOf([event('created', agent, 1)], changed());
      expect(Object.keys(row!).sort()).toEqual(eventColumns.map(([c]) => c).sort());
    });

    it('gives created its first status and team from the change, and imported the status it had reached', () => {
      const rows = eventRowsOf(
        [
          event('created', agent, 1, { number: 'GD-000007' }, '2026-12-04T09:00:00Z'),
          event('imported', system, 1, { status: 'resolved' }, '2026-01-02T03:00:00Z'),
        ],
        changed({ status: 'open', team: 'desk' }),
      );
      expect(rows[0]).toMatchObject({
        event_id: 'E-created-1',
        ticket_id: 'T1',
        version: 1,
        type: 'created',
        actor_id: 'desk-1',
        actor_role: 'agent',
        channel: 'web',
        from_status: null,
        to_status: 'open',
        from_team: null,
        to_team: 'desk',
        agent: 'desk-1',
        public: null,
        at_ms: Date.parse('2026-12-04T09:00:00Z'),
        dt: '2026-12-04',
      });
      expect(rows[1]).toMatchObject({
        type: 'imported',
        to_status: 'resolved',
        to_team: 'desk',
        dt: '2026-01-02',
      });
    });

    it('records status moves of transitions and reopens', () => {
      const rows = eventRowsOf(
        [
          event('transitioned', agent, 3, { from: 'open', to: 'resolved', action: 'resolve' }),
          event('reopened', customer, 4, { from: 'resolved', to: 'open', action: 'reopen' }),
        ],
        changed({ status: 'open' }),
      );
      expect(rows.map((r) => [r.type, r.from_status, r.to_status, r.actor_role])).toEqual([
        ['transitioned', 'open', 'resolved', 'agent'],
        ['reopened', 'resolved', 'open', 'customer'],
      ]);
    });

    it('records team moves and the new assignee of transfers and assignments', () => {
      const rows = eventRowsOf(
        [
          event('transferred', agent, 2, {
            by: 'person',
            fromTeam: 'desk',
            toTeam: 'field',
            fromAssignee: 'desk-1',
            toAssignee: null,
          }),
          event('assigned', system, 2, { by: 'routing', team: 'field', assignee: 'field-2', queued: false }),
          event('assigned', agent, 2, {
            by: 'person',
            fromTeam: 'field',
            toTeam: 'field',
            toAssignee: 'field-3',
          }),
        ],
        changed({ team: 'field', assignee: 'field-3' }),
      );
      expect(rows.map((r) => [r.type, r.from_team, r.to_team, r.agent])).toEqual([
        ['transferred', 'desk', 'field', null],
        ['assigned', null, 'field', 'field-2'],
        ['assigned', 'field', 'field', 'field-3'],
      ]);
    });

    it('marks public replies, replies not shown to the customer and notes', () => {
      const rows = eventRowsOf(
        [
          event('replied', agent, 2, { messageId: 'm1', public: true }),
          event('replied', customer, 3, { messageId: 'm2' }),
          event('replied', agent, 4, { messageId: 'm3', public: false }),
          event('noted', agent, 5, { messageId: 'm4', public: false }),
          event('rated', customer, 6, { score: 2 }),
        ],
        changed(),
      );
      expect(rows.map((r) => [r.type, r.actor_role, r.public])).toEqual([
        ['replied', 'agent', true],
        ['replied', 'customer', true],
        ['replied', 'agent', false],
        ['noted', 'agent', false],
        ['rated', 'customer', null],
      ]);
    });
  });

  describe('lakeRowsOf()', () => {
    it("takes the ticket's fact and only the events the change's version wrote, not views or dead letters", () => {
      const history = [
        event('created', agent, 1),
        event('replied', agent, 2, { public: true }),
        event('viewed', customer, 2),
        event('reaction.failed', system, 2, { reaction: 'notifications' }),
        event('transitioned', agent, 3, { from: 'open', to: 'resolved' }),
      ];
      const rows = lakeRowsOf({
        ticket: ticketWith({ version: 3, status: 'resolved' }),
        history,
        version: 2,
        after: changed({ version: 2, status: 'open' }),
        calendars,
      });
      expect(rows.ticket_events.map((r) => r.event_id)).toEqual(['E-replied-2']);
      expect(rows.ticket_facts.map((r) => [r.version, r.status])).toEqual([[3, 'resolved']]);
    });
  });

  describe('lakeLine()', () => {
    it('writes a row as JSON in column order without the partition column', () => {
      const row = factRowOf(ticketWith(), calendars);
      const line = lakeLine('ticket_facts', row);
      const parsed = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(parsed)).toEqual(factColumns.map(([c]) => c).filter((c) => c !== 'dt'));
      expect(parsed).toMatchObject({ ticket_id: 'T1', tier: 'vip', status: 'new' });
      expect(line).not.toContain('\n');
    });
  });
});
