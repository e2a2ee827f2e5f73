import { staffRoles } from '#shared/domain/actor.ts';
import { AgentId } from '#shared/domain/routing/agent.ts';
import { unknownAgent } from '#shared/domain/ticket/collaboration.ts';
import { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import {
  etag,
  etagHeader,
  expectedVersion,
  ifMatchHeader,
  ticketIdParam,
} from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { removeWatcher } from '#shared/use-cases/collaboration.ts';

export const route = defineRoute({
  name: 'remove-watcher',
  method: 'DELETE',
  path: '/tickets/{id}/watchers/{agentId}',
  // Unfollow: the caller themselves; supervisors and admins anyone. Not watching changes nothing.
  roles: staffRoles,
  access: 'write',
  doc: {
    headers: [ifMatchHeader],
    responses: [
      { status: 200, description: 'The ticket with its watchers', body: Ticket, headers: etagHeader },
    ],
  },
  async handle({ params, headers, actor }, deps) {
    const agentId = AgentId.safeParse(params.agentId ?? '');
    if (!agentId.success) throw unknownAgent(String(params.agentId).slice(0, 64));
    const ticket = await removeWatcher(
      ticketIdParam(params),
      agentId.data,
      actor,
      expectedVersion(headers),
      deps,
    );
    return { status: 200, body: ticket, headers: { etag: etag(ticket) } };
  },
});
