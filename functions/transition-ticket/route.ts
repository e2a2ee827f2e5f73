import { roles } from '#shared/domain/actor.ts';
import { etag, expectedVersion, ticketIdParam } from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { TransitionRequest, transitionTicket } from '#shared/use-cases/transition-ticket.ts';

export const route = defineRoute({
  name: 'transition-ticket',
  method: 'POST',
  path: '/tickets/{id}/transitions',
  // Who may take which move is decided per transition by the lifecycle (customers may only resume or reopen).
  roles,
  body: TransitionRequest,
  access: 'write',
  async handle({ params, body, headers, actor }, deps) {
    const { ticket } = await transitionTicket(
      ticketIdParam(params),
      body,
      actor,
      expectedVersion(headers),
      deps,
    );
    return { status: 200, body: ticket, headers: { etag: etag(ticket) } };
  },
});
