import { etag, expectedVersion, ticketIdParam } from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { AssignmentRequest, assignTicket } from '#shared/use-cases/assign-ticket.ts';

export const route = defineRoute({
  name: 'assign-ticket',
  method: 'POST',
  path: '/tickets/{id}/assignment',
  // Agents move their own or unassigned tickets; supervisors and admins any (the use case checks).
  roles: ['agent', 'supervisor', 'admin'],
  body: AssignmentRequest,
  access: 'write',
  async handle({ params, body, headers, actor }, deps) {
    const { ticket } = await assignTicket(ticketIdParam(params), body, actor, expectedVersion(headers), deps);
    return { status: 200, body: ticket, headers: { etag: etag(ticket) } };
  },
});
