import * as z from 'zod';
import { staffRoles } from '#shared/domain/actor.ts';
import { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import {
  etag,
  etagHeader,
  expectedVersion,
  ifMatchHeader,
  ticketIdParam,
} from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { MergeRequest, mergeTicket } from '#shared/use-cases/collaboration.ts';

export const route = defineRoute({
  name: 'merge-ticket',
  method: 'POST',
  path: '/tickets/{id}/merge',
  // Merges this ticket (the duplicate) into `into`; If-Match applies to the duplicate.
  roles: staffRoles,
  body: MergeRequest,
  access: 'write',
  doc: {
    headers: [ifMatchHeader],
    responses: [
      {
        status: 200,
        description: 'The closed duplicate (with `mergedInto`) and the ticket it was merged into',
        body: z.object({ duplicate: Ticket, into: Ticket, messagesCopied: z.number().int() }),
        headers: etagHeader,
      },
    ],
  },
  async handle({ params, body, headers, actor }, deps) {
    const result = await mergeTicket(ticketIdParam(params), body, actor, expectedVersion(headers), deps);
    return { status: 200, body: result, headers: { etag: etag(result.duplicate) } };
  },
});
