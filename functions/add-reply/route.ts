import * as z from 'zod';
import type { ChannelTicketDeps } from '#shared/channels/deps.ts';
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
import { type ApiDeps, defineRoute } from '#shared/http/route.ts';
import { addReply, ReplyRequest } from '#shared/use-cases/add-reply.ts';

export const route = defineRoute<
  ReplyRequest,
  undefined,
  ApiDeps & Partial<Pick<ChannelTicketDeps, 'channels'>>
>({
  name: 'add-reply',
  method: 'POST',
  path: '/tickets/{id}/replies',
  roles,
  body: ReplyRequest,
  maxBodyBytes: 256 * 1024,
  access: 'write',
  // Staff attach uploaded files to replies and notes (docs/collaboration.md).
  uses: ['attachments'],
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
    const files = deps.channels?.files;
    const { ticket, message } = await addReply(
      ticketIdParam(params),
      body,
      actor,
      expectedVersion(headers),
      deps,
      files && deps.channels ? { records: deps.channels.attachmentRecords, files } : undefined,
    );
    return { status: 201, body: { message, ticket }, headers: { etag: etag(ticket) } };
  },
});
