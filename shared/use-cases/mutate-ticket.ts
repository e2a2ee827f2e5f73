import type { Actor } from '../domain/actor.ts';
import type { AuditEvent } from '../domain/audit/audit-event.ts';
import type { Message } from '../domain/ticket/message.ts';
import type { Ticket } from '../domain/ticket/ticket.entity.ts';
import { concurrentUpdate, versionMismatch } from '../domain/ticket/ticket.errors.ts';
import type { IntegrationEvent } from '../events/catalogue.ts';
import type { TicketDeps } from './deps.ts';
import { publishCommitted } from './publish.ts';
import { settleAssignment } from './ticket-routing.ts';
import { applySlaPlan, slaOnChange } from './ticket-sla.ts';
import { loadVisible } from './visibility.ts';

export interface Change {
  ticket: Ticket;
  audit: AuditEvent[];
  events: IntegrationEvent[];
  messages?: Message[];
}

const maxAttempts = 12;

/**
 * Applies `change` to the current ticket with optimistic concurrency. With `expectedVersion` (the
 * client's If-Match) a stale version is a 412; without it, a lost race is retried on the fresh ticket,
 * so the change applies to the current version. Events are published once the write has committed;
 * with `deps.sla`, the ticket's SLA is recomputed with the change and its timer re-planned after commit.
 */
export async function mutateTicket(
  id: string,
  actor: Actor,
  expectedVersion: number | undefined,
  deps: TicketDeps,
  change: (current: Ticket, now: Date) => Change,
): Promise<Change> {
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const current = await loadVisible(id, actor, deps);
    if (expectedVersion !== undefined && current.version !== expectedVersion) {
      throw versionMismatch(id, expectedVersion, current.version);
    }
    const now = deps.clock.now();
    const result = change(current, now);
    // Every change may move SLA deadlines: `sla` is recomputed with it, the timer re-planned after commit.
    const sla =
      deps.sla && (await slaOnChange(current, result.ticket, result.audit, { ...deps, sla: deps.sla }, now));
    if (sla) result.ticket = { ...result.ticket, sla: sla.state };
    const written = await deps.tickets.update(result.ticket, current.version, result.audit, result.messages);
    if (written) {
      await publishCommitted(result.events, deps);
      if (sla) await applySlaPlan(result.ticket.id, sla, deps);
      // Resolved, closed or moved: the agent who held it gets the capacity back (and queued work).
      await settleAssignment(current, result.ticket, deps);
      return result;
    }
    if (expectedVersion !== undefined) {
      const fresh = await deps.tickets.get(id);
      throw versionMismatch(id, expectedVersion, fresh?.version ?? expectedVersion + 1);
    }
    // Lost a race with another writer: back off a little (jittered) and apply to the fresh ticket.
    await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
  }
  throw concurrentUpdate(id);
}

/** The event fields every ticket event carries, taken from the version just written. */
export const eventBase = (ticket: Ticket) => ({
  ticketId: ticket.id,
  number: ticket.number,
  version: ticket.version,
  occurredAt: ticket.updatedAt,
});
