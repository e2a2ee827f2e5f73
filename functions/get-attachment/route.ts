import * as z from 'zod';
import type { ChannelTicketDeps } from '#shared/channels/deps.ts';
import { AttachmentView, attachmentDownload } from '#shared/channels/staff-attachments.ts';
import { staffRoles } from '#shared/domain/actor.ts';
import { ticketIdParam } from '#shared/http/preconditions.ts';
import { type ApiDeps, defineRoute } from '#shared/http/route.ts';

export const route = defineRoute<undefined, undefined, ApiDeps & ChannelTicketDeps>({
  name: 'get-attachment',
  method: 'GET',
  path: '/tickets/{id}/attachments/{attachmentId}',
  // A short-lived download link: a presigned S3 GET in AWS, a signed local link in the local runtime.
  roles: staffRoles,
  access: 'read',
  uses: ['attachments'],
  doc: {
    responses: [
      {
        status: 200,
        description: 'The attachment and a link to download it (valid for five minutes)',
        body: z.object({ attachment: AttachmentView, url: z.string(), expiresAt: z.string() }),
      },
    ],
  },
  async handle({ params, actor }, deps) {
    const id = (params.attachmentId ?? '').slice(0, 64);
    return { status: 200, body: await attachmentDownload(ticketIdParam(params), id, actor, deps) };
  },
});
