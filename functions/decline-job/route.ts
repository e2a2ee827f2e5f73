import { DeclineRequest, declineJob } from '#shared/channels/field-visits.ts';
import { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import { etag, etagHeader, ticketIdParam } from '#shared/http/preconditions.ts';
import { type ApiDeps, defineRoute } from '#shared/http/route.ts';
import { ticketView } from '#shared/use-cases/ticket-view.ts';

export const route = defineRoute<DeclineRequest, undefined, ApiDeps>({
  name: 'decline-job',
  method: 'POST',
  path: '/tickets/{id}/decline',
  // The assigned field engineer gives a job back (before a visit starts), with a reason: routing places
  // it again within its team without them.
  roles: ['agent', 'supervisor', 'admin'],
  body: DeclineRequest,
  access: 'write',
  doc: {
    responses: [
      { status: 200, description: 'The ticket, placed again by routing', body: Ticket, headers: etagHeader },
    ],
  },
  async handle({ params, body, actor }, deps) {
    const ticket = await declineJob(ticketIdParam(params), body, actor, deps);
    return { status: 200, body: ticketView(ticket, actor, null), headers: { etag: etag(ticket) } };
  },
});
