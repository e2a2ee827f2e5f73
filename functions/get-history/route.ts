import { ticketIdParam } from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { getHistory } from '#shared/use-cases/read-tickets.ts';

export const route = defineRoute({
  name: 'get-history',
  method: 'GET',
  path: '/tickets/{id}/history',
  roles: ['agent', 'supervisor', 'admin', 'integration'],
  access: 'read',
  async handle({ params, actor }, deps) {
    return { status: 200, body: { items: await getHistory(ticketIdParam(params), actor, deps) } };
  },
});
