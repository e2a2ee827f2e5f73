import { defineRoute } from '#shared/http/route.ts';
import { AvailabilityRequest, agentIdParam, setAgentAvailability } from '#shared/use-cases/manage-agents.ts';

export const route = defineRoute({
  name: 'set-agent-availability',
  method: 'POST',
  path: '/agents/{id}/availability',
  // An agent sets only their own; the use case checks who.
  roles: ['agent', 'supervisor', 'admin'],
  body: AvailabilityRequest,
  access: 'write', // the agent item, and queued tickets handed to them when they come online
  async handle({ params, body, actor }, deps) {
    const result = await setAgentAvailability(agentIdParam(params), body.availability, actor, deps);
    return { status: 200, body: result };
  },
});
