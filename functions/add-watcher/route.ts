import { staffRoles } from '#shared/domain/actor.ts';
import { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import {
  etag,
  etagHeader,
  expectedVersion,
  ifMatchHeader,
  ticketIdParam,
} from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { addWatcher, WatchRequest } from '#shared/use-cases/collaboration.ts';

export const route = defineRoute({
  name: 'add-watcher',
  method: 'POST',
  path: '/tickets/{id}/watchers',
  // Staff follow a ticket themselves; supervisors and admins may add any agent (`agentId`).
  roles: staffRoles,
  body: WatchRequest,
  access: 'write',
  doc: {
    headers: [ifMatchHeader],
    responses: [
      { status: 200, description: 'The ticket with its watchers', body: Ticket, headers: etagHeader },
    ],
  },
  async handle({ params, body, headers, actor }, deps) {
    const ticket = await addWatcher(ticketIdParam(params), body, actor, expectedVersion(headers), deps);
    return { status: 200, body: ticket, headers: { etag: etag(ticket) } };
  },
});
