import { roles } from '#shared/domain/actor.ts';
import { ticketIdParam } from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { getMessages } from '#shared/use-cases/read-tickets.ts';

export const route = defineRoute({
  name: 'list-messages',
  method: 'GET',
  path: '/tickets/{id}/messages',
  roles,
  access: 'read',
  async handle({ params, actor }, deps) {
    return { status: 200, body: { items: await getMessages(ticketIdParam(params), actor, deps) } };
  },
});
