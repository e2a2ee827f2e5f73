import { roles } from '#shared/domain/actor.ts';
import { etag, expectedVersion, ticketIdParam } from '#shared/http/preconditions.ts';
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
