import { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import {
  etag,
  etagHeader,
  expectedVersion,
  ifMatchHeader,
  ticketIdParam,
} from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { AssignmentRequest, assignTicket } from '#shared/use-cases/assign-ticket.ts';
import { ticketView } from '#shared/use-cases/ticket-view.ts';

export const route = defineRoute({
  name: 'assign-ticket',
  method: 'POST',
  path: '/tickets/{id}/assignment',
  // Agents move their own or unassigned tickets; supervisors and admins any (the use case checks).
  roles: ['agent', 'supervisor', 'admin'],
  body: AssignmentRequest,
  access: 'write',
  doc: {
    headers: [ifMatchHeader],
    responses: [
      { status: 200, description: 'The ticket, assigned or transferred', body: Ticket, headers: etagHeader },
    ],
  },
  async handle({ params, body, headers, actor }, deps) {
    const { ticket } = await assignTicket(ticketIdParam(params), body, actor, expectedVersion(headers), deps);
    return { status: 200, body: ticketView(ticket, actor, null), headers: { etag: etag(ticket) } };
  },
});
