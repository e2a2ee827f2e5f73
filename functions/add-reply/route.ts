import * as z from 'zod';
import { roles } from '#shared/domain/actor.ts';
import { Message } from '#shared/domain/ticket/message.ts';
import { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import {
  etag,
  etagHeader,
  expectedVersion,
  ifMatchHeader,
  ticketIdParam,
} from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { addReply, ReplyRequest } from '#shared/use-cases/add-reply.ts';

export const route = defineRoute({
  name: 'add-reply',
  method: 'POST',
  path: '/tickets/{id}/replies',
  roles,
  body: ReplyRequest,
  maxBodyBytes: 256 * 1024,
  access: 'write',
  doc: {
    headers: [ifMatchHeader],
    responses: [
      {
        status: 201,
        description: 'The reply, and the ticket after it',
        body: z.object({ message: Message, ticket: Ticket }),
        headers: etagHeader,
      },
    ],
  },
  async handle({ params, body, headers, actor }, deps) {
    const { ticket, message } = await addReply(
      ticketIdParam(params),
      body,
      actor,
      expectedVersion(headers),
      deps,
    );
    return { status: 201, body: { message, ticket }, headers: { etag: etag(ticket) } };
  },
});
