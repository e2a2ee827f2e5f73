import * as z from 'zod';
import { type Actor, Channel, primaryRole, Role } from '../actor.ts';

export const auditTypes = [
  'created',
  'viewed',
  'replied',
  'noted',
  'transitioned',
  'reopened',
  'assigned',
  'transferred',
  'escalated',
  'approved',
  'updated',
  /** The SLA timer warned that a target is close (data: the action key, target, percent, time left). */
  'sla.warning',
  /** The SLA timer recorded a breached target (escalations are `escalated`, with the level). */
  'sla.breached',
  /** The SLA timer gave up after repeated failed steps (data: timer version, failures, error). */
  'sla.timer_degraded',
  /** The reconciler restarted a missing or failed SLA timer (data: the versions, why). */
  'sla.timer_restored',
  /**
   * Something that had to follow a change (a notification, the timer, an event) kept failing and was
   * set aside in the dead-letter queue (data: the reaction, the outbox record, attempts, the error).
   */
  'reaction.failed',
  /** A child ticket was opened under this one (data: the child's id, number, team, assignee, subject). */
  'child.created',
  /** Someone started (`watched`) or stopped (`unwatched`) following the ticket (data: the agent). */
  'watched',
  'unwatched',
  /** An internal note named agents with `@<agentId>` (data: the note, the agents). */
  'mentioned',
  /** A duplicate was merged (data: from/into, the messages copied); on both tickets. */
  'merged',
  /** A related ticket was linked or unlinked (data: the other ticket). */
  'linked',
  'unlinked',
  /** Staff attached uploaded files to a reply or note (data: the message, the attachment ids). */
  'attached',
  /**
   * Approvals (docs/collaboration.md, "Approvals"), data: the approval id and what moved —
   * requested (stages, reason), decided (stage, decision, comment, IP, user agent, stage passed,
   * stage started, closed), nudged (approvers reminded, counts), delegated (from, to, reason).
   */
  'approval.requested',
  'approval.decided',
  'approval.nudged',
  'approval.delegated',
  /**
   * A field visit's step (docs/field-service.md), data: the visit, the action (start, arrive, check-in,
   * check-out, record, sign-off, decline), the position, the distance and flag of a check-in.
   */
  'visit',
  /**
   * The customer rated the resolved ticket through the closing report's link (docs/closing-report.md),
   * data: score, comment, the assignee, team and category rated, the link's issue time.
   */
  'rated',
  /**
   * The ticket came from another system's export (docs/import.md), at its original creation time;
   * data: the import, the legacy number, the status it had reached and when it was resolved or closed.
   */
  'imported',
] as const;
export const AuditType = z.enum(auditTypes);
export type AuditType = z.infer<typeof AuditType>;

/** One line of a ticket's history: who did what, when, through which channel and from where. */
export const AuditEvent = z.object({
  id: z.string(),
  ticketId: z.string(),
  type: AuditType,
  at: z.string(),
  actor: z.object({ id: z.string(), name: z.string().optional(), role: Role }),
  channel: Channel,
  sourceIp: z.string().optional(),
  /** The ticket version this event produced (or saw, for `viewed`). */
  version: z.number().int(),
  data: z.record(z.string(), z.unknown()).default({}),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

/** Builds an audit event for `actor` acting on a ticket at `at`. */
export function auditEvent(
  id: string,
  ticketId: string,
  type: AuditType,
  actor: Actor,
  at: Date,
  version: number,
  data: Record<string, unknown> = {},
): AuditEvent {
  return {
    id,
    ticketId,
    type,
    at: at.toISOString(),
    actor: { id: actor.id, ...(actor.name ? { name: actor.name } : {}), role: primaryRole(actor) },
    channel: actor.channel,
    ...(actor.sourceIp ? { sourceIp: actor.sourceIp } : {}),
    version,
    data,
  };
}
