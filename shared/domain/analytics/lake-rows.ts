import { DateTime } from 'luxon';
import type { AuditEvent } from '../audit/audit-event.ts';
import { type BusinessCalendar, businessMsBetween, defaultCalendars } from '../sla/calendar.ts';
import type { SlaTargetState, Ticket } from '../ticket/ticket.entity.ts';
import type { TicketSnapshot } from '../ticket/ticket-change.ts';
import {
  type LakeTable,
  lakeTables,
  partitionColumn,
  type TicketEventRow,
  type TicketFactRow,
} from './lake-records.ts';

/**
 * What a ticket change becomes in the analytics lake (docs/analytics.md, "Pipeline"): the ticket as it
 * stands (`TicketFactRow`) and the audit events the change wrote (`TicketEventRow`s), exactly the columns
 * of `lake-records.ts`. Pure: the analytics reaction reads the ticket, its history and the calendars.
 */

/**
 * The calendar for a ticket without one (no SLA policy, or a calendar since removed): Beijing office
 * hours, whose zone (Asia/Shanghai) is the business zone the reports' days and weeks are in.
 */
export const defaultAnalyticsCalendar: BusinessCalendar =
  defaultCalendars.find((c) => c.id === 'cn-office') ?? defaultCalendars[0]!;

/** Audit types that are not changes: written beside a version (a view, a dead-lettered reaction), not by it. */
const notChanges: ReadonlySet<string> = new Set(['viewed', 'reaction.failed']);

/**
 * The calendar of a ticket: its SLA policy's, else the default. Business durations are measured on
 * it; the created day/week/month are in its zone — except a 24×7 calendar's (its zone says nothing
 * about where the desk works), where the default's zone is used.
 */
export function calendarOf(
  ticket: Pick<Ticket, 'sla'>,
  calendars: readonly BusinessCalendar[],
  fallback: BusinessCalendar = defaultAnalyticsCalendar,
): { calendar: BusinessCalendar; zone: string } {
  const calendar = calendars.find((c) => c.id === ticket.sla.calendar) ?? fallback;
  return { calendar, zone: calendar.alwaysOpen ? fallback.timeZone : calendar.timeZone };
}

/** `YYYY-MM-DD`, `YYYY-Www` (ISO week-year and week) and `YYYY-MM` of an instant in `zone`. */
export function calendarBuckets(ms: number, zone: string) {
  const local = DateTime.fromMillis(ms, { zone });
  return {
    day: local.toFormat('yyyy-MM-dd'),
    week: local.toFormat("kkkk-'W'WW"),
    month: local.toFormat('yyyy-MM'),
  };
}

/** The partition of a row: the UTC day of `at_ms`. */
export const partitionOf = (atMs: number) => new Date(atMs).toISOString().slice(0, 10);

/**
 * A row as one line of JSON in its table's column order, without the partition column (`dt` is in the
 * path: Hive-style `dt=…/` locally, Firehose's prefix in S3). No newline.
 */
export function lakeLine<T extends LakeTable>(table: T, row: LakeRow<T>): string {
  const values = row as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [column] of lakeTables[table]) if (column !== partitionColumn) out[column] = values[column];
  return JSON.stringify(out);
}

/** The row type of a table. */
export type LakeRow<T extends LakeTable> = T extends 'ticket_facts' ? TicketFactRow : TicketEventRow;

const msOf = (iso: string | null | undefined) => (iso ? Date.parse(iso) : null);

/**
 * A target's outcome so far: `breached` once any of its cycles breached (a reopened ticket that met
 * its second resolution still broke the first), else its latest cycle's state; null without the target.
 */
function targetOutcome(ticket: Pick<Ticket, 'sla'>, target: SlaTargetState['target']): string | null {
  const { sla } = ticket;
  const latest = sla.targets?.filter((t) => t.target === target).at(-1);
  const everBreached =
    (sla.breaches ?? []).some((b) => b.target === target) ||
    sla.breached.includes(target) ||
    latest?.state === 'breached';
  if (everBreached) return 'breached';
  return latest?.state ?? null;
}

/** The ticket's product and region; read defensively (older tickets lack them). */
function productOf(ticket: Ticket): { product: string | null; model: string | null; region: string | null } {
  const extra = ticket as Ticket & {
    product?: { line?: unknown; model?: unknown } | null;
    region?: unknown;
  };
  const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v : null);
  return {
    product: text(extra.product?.line),
    model: text(extra.product?.model),
    region: text(extra.region),
  };
}

/** Seconds between two instants, wall clock and on the calendar; nulls while the second is not there. */
function durations(calendar: BusinessCalendar, fromMs: number, toMs: number | null) {
  if (toMs === null) return { wall: null, business: null };
  return {
    wall: (toMs - fromMs) / 1000,
    business: businessMsBetween(calendar, fromMs, toMs) / 1000,
  };
}

/** The ticket as it stands after the change that made its `version`. */
export function factRowOf(ticket: Ticket, calendars: readonly BusinessCalendar[]): TicketFactRow {
  const { calendar, zone } = calendarOf(ticket, calendars);
  const createdMs = Date.parse(ticket.createdAt);
  const atMs = Date.parse(ticket.updatedAt);
  const firstResponseMs = msOf(ticket.firstRespondedAt);
  const resolvedMs = msOf(ticket.resolvedAt);
  const buckets = calendarBuckets(createdMs, zone);
  const firstResponse = durations(calendar, createdMs, firstResponseMs);
  const resolution = durations(calendar, createdMs, resolvedMs);
  return {
    ticket_id: ticket.id,
    number: ticket.number,
    version: ticket.version,
    at_ms: atMs,
    created_ms: createdMs,
    created_day: buckets.day,
    created_week: buckets.week,
    created_month: buckets.month,
    status: ticket.status,
    priority: ticket.priority,
    channel: ticket.channel,
    category: ticket.category,
    intent: ticket.intent,
    team: ticket.team,
    agent: ticket.assignee,
    tier: ticket.customer.tier,
    ...productOf(ticket),
    parent_id: ticket.parentId,
    first_response_ms: firstResponseMs,
    resolved_ms: resolvedMs,
    closed_ms: msOf(ticket.closedAt),
    first_response_wall_s: firstResponse.wall,
    first_response_business_s: firstResponse.business,
    resolution_wall_s: resolution.wall,
    resolution_business_s: resolution.business,
    sla_first_response: targetOutcome(ticket, 'firstResponse'),
    sla_resolution: targetOutcome(ticket, 'resolution'),
    csat: ticket.feedback?.rating?.score ?? null,
    dt: partitionOf(atMs),
  };
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const has = (data: Record<string, unknown>, key: string) => Object.hasOwn(data, key);

/**
 * The audit events of one change as rows. `after` is the ticket as that change left it (the outbox
 * record's snapshot): the first status and team of `created`, the assignee after events that do not
 * name one. Events not written by the change itself (`viewed`, `reaction.failed`) are left out, so a
 * change always gives the same rows however late it is replayed.
 */
export function eventRowsOf(events: readonly AuditEvent[], after: TicketSnapshot): TicketEventRow[] {
  return events
    .filter((e) => !notChanges.has(e.type))
    .map((e): TicketEventRow => {
      const data = e.data;
      const atMs = Date.parse(e.at);
      let from_status: string | null = null;
      let to_status: string | null = null;
      let from_team: string | null = null;
      let to_team: string | null = null;
      let agent: string | null = after.assignee;
      let isPublic: boolean | null = null;
      switch (e.type) {
        case 'created':
          to_status = after.status;
          to_team = after.team;
          break;
        case 'imported':
          // From another system, at its original creation: the status it had reached there.
          to_status = str(data.status) ?? after.status;
          to_team = after.team;
          break;
        case 'transitioned':
        case 'reopened':
          from_status = str(data.from);
          to_status = str(data.to);
          break;
        case 'transferred':
        case 'assigned':
          // A person's move names both teams; routing names the team it placed the ticket in.
          from_team = str(data.fromTeam);
          to_team = has(data, 'toTeam') ? str(data.toTeam) : str(data.team);
          if (has(data, 'toAssignee')) agent = str(data.toAssignee);
          else if (has(data, 'assignee')) agent = str(data.assignee);
          break;
        case 'replied':
          isPublic = data.public !== false;
          break;
        case 'noted':
          isPublic = false;
          break;
      }
      return {
        event_id: e.id,
        ticket_id: e.ticketId,
        version: e.version,
        at_ms: atMs,
        type: e.type,
        actor_id: e.actor.id,
        actor_role: e.actor.role,
        channel: e.channel,
        from_status,
        to_status,
        from_team,
        to_team,
        agent,
        public: isPublic,
        dt: partitionOf(atMs),
      };
    });
}

/**
 * Everything one change contributes: the fact row of the ticket as read (its version may be later than
 * the change's when changes follow quickly: the row then describes that later version, which is still
 * true, and the highest version wins in SQL) and the rows of the audit events of `version`.
 */
export function lakeRowsOf(input: {
  ticket: Ticket;
  history: readonly AuditEvent[];
  version: number;
  after: TicketSnapshot;
  calendars: readonly BusinessCalendar[];
}): { ticket_facts: TicketFactRow[]; ticket_events: TicketEventRow[] } {
  return {
    ticket_facts: [factRowOf(input.ticket, input.calendars)],
    ticket_events: eventRowsOf(
      input.history.filter((e) => e.version === input.version),
      input.after,
    ),
  };
}
