import * as z from 'zod';
import { type Actor, hasAnyRole } from '../domain/actor.ts';
import { auditEvent } from '../domain/audit/audit-event.ts';
import { DomainError } from '../domain/errors.ts';
import { requireSummary } from '../domain/ticket/closing-report.ts';
import { defaultLifecycle, findRule, Status } from '../domain/ticket/lifecycle.ts';
import { transition } from '../domain/ticket/ticket.entity.ts';
import { type IntegrationEvent, makeEvent } from '../events/catalogue.ts';
import { takeTicket } from './assign-ticket.ts';
import { changeTicket, eventBase } from './change-ticket.ts';
import type { TicketDeps } from './deps.ts';
import { withResolution } from './resolution.ts';
import { assertMayForce, checkTransitionGates } from './transition-gates.ts';

export const TransitionRequest = z.object({
  to: Status,
  reason: z.string().trim().min(1).max(1000).optional(),
  /**
   * Supervisors and admins: move past what holds the ticket back (open child tickets). Needs `reason`;
   * the audit event keeps it and what was overridden.
   */
  force: z.boolean().optional(),
  /**
   * What was done: required to resolve (400 naming `summary` without it), kept as the ticket's
   * resolution and sent to the customer in the closing report (docs/closing-report.md).
   */
  summary: z.string().trim().max(4000).optional(),
});
export type TransitionRequest = z.infer<typeof TransitionRequest>;

/**
 * Moves a ticket through its lifecycle.
 *
 * 1. Load the ticket the actor may see, at the version they expect.
 * 2. Check the move against the lifecycle and the actor's roles, then against the gates (open children,
 *    pending approvals: `transition-gates.ts`).
 * 3. Write the new status with a `transitioned` (or `reopened`) audit event.
 * 4. Publish `ticket.status_changed`, and `ticket.resolved` / `ticket.closed` where it applies.
 */
export function transitionTicket(
  id: string,
  request: TransitionRequest,
  actor: Actor,
  expectedVersion: number | undefined,
  deps: TicketDeps,
) {
  assertMayForce(request, actor);
  if (request.to === 'resolved') requireSummary(request.summary);
  return changeTicket(id, actor, expectedVersion, deps, async (current, now) => {
    const moved = transition(current, request.to, actor, now);
    const { rule } = moved;
    // Resolving needs the summary the closing report carries (docs/closing-report.md).
    const resolving = moved.ticket.status === 'resolved' && current.status !== 'resolved';
    const resolved = resolving
      ? withResolution(moved.ticket, requireSummary(request.summary), actor, now, deps)
      : { ticket: moved.ticket, mail: [] };
    const { ticket } = resolved;
    const overrides = await checkTransitionGates(
      {
        current,
        to: request.to,
        actor,
        ...(request.reason ? { reason: request.reason } : {}),
        ...(request.force ? { force: true } : {}),
      },
      deps,
    );
    const type = rule.action === 'reopen' ? 'reopened' : 'transitioned';
    const audit = auditEvent(deps.ids.next(), id, type, actor, now, ticket.version, {
      from: current.status,
      to: ticket.status,
      action: rule.action,
      ...(request.reason ? { reason: request.reason } : {}),
      ...(request.force ? { forced: true, overrides } : {}),
      ...(resolving && ticket.resolution ? { summary: ticket.resolution.summary } : {}),
    });
    const base = eventBase(ticket);
    const events: IntegrationEvent[] = [
      makeEvent(deps.ids.next(), 'ticket.status_changed', {
        ...base,
        from: current.status,
        to: ticket.status,
        action: rule.action,
        ...(request.reason ? { reason: request.reason } : {}),
      }),
    ];
    if (ticket.status === 'resolved' && ticket.resolvedAt) {
      events.push(makeEvent(deps.ids.next(), 'ticket.resolved', { ...base, resolvedAt: ticket.resolvedAt }));
    }
    if (ticket.status === 'closed' && ticket.closedAt) {
      events.push(makeEvent(deps.ids.next(), 'ticket.closed', { ...base, closedAt: ticket.closedAt }));
    }
    return { ticket, audit: [audit], events, ...(resolved.mail.length ? { mail: resolved.mail } : {}) };
  });
}

/** The statuses an accept leads to (in the default lifecycle: open). */
const acceptTargets = defaultLifecycle.filter((r) => r.action === 'accept').map((r) => r.to);

/** Why an agent may be unable to hold a ticket they accept. */
const cannotHold = ['AGENT.NOT_FOUND', 'AGENT.AT_CAPACITY', 'AGENT.UNAVAILABLE'];

/**
 * Accepting an unassigned ticket takes it (the policy of the console's "accept"): an agent who accepts
 * a ticket nobody holds becomes its assignee first, with the capacity claim routing uses. When they
 * cannot hold it (offline, full, not a routing agent) the ticket is accepted unassigned, as before.
 */
export async function transitionTaking(
  id: string,
  request: TransitionRequest,
  actor: Actor,
  expectedVersion: number | undefined,
  deps: TicketDeps,
) {
  // Only an agent's move to a status some accept rule leads to can take: every other move reads the
  // ticket once, in transitionTicket.
  const mayAccept = hasAnyRole(actor, ['agent']) && acceptTargets.includes(request.to);
  const current = mayAccept ? await deps.tickets.get(id) : null;
  const accepting =
    current && current.assignee === null && findRule(current.status, request.to)?.action === 'accept';
  if (!accepting) return transitionTicket(id, request, actor, expectedVersion, deps);
  let version = expectedVersion;
  try {
    const taken = await takeTicket(id, actor, expectedVersion, deps);
    version = taken.ticket.version;
  } catch (error) {
    if (!(error instanceof DomainError && cannotHold.includes(error.code))) throw error;
    deps.logger.info('ticket.accept_without_take', { ticketId: id, by: actor.id, code: error.code });
  }
  return transitionTicket(id, request, actor, version, deps);
}
