import { type Actor, hasAnyRole } from '../domain/actor.ts';
import { type BusinessCalendar, businessMsBetween } from '../domain/sla/calendar.ts';
import { warningPercents } from '../domain/sla/policy.ts';
import type { SlaConfiguration } from '../domain/sla/ticket-mapping.ts';
import { activeStatuses, allowedTransitionsFor, type Status } from '../domain/ticket/lifecycle.ts';
import { nextDueAt, type SlaTargetState, type Ticket } from '../domain/ticket/ticket.entity.ts';

/** One SLA target as people see it: its state, its due time, and when it turns into a warning. */
export interface TargetView extends SlaTargetState {
  /** The instant the first warning threshold is crossed (running targets with a due time), else null. */
  warnAt: string | null;
}

/** What the caller may do with the ticket right now; the API refuses anything else. */
export interface TicketActions {
  /** Statuses the caller may move it to (the lifecycle and their roles). */
  allowedTransitions: Status[];
  /** Whether the caller may take it (`POST /tickets/{id}/take`): an agent, an active unassigned ticket. */
  canTake: boolean;
  /**
   * Whether the caller may reassign or transfer it (`POST /tickets/{id}/assignment`): supervisors and
   * admins any active ticket, agents their own or unassigned ones.
   */
  canAssign: boolean;
}

/** A list row: what a queue shows, a tenth of the ticket's weight (no description, routing or facts). */
export interface TicketSummary {
  id: string;
  number: string;
  subject: string;
  status: Status;
  priority: Ticket['priority'];
  channel: Ticket['channel'];
  /** An imported ticket's legacy number (docs/import.md); absent on tickets opened in Gongdan. */
  externalRef?: string;
  intent: string | null;
  category: string | null;
  /** Product line and model, region (docs/analytics.md); absent when the ticket has none. */
  product?: { line: string; model?: string };
  region?: string;
  customer: { name?: string; email?: string; phone?: string; tier: Ticket['customer']['tier'] };
  team: string | null;
  assignee: string | null;
  tags: string[];
  parentId: string | null;
  sla: { policy: string | null; breached: string[]; paused: boolean; targets: TargetView[] };
  /** The nearest due time of a running target (what queues sort by); null when none runs. */
  nextDueAt: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** The moves `actor` may make on `ticket`. */
export function actionsFor(ticket: Ticket, actor: Actor): TicketActions {
  return {
    allowedTransitions: allowedTransitionsFor(ticket.status, ticket.priority, actor.roles),
    canTake:
      actor.roles.includes('agent') && activeStatuses.includes(ticket.status) && ticket.assignee === null,
    canAssign:
      activeStatuses.includes(ticket.status) &&
      (hasAnyRole(actor, ['supervisor', 'admin']) ||
        (actor.roles.includes('agent') && (ticket.assignee === null || ticket.assignee === actor.id))),
  };
}

/** The ticket with its targets' warning instants and the caller's actions. */
export function ticketView(ticket: Ticket, actor: Actor, config: SlaConfiguration | null) {
  return {
    ...ticket,
    sla: { ...ticket.sla, targets: targetViews(ticket, config) },
    ...actionsFor(ticket, actor),
  };
}

export function summarize(ticket: Ticket, config: SlaConfiguration | null): TicketSummary {
  const targets = targetViews(ticket, config);
  return {
    id: ticket.id,
    number: ticket.number,
    subject: ticket.subject,
    status: ticket.status,
    priority: ticket.priority,
    channel: ticket.channel,
    ...(ticket.externalRef ? { externalRef: ticket.externalRef } : {}),
    intent: ticket.intent,
    category: ticket.category,
    ...(ticket.product ? { product: ticket.product } : {}),
    ...(ticket.region ? { region: ticket.region } : {}),
    customer: {
      ...(ticket.customer.name ? { name: ticket.customer.name } : {}),
      ...(ticket.customer.email ? { email: ticket.customer.email } : {}),
      ...(ticket.customer.phone ? { phone: ticket.customer.phone } : {}),
      tier: ticket.customer.tier,
    },
    team: ticket.team,
    assignee: ticket.assignee,
    tags: ticket.tags,
    parentId: ticket.parentId,
    sla: { policy: ticket.sla.policy, breached: ticket.sla.breached, paused: ticket.sla.paused, targets },
    nextDueAt: nextDueAt(ticket),
    createdAt: ticket.createdAt,
    updatedAt: ticket.updatedAt,
    version: ticket.version,
  };
}

function targetViews(ticket: Ticket, config: SlaConfiguration | null): TargetView[] {
  const policy = config?.policies.find((p) => p.id === ticket.sla.policy);
  const calendar = config?.calendars.find((c) => c.id === ticket.sla.calendar);
  return (ticket.sla.targets ?? []).map((t) => {
    const percent = policy ? warningPercents(policy, t.target)[0] : undefined;
    const warnAt =
      t.state === 'running' && t.dueAt && calendar && percent !== undefined
        ? instantBefore(calendar, Date.parse(t.dueAt), t.targetMinutes * (1 - percent / 100) * 60_000)
        : null;
    return { ...t, warnAt: warnAt === null ? null : new Date(warnAt).toISOString() };
  });
}

/**
 * The latest instant from which `ms` of working time remain until `dueMs`: a bisection over wall-clock
 * time (business time between an instant and the due time only shrinks as the instant moves on).
 */
function instantBefore(calendar: BusinessCalendar, dueMs: number, ms: number): number {
  if (ms <= 0) return dueMs;
  let lo = dueMs - ms;
  // Going back far enough to hold `ms` of working time: widen by weeks (holidays can be long).
  let step = 7 * 24 * 3600_000;
  while (businessMsBetween(calendar, lo, dueMs) < ms) {
    lo -= step;
    step *= 2;
  }
  let hi = dueMs;
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2);
    if (businessMsBetween(calendar, mid, dueMs) >= ms) lo = mid;
    else hi = mid;
  }
  return lo;
}
