import * as z from 'zod';
import type { ChannelTicketDeps } from '#shared/channels/deps.ts';
import { showLookupForm } from '#shared/channels/portal/portal.ts';
import { defineRoute, type RouteDeps } from '#shared/http/route.ts';

export const route = defineRoute({
  name: 'portal-status',
  method: 'GET',
  path: '/portal/status',
  auth: 'public',
  roles: [],
  query: z.record(z.string(), z.string()),
  access: 'read',
  doc: {
    responses: [{ status: 200, description: 'The status lookup form (`lang=en` for English)', html: true }],
  },
  async handle({ headers, query }, deps: ChannelTicketDeps & RouteDeps) {
    return showLookupForm({ headers, query }, deps);
  },
});
