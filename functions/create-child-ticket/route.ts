import { staffRoles } from '#shared/domain/actor.ts';
import { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import {
  etag,
  etagHeader,
  idempotencyKey,
  idempotencyKeyHeader,
  ticketIdParam,
} from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { ChildTicketRequest, createChildTicket } from '#shared/use-cases/child-tickets.ts';

export const route = defineRoute({
  name: 'create-child-ticket',
  method: 'POST',
  path: '/tickets/{id}/children',
  roles: staffRoles,
  body: ChildTicketRequest,
  access: 'write',
  doc: {
    headers: [idempotencyKeyHeader],
    responses: [
      {
        status: 201,
        description:
          'The child ticket (`parentId` set), routed to its team with its own SLA. Unknown team or assignee: 400 ' +
          'naming the field; a resolved or closed parent: 409 `TICKET.PARENT_NOT_ACTIVE`; deeper than ' +
          'allowed: 422 `TICKET.CHILD_DEPTH_EXCEEDED`.',
        body: Ticket,
        headers: {
          ...etagHeader,
          Location: 'The child: `/tickets/{id}`',
          'Idempotent-Replayed': '`true` when an earlier request with the same key created it',
        },
      },
    ],
  },
  async handle({ params, body, headers, actor }, deps) {
    const { ticket, created } = await createChildTicket(
      ticketIdParam(params),
      body,
      actor,
      deps,
      idempotencyKey(headers),
    );
    return {
      status: 201,
      body: ticket,
      headers: {
        etag: etag(ticket),
        location: `/tickets/${ticket.id}`,
        ...(created ? {} : { 'idempotent-replayed': 'true' }),
      },
    };
  },
});
