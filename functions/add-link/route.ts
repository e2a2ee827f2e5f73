import { staffRoles } from '#shared/domain/actor.ts';
import { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import { etag, etagHeader, ticketIdParam } from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { LinkRequest, linkTickets } from '#shared/use-cases/collaboration.ts';

export const route = defineRoute({
  name: 'add-link',
  method: 'POST',
  path: '/tickets/{id}/links',
  // A `related` link, shown on both tickets; linking again changes nothing but the link's time.
  roles: staffRoles,
  body: LinkRequest,
  access: 'write',
  doc: {
    responses: [{ status: 201, description: 'The ticket with its links', body: Ticket, headers: etagHeader }],
  },
  async handle({ params, body, actor }, deps) {
    const ticket = await linkTickets(ticketIdParam(params), body, actor, deps);
    return { status: 201, body: ticket, headers: { etag: etag(ticket) } };
  },
});
