import * as z from 'zod';
import { type Actor, hasAnyRole } from '../domain/actor.ts';
import { validationError } from '../domain/errors.ts';
import { type Agent, AgentId, AgentProfile, Availability, TeamId } from '../domain/routing/agent.ts';
import { agentForbidden, agentNotFound } from '../domain/routing/routing.errors.ts';
import type { TicketDeps } from './deps.ts';
import { pickUpFor } from './ticket-routing.ts';

/**
 * `PUT /agents/{id}`: the profile a supervisor sets. Live load and `lastAssignedAt` belong to routing and
 * are refused here (unknown keys are errors, so a typo is not silently dropped); `availability` left
 * out keeps the agent's current one (a new agent starts offline).
 */
export const AgentUpdate = AgentProfile.omit({ id: true, availability: true })
  .extend({ availability: Availability.optional() })
  .strict();
export type AgentUpdate = z.infer<typeof AgentUpdate>;

export const AgentsQuery = z.object({
  team: TeamId.optional(),
  availability: Availability.optional(),
});
export type AgentsQuery = z.infer<typeof AgentsQuery>;

export const AvailabilityRequest = z.object({ availability: Availability }).strict();

/**
 * An agent id from the path. One that cannot exist is a 404 like any unknown agent, except where the
 * request would create it (`PUT`): there it is a 400 saying what an id may contain.
 */
export function agentIdParam(params: Record<string, string>, options: { creating?: boolean } = {}): string {
  const parsed = AgentId.safeParse(params.id ?? '');
  if (parsed.success) return parsed.data;
  if (options.creating) {
    throw validationError('The agent id in the path is not valid', [
      { path: 'id', message: parsed.error.issues[0]?.message ?? 'Invalid', code: 'invalid_format' },
    ]);
  }
  throw agentNotFound((params.id ?? '').slice(0, 64));
}

export interface AgentChange {
  agent: Agent;
  /** Ticket ids taken from the queues as a result (they came online or got capacity). */
  pickedUp: string[];
  /** The same tickets as people name them (for the console's notice). */
  pickedUpTickets?: { id: string; number: string; subject: string }[];
}

/**
 * Creates or replaces an agent's profile.
 *
 * 1. Check the teams against the routing configuration (when one is stored).
 * 2. Keep the current availability unless one is given; store the profile (load is kept), at the
 *    version the caller read when they name one (If-Match: 412 if it moved), with who wrote it.
 * 3. More capacity, new teams or skills may fit queued work: hand it to them.
 */
export async function putAgent(
  id: string,
  update: AgentUpdate,
  actor: Actor,
  deps: TicketDeps,
  expectedVersion?: number,
): Promise<AgentChange & { created: boolean }> {
  const routing = deps.routing;
  const config = await routing.config.get();
  if (config) {
    const known = new Set(config.teams.map((t) => t.id));
    const unknown = update.teams.flatMap((team, i) =>
      known.has(team) ? [] : [{ path: `teams.${i}`, message: `Unknown team ${team}`, code: 'unknown_team' }],
    );
    if (unknown.length)
      throw validationError('The agent names teams the routing configuration lacks', unknown);
  }
  if (update.delegate) await checkDelegate(id, update.delegate, deps);
  const current = await routing.agents.get(id);
  const agent = await routing.agents.put(
    AgentProfile.parse({
      ...update,
      id,
      availability: update.availability ?? current?.availability ?? 'offline',
    }),
    {
      ...(expectedVersion !== undefined ? { expectedVersion } : {}),
      by: { id: actor.id, ...(actor.name ? { name: actor.name } : {}) },
    },
  );
  deps.logger.info('agent.updated', { agentId: id, by: actor.id, created: !current });
  const pickedUp = await pickUpFor(id, deps, config);
  return {
    agent: pickedUp.length ? ((await routing.agents.get(id)) ?? agent) : agent,
    pickedUp: pickedUp.map((p) => p.ticket.id),
    created: !current,
  };
}

/** A delegate must be another agent who exists and does not hand their own approvals back. */
async function checkDelegate(id: string, delegate: string, deps: TicketDeps) {
  const refuse = (message: string, code: string) =>
    validationError('The delegate cannot stand in for this agent', [{ path: 'delegate', message, code }]);
  if (delegate === id) throw refuse('An agent cannot be their own delegate', 'self_delegate');
  const other = await deps.routing.agents.get(delegate);
  if (!other) throw refuse(`Unknown agent ${delegate}`, 'unknown_agent');
  if (other.delegate === id)
    throw refuse(
      `${delegate} already delegates to ${id}: approvals would bounce between them`,
      'delegate_cycle',
    );
}

/** Every agent (or a team's), with live load, ordered by id. */
export async function listAgents(query: AgentsQuery, deps: TicketDeps): Promise<Agent[]> {
  const routing = deps.routing;
  const agents = query.team ? await routing.agents.listByTeam(query.team) : await routing.agents.list();
  return agents
    .filter((a) => !query.availability || a.availability === query.availability)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Sets an agent online, away or offline.
 *
 * 1. An agent may set only their own availability; supervisors and admins anyone's.
 * 2. Store it.
 * 3. Coming online: hand them the oldest highest-priority queued work they qualify for, until full.
 */
export async function setAgentAvailability(
  id: string,
  availability: Availability,
  actor: Actor,
  deps: TicketDeps,
): Promise<AgentChange> {
  if (actor.id !== id && !hasAnyRole(actor, ['supervisor', 'admin'])) throw agentForbidden(id);
  const routing = deps.routing;
  const agent = await routing.agents.setAvailability(id, availability);
  if (!agent) throw agentNotFound(id);
  deps.logger.info('agent.availability', { agentId: id, availability, by: actor.id });
  const pickedUp = availability === 'online' ? await pickUpFor(id, deps) : [];
  return {
    agent: pickedUp.length ? ((await routing.agents.get(id)) ?? agent) : agent,
    pickedUp: pickedUp.map((p) => p.ticket.id),
    pickedUpTickets: pickedUp.map((p) => ({
      id: p.ticket.id,
      number: p.ticket.number,
      subject: p.ticket.subject,
    })),
  };
}
