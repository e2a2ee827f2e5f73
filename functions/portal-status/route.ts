import * as z from 'zod';
import { showLookupForm } from '#shared/channels/portal/portal.ts';
import { defineRoute } from '#shared/http/route.ts';

export const route = defineRoute({
  name: 'portal-status',
  method: 'GET',
  path: '/portal/status',
  auth: 'public',
  roles: [],
  query: z.record(z.string(), z.string()),
  access: 'read',
  async handle({ headers, query }) {
    return showLookupForm({ headers, query });
  },
});
