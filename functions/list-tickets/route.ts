import { roles } from '#shared/domain/actor.ts';
import { defineRoute } from '#shared/http/route.ts';
import { ListQuery, listTickets } from '#shared/use-cases/read-tickets.ts';

export const route = defineRoute({
  name: 'list-tickets',
  method: 'GET',
  path: '/tickets',
  roles,
  query: ListQuery,
  access: 'read',
  async handle({ query, actor }, deps) {
    const page = await listTickets(query, actor, deps);
    return { status: 200, body: { items: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) } };
  },
});
