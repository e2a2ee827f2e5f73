import { roles } from '#shared/domain/actor.ts';
import { CreateTicketRequest, newTicketFor } from '#shared/domain/ticket/create-fields.ts';
import { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import { etag, etagHeader, idempotencyKey, idempotencyKeyHeader } from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { createTicket } from '#shared/use-cases/create-ticket.ts';

export const route = defineRoute({
  name: 'create-ticket',
  method: 'POST',
  path: '/tickets',
  roles,
  body: CreateTicketRequest,
  access: 'write',
  doc: {
    headers: [idempotencyKeyHeader],
    responses: [
      {
        status: 201,
        description: 'The new ticket (or, for a repeated Idempotency-Key, the one it created)',
        body: Ticket,
        headers: {
          ...etagHeader,
          Location: 'The ticket: `/tickets/{id}`',
          'Idempotent-Replayed': '`true` when an earlier request with the same key created it',
        },
      },
      {
        status: 403,
        description:
          'The role may not call this (`AUTH.FORBIDDEN`), or may not set some of the fields sent ' +
          '(`TICKET.FIELDS_FORBIDDEN`, each listed in `details.fields`; docs/security.md)',
      },
    ],
  },
  async handle({ body, headers, actor }, deps) {
    // Checked against what the caller's role may set before anything is numbered or written.
    const input = newTicketFor(body, actor);
    const { ticket, created } = await createTicket(input, actor, deps, idempotencyKey(headers));
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
