import type { Actor } from '../domain/actor.ts';
import type { Ticket } from '../domain/ticket/ticket.entity.ts';
import { ticketView } from '../use-cases/ticket-view.ts';
import { etag } from './preconditions.ts';

/**
 * The answer of a write a client may send again under the same key (a visit step, a sign-off): 201 with
 * the ticket as the caller may see it when it was written now, 200 and `Idempotent-Replayed` when the
 * key had been recorded before; the ticket's ETag either way.
 */
export const replayableAnswer = <T extends { ticket: Ticket; replayed: boolean }>(out: T, actor: Actor) => ({
  status: out.replayed ? 200 : 201,
  body: { ...out, ticket: ticketView(out.ticket, actor, null) },
  headers: { etag: etag(out.ticket), ...(out.replayed ? { 'idempotent-replayed': 'true' } : {}) },
});
