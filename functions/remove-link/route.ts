import { staffRoles } from '#shared/domain/actor.ts';
import { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import { etag, etagHeader, ticketIdParam } from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { unlinkTickets } from '#shared/use-cases/collaboration.ts';

export const route = defineRoute({
  name: 'remove-link',
  method: 'DELETE',
  path: '/tickets/{id}/links/{ticket}',
  // `{ticket}`: the other ticket's id or number; the link goes from both.
  roles: staffRoles,
  access: 'write',
  doc: {
    responses: [{ status: 200, description: 'The ticket with its links', body: Ticket, headers: etagHeader }],
  },
  async handle({ params, actor }, deps) {
    const ticket = await unlinkTickets(ticketIdParam(params), params.ticket ?? '', actor, deps);
    return { status: 200, body: ticket, headers: { etag: etag(ticket) } };
  },
});
