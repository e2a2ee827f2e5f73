import type { Actor } from '../domain/actor.ts';
import type { Ticket } from '../domain/ticket/ticket.entity.ts';
import { ticketNotFound } from '../domain/ticket/ticket.errors.ts';
import type { TicketDeps } from './deps.ts';

/**
 * Customers see only their own tickets, and never a child ticket (internal work for another team);
 * anyone else with a token sees all.
 */
export const canSee = (ticket: Ticket, actor: Actor) =>
  !actor.roles.every((r) => r === 'customer') ||
  (!ticket.parentId && !!actor.email && actor.email.toLowerCase() === ticket.customer.email?.toLowerCase());

/**
 * Loads a ticket `actor` may see. A ticket they may not see is reported as not found, so ticket ids
 * cannot be probed.
 */
export async function loadVisible(
  id: string,
  actor: Actor,
  deps: Pick<TicketDeps, 'tickets'>,
): Promise<Ticket> {
  const ticket = await deps.tickets.get(id);
  if (!ticket || !canSee(ticket, actor)) throw ticketNotFound(id);
  return ticket;
}
