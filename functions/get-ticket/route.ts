import { roles } from '#shared/domain/actor.ts';
import { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import { etag, etagHeader, ticketIdParam } from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { getTicket } from '#shared/use-cases/read-tickets.ts';
import { writeScopes } from '../table-writes.ts';

export const route = defineRoute({
  name: 'get-ticket',
  method: 'GET',
  path: '/tickets/{id}',
  roles,
  access: 'write', // a view is recorded in the audit trail
  writes: writeScopes.viewed,
  doc: {
    responses: [
      { status: 200, description: 'The ticket, its SLA as of now', body: Ticket, headers: etagHeader },
    ],
  },
  async handle({ params, actor }, deps) {
    const ticket = await getTicket(ticketIdParam(params), actor, deps);
    return { status: 200, body: ticket, headers: { etag: etag(ticket) } };
  },
});
