import * as z from 'zod';
import type { ChannelTicketDeps } from '#shared/channels/deps.ts';
import { AttachmentView, listAttachments } from '#shared/channels/staff-attachments.ts';
import { staffRoles } from '#shared/domain/actor.ts';
import { ticketIdParam } from '#shared/http/preconditions.ts';
import { type ApiDeps, defineRoute } from '#shared/http/route.ts';

export const route = defineRoute<undefined, undefined, ApiDeps & ChannelTicketDeps>({
  name: 'list-attachments',
  method: 'GET',
  path: '/tickets/{id}/attachments',
  // Every file of the ticket: e-mail and portal attachments and staff uploads (pending ones too).
  roles: staffRoles,
  access: 'read',
  uses: ['attachments'],
  doc: {
    responses: [
      {
        status: 200,
        description: 'The attachments, oldest first',
        body: z.object({ items: z.array(AttachmentView) }),
      },
    ],
  },
  async handle({ params, actor }, deps) {
    return { status: 200, body: { items: await listAttachments(ticketIdParam(params), actor, deps) } };
  },
});
