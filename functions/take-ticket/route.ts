import { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import {
  etag,
  etagHeader,
  expectedVersion,
  ifMatchHeader,
  ticketIdParam,
} from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { takeTicket } from '#shared/use-cases/assign-ticket.ts';
import { ticketView } from '#shared/use-cases/ticket-view.ts';

export const route = defineRoute({
  name: 'take-ticket',
  method: 'POST',
  path: '/tickets/{id}/take',
  // "Assign to me": the agent's own capacity is claimed as routing would (409 when full or not online).
  roles: ['agent'],
  access: 'write',
  doc: {
    headers: [ifMatchHeader],
    responses: [
      {
        status: 200,
        description: 'The ticket, now assigned to the caller',
        body: Ticket,
        headers: etagHeader,
      },
    ],
  },
  async handle({ params, headers, actor }, deps) {
    const { ticket } = await takeTicket(ticketIdParam(params), actor, expectedVersion(headers), deps);
    return { status: 200, body: ticketView(ticket, actor, null), headers: { etag: etag(ticket) } };
  },
});
