import * as z from 'zod';
import { type Actor, isStaff, primaryRole } from '../domain/actor.ts';
import { type AuditEvent, auditEvent } from '../domain/audit/audit-event.ts';
import type { Message } from '../domain/ticket/message.ts';
import { recordReply, transition } from '../domain/ticket/ticket.entity.ts';
import { type IntegrationEvent, makeEvent } from '../events/catalogue.ts';
import { changeTicket, eventBase } from './change-ticket.ts';
import type { TicketDeps } from './deps.ts';

export const ReplyRequest = z.object({
  body: z.string().trim().min(1).max(50_000),
  public: z.boolean().default(true),
});
export type ReplyRequest = z.infer<typeof ReplyRequest>;

/**
 * Adds a public reply or an internal note to a ticket's thread.
 *
 * 1. Load the ticket the actor may see; a customer's reply is always public.
 * 2. Record the message; a staff member's first public reply is the first response.
 * 3. A customer's reply to a ticket waiting on them (pending) puts it back to work (open).
 * 4. Write message, ticket and audit events together; publish `ticket.replied` (and the status change).
 */
export async function addReply(
  id: string,
  request: ReplyRequest,
  actor: Actor,
  expectedVersion: number | undefined,
  deps: TicketDeps,
) {
  const staff = isStaff(actor);
  const isPublic = staff ? request.public : true;
  const result = await changeTicket(id, actor, expectedVersion, deps, (current, now) => {
    let ticket = recordReply(current, staff, isPublic, now);
    const message: Message = {
      id: deps.ids.next(),
      ticketId: id,
      body: request.body,
      public: isPublic,
      author: { id: actor.id, ...(actor.name ? { name: actor.name } : {}), role: primaryRole(actor) },
      channel: actor.channel,
      at: now.toISOString(),
    };
    const audit: AuditEvent[] = [
      auditEvent(deps.ids.next(), id, isPublic ? 'replied' : 'noted', actor, now, ticket.version, {
        messageId: message.id,
        public: isPublic,
      }),
    ];
    const events: IntegrationEvent[] = [
      makeEvent(deps.ids.next(), 'ticket.replied', {
        ...eventBase(ticket),
        messageId: message.id,
        public: isPublic,
        authorRole: primaryRole(actor),
      }),
    ];
    if (!staff && current.status === 'pending') {
      const resumed = transition(ticket, 'open', actor, now);
      // One write, one version: the reply and the resumption land together.
      ticket = { ...resumed.ticket, version: ticket.version };
      audit.push(
        auditEvent(deps.ids.next(), id, 'transitioned', actor, now, ticket.version, {
          from: 'pending',
          to: 'open',
          action: 'resume',
          reason: 'customer replied',
        }),
      );
      events.push(
        makeEvent(deps.ids.next(), 'ticket.status_changed', {
          ...eventBase(ticket),
          from: 'pending',
          to: 'open',
          action: 'resume',
          reason: 'customer replied',
        }),
      );
    }
    return { ticket, audit, events, messages: [message] };
  });
  return { ticket: result.ticket, message: result.messages![0]! };
}
