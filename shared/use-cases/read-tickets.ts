import * as z from 'zod';
import { type Actor, isStaff } from '../domain/actor.ts';
import { auditEvent } from '../domain/audit/audit-event.ts';
import { Status } from '../domain/ticket/lifecycle.ts';
import type { TicketFilter } from '../domain/ticket/ticket.store.ts';
import type { TicketDeps } from './deps.ts';
import { presentSla } from './ticket-sla.ts';
import { loadVisible } from './visibility.ts';

/**
 * Returns a ticket the actor may see and records that they viewed it (staff views are part of the
 * audit trail; the view does not change the ticket's version). Its SLA shows the time left as of now.
 */
export async function getTicket(id: string, actor: Actor, deps: TicketDeps) {
  const ticket = await loadVisible(id, actor, deps);
  const now = deps.clock.now();
  await deps.tickets.appendAudit([auditEvent(deps.ids.next(), id, 'viewed', actor, now, ticket.version)]);
  return presentSla(ticket, deps.sla, now);
}

/** The ticket's audit trail, oldest first. */
export async function getHistory(id: string, actor: Actor, deps: TicketDeps) {
  await loadVisible(id, actor, deps);
  return deps.tickets.history(id);
}

/** The ticket's thread; customers see only public messages. */
export async function getMessages(id: string, actor: Actor, deps: TicketDeps) {
  await loadVisible(id, actor, deps);
  const messages = await deps.tickets.messages(id);
  return isStaff(actor) ? messages : messages.filter((m) => m.public);
}

export const ListQuery = z.object({
  status: Status.optional(),
  team: z.string().min(1).max(80).optional(),
  assignee: z.string().min(1).max(80).optional(),
  customer: z.email().optional(),
  breached: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2000).optional(),
});
export type ListQuery = z.infer<typeof ListQuery>;

/** Lists tickets, newest first; a customer's list is always limited to their own tickets. */
export async function listTickets(query: ListQuery, actor: Actor, deps: TicketDeps) {
  const filter: TicketFilter = {
    ...(query.status ? { status: query.status } : {}),
    ...(query.team ? { team: query.team } : {}),
    ...(query.assignee ? { assignee: query.assignee } : {}),
    ...(query.customer ? { customerEmail: query.customer } : {}),
    ...(query.breached !== undefined ? { breached: query.breached } : {}),
  };
  if (!actor.roles.some((r) => r !== 'customer')) filter.customerEmail = actor.email ?? '\u0000';
  return deps.tickets.list(filter, { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
}
