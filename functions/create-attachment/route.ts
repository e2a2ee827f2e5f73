import * as z from 'zod';
import type { ChannelTicketDeps } from '#shared/channels/deps.ts';
import { AttachmentView, startUpload, UploadRequest } from '#shared/channels/staff-attachments.ts';
import { staffRoles } from '#shared/domain/actor.ts';
import { ticketIdParam } from '#shared/http/preconditions.ts';
import { type ApiDeps, defineRoute } from '#shared/http/route.ts';

export const route = defineRoute<UploadRequest, undefined, ApiDeps & ChannelTicketDeps>({
  name: 'create-attachment',
  method: 'POST',
  path: '/tickets/{id}/attachments',
  // Step one of an upload: the file's name, type, size and SHA-256 are checked against the limits
  // (413, 415); the answer is a link to PUT exactly those bytes to. A reply or note then names the id.
  roles: staffRoles,
  body: UploadRequest,
  access: 'write',
  uses: ['attachments'],
  doc: {
    responses: [
      {
        status: 201,
        description:
          'The pending attachment and where to PUT its bytes (`upload` is null when the same file is on the ticket already)',
        body: z.object({
          attachment: AttachmentView,
          upload: z
            .object({ url: z.string(), method: z.literal('PUT'), headers: z.record(z.string(), z.string()) })
            .nullable(),
          expiresAt: z.string().nullable(),
        }),
      },
    ],
  },
  async handle({ params, body, actor }, deps) {
    return { status: 201, body: await startUpload(ticketIdParam(params), body, actor, deps) };
  },
});
