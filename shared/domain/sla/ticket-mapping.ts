import { staffRoles } from '../actor.ts';
import type { AuditEvent } from '../audit/audit-event.ts';
import type { SlaState, Ticket } from '../ticket/ticket.entity.ts';
import type { BusinessCalendar } from './calendar.ts';
import { type SlaPolicy, selectPolicy } from './policy.ts';
import {
  type SlaClockInput,
  type SlaSnapshot,
  type SlaTicket,
  slaSummary,
  type TimelineEntry,
} from './sla-clock.ts';

/**
 * The bridge between the ticket (entity and audit trail) and the SLA core's own input types. The SLA
 * core never sees a Ticket; this file is the one place that knows both.
 */

/** The ticket fields the SLA reads. The customer's tier is the ticket's tier. */
export const slaTicketOf = (ticket: Ticket): SlaTicket => ({
  id: ticket.id,
  priority: ticket.priority,
  tier: ticket.customer.tier,
  category: ticket.category,
  team: ticket.team,
  assignee: ticket.assignee,
  status: ticket.status,
});

const isStaffRole = (role: string) => (staffRoles as readonly string[]).includes(role);

/** One audit event as clock events (most are none). */
function entriesOf(event: AuditEvent): TimelineEntry[] {
  const at = event.at;
  const data = event.data as { public?: unknown; from?: unknown; to?: unknown };
  switch (event.type) {
    case 'created':
      return [{ type: 'created', at }];
    case 'replied':
      // Who answers whom follows addReply: staff roles answer; anyone else (customer, integration) asks.
      return [
        isStaffRole(event.actor.role)
          ? { type: 'staff_replied', at, public: data.public !== false }
          : { type: 'customer_replied', at },
      ];
    case 'noted':
      return [{ type: 'staff_replied', at, public: false }];
    case 'reopened':
      return [{ type: 'reopened', at }];
    case 'imported': {
      // From another system (docs/import.md). One that arrived resolved or closed was never worked here:
      // no clock ran (no breach to record, no timer); an open one is timed from its original creation.
      const done = event.data as { resolvedAt?: unknown; closedAt?: unknown };
      return done.resolvedAt || done.closedAt ? [] : [{ type: 'created', at }];
    }
    case 'transitioned':
      if (data.to === 'pending') return [{ type: 'pending', at }];
      if (data.to === 'resolved') return [{ type: 'resolved', at }];
      if (data.to === 'closed') return [{ type: 'closed', at }];
      if (data.from === 'pending' && data.to === 'open') return [{ type: 'resumed', at }];
      if (data.from === 'resolved' && data.to === 'open') return [{ type: 'reopened', at }];
      return [];
    default:
      return [];
  }
}

/** At the same instant a reopen comes before the reply that caused it (docs/sla.md, clock rules). */
const sameInstantRank = (entry: TimelineEntry) =>
  entry.type === 'created' ? 0 : entry.type === 'reopened' ? 1 : 2;

/**
 * The ticket's audit trail as the SLA clock's timeline: created, public staff replies (first and next
 * responses), internal notes, customer replies, pending (pause), resume, resolve, reopen, close. Taken in
 * time order; the audit trail's own order breaks ties except that a reopen precedes a same-instant reply.
 */
export function timelineOf(history: readonly AuditEvent[]): TimelineEntry[] {
  return history
    .flatMap((event, index) => entriesOf(event).map((entry) => ({ entry, index })))
    .sort(
      (a, b) =>
        a.entry.at.localeCompare(b.entry.at) ||
        sameInstantRank(a.entry) - sameInstantRank(b.entry) ||
        a.index - b.index,
    )
    .map((e) => e.entry);
}

/** The audit data key under which an SLA action's idempotency key is recorded. */
export const slaKeyField = 'slaKey';

/** Keys of the SLA actions already applied: the timer's ledger is the ticket's own history. */
export function sentKeysOf(history: readonly AuditEvent[]): string[] {
  return history.flatMap((e) => {
    const key = (e.data as Record<string, unknown>)[slaKeyField];
    return typeof key === 'string' ? [key] : [];
  });
}

/** The configured policies and calendars (`GET/PUT /config/sla`, `/config/calendars`). */
export interface SlaConfiguration {
  policies: readonly SlaPolicy[];
  calendars: readonly BusinessCalendar[];
}

/**
 * The clock input for a ticket: its policy (most specific match) and that policy's calendar; null when
 * no policy applies or the policy names a calendar that does not exist (the config API refuses that,
 * so it only happens if the store was edited by hand).
 */
export function clockInputOf(
  ticket: Ticket,
  timeline: readonly TimelineEntry[],
  config: SlaConfiguration,
): SlaClockInput | null {
  const subject = slaTicketOf(ticket);
  const policy = selectPolicy(config.policies, subject);
  const calendar = policy && config.calendars.find((c) => c.id === policy.calendarId);
  return policy && calendar ? { ticket: subject, timeline, policy, calendar } : null;
}

/** The ticket's `sla` field from a snapshot (or without a policy), keeping the timer version. */
export function slaStateOf(snapshot: SlaSnapshot | null, timerVersion: number | null): SlaState {
  if (!snapshot) {
    return {
      policy: null,
      firstResponseDueAt: null,
      nextResponseDueAt: null,
      resolutionDueAt: null,
      breached: [],
      paused: false,
      calendar: null,
      targets: [],
      breaches: [],
      timerVersion,
    };
  }
  const summary = slaSummary(snapshot);
  return {
    policy: summary.policy,
    firstResponseDueAt: summary.firstResponseDueAt,
    nextResponseDueAt: summary.nextResponseDueAt,
    resolutionDueAt: summary.resolutionDueAt,
    breached: summary.breached,
    paused: summary.paused,
    calendar: snapshot.calendar,
    targets: snapshot.targets.map((t) => ({ ...t })),
    breaches: snapshot.breaches.map((b) => ({ ...b })),
    computedAt: snapshot.at,
    timerVersion,
  };
}
