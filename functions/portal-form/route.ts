import * as z from 'zod';
import type { ChannelTicketDeps } from '#shared/channels/deps.ts';
import { showIntakeForm } from '#shared/channels/portal/portal.ts';
import { defineRoute, type RouteDeps } from '#shared/http/route.ts';

export const route = defineRoute({
  name: 'portal-form',
  method: 'GET',
  path: '/portal',
  auth: 'public',
  roles: [],
  query: z.record(z.string(), z.string()),
  access: 'read',
  doc: { responses: [{ status: 200, description: 'The intake form (`lang=en` for English)', html: true }] },
  async handle({ headers, query }, deps: ChannelTicketDeps & RouteDeps) {
    return showIntakeForm({ headers, query }, deps);
  },
});
