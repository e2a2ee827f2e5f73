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
    responses: [
      { status: 200, description: 'The agent, updated' },
      { status: 201, description: 'The agent, created', headers: { Location: 'The agent: `/agents/{id}`' } },
    ],
  },
  async handle({ params, body, actor }, deps) {
    const { agent, created } = await putAgent(agentIdParam(params, { creating: true }), body, actor, deps);
    return {
      status: created ? 201 : 200,
      body: agent,
      ...(created ? { headers: { location: `/agents/${agent.id}` } } : {}),
    };
  },
});
