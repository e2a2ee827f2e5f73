import * as z from 'zod';
import { showIntakeForm } from '#shared/channels/portal/portal.ts';
import { defineRoute } from '#shared/http/route.ts';

export const route = defineRoute({
  name: 'portal-form',
  method: 'GET',
  path: '/portal',
  auth: 'public',
  roles: [],
  query: z.record(z.string(), z.string()),
  access: 'read',
  async handle({ headers, query }) {
    return showIntakeForm({ headers, query });
  },
});
