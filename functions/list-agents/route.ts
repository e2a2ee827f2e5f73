import { defineRoute } from '#shared/http/route.ts';
import { AgentsQuery, listAgents } from '#shared/use-cases/manage-agents.ts';

export const route = defineRoute({
  name: 'list-agents',
  method: 'GET',
  path: '/agents',
  roles: ['agent', 'supervisor', 'admin'],
  query: AgentsQuery,
  access: 'read',
  async handle({ query }, deps) {
    return { status: 200, body: { items: await listAgents(query, deps) } };
  },
});
