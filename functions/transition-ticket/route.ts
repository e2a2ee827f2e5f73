import { roles } from '#shared/domain/actor.ts';
import { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import {
  etag,
  etagHeader,
  expectedVersion,
  ifMatchHeader,
  ticketIdParam,
} from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { ticketView } from '#shared/use-cases/ticket-view.ts';
import { TransitionRequest, transitionTaking } from '#shared/use-cases/transition-ticket.ts';

export const route = defineRoute({
  name: 'transition-ticket',
  method: 'POST',
  path: '/tickets/{id}/transitions',
  // Who may take which move is decided per transition by the lifecycle (customers may only resume or reopen).
  roles,
  body: TransitionRequest,
  access: 'write',
  doc: {
    headers: [ifMatchHeader],
    responses: [{ status: 200, description: 'The ticket after the move', body: Ticket, headers: etagHeader }],
  },
  async handle({ params, body, headers, actor }, deps) {
    const { ticket } = await transitionTaking(
      ticketIdParam(params),
      body,
      actor,
      expectedVersion(headers),
      deps,
    );
    return { status: 200, body: ticketView(ticket, actor, null), headers: { etag: etag(ticket) } };
  },
});
