import { expectedVersion, ifMatchHeader } from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { AgentUpdate, agentIdParam, putAgent } from '#shared/use-cases/manage-agents.ts';

export const route = defineRoute({
  name: 'put-agent',
  method: 'PUT',
  path: '/agents/{id}',
  roles: ['supervisor', 'admin'],
  body: AgentUpdate,
  access: 'write', // the agent item, and queued tickets handed to them
  doc: {
    headers: [ifMatchHeader],
    responses: [
      { status: 200, description: 'The agent, updated (ETag: its profile version)' },
      { status: 201, description: 'The agent, created', headers: { Location: 'The agent: `/agents/{id}`' } },
    ],
  },
  async handle({ params, body, headers, actor }, deps) {
    const id = agentIdParam(params, { creating: true });
    const { agent, created } = await putAgent(id, body, actor, deps, expectedVersion(headers));
    const etag = `"${agent.profileVersion ?? 0}"`;
    return {
      status: created ? 201 : 200,
      body: agent,
      headers: { etag, ...(created ? { location: `/agents/${agent.id}` } : {}) },
    };
  },
});
