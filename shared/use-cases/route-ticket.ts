import type { Clock, Logger } from '../domain/ports.ts';
import type { AgentStore, QueueLookup, TicketAssigner } from '../domain/routing/agent.store.ts';
import type { Agent } from '../domain/routing/agent.ts';
import {
  decide,
  pickQueuedTicket,
  planRoute,
  type RouteDecision,
  type RouteOptions,
  settleRouting,
  type TicketRouting,
} from '../domain/routing/decide.ts';
import type { RoutingConfig } from '../domain/routing/routing-config.ts';
import type { RoutableTicket } from '../domain/routing/rule-matcher.ts';
import type { Ticket } from '../domain/ticket/ticket.entity.ts';

/** What routing needs from the outside world. */
export interface RoutingDeps {
  agents: AgentStore;
  clock: Clock;
  logger?: Logger;
}

export interface RouteResult {
  team: string;
  /** The agent whose capacity was claimed, or null: the ticket waits in `team`'s queue. */
  assignee: string | null;
  /** For the ticket's `routing` field and the `assigned` audit event. */
  routing: TicketRouting;
  decision: RouteDecision;
  /** Better-ranked agents whose claims failed (taken meanwhile), in the order tried. */
  passedOver: string[];
}

/** Lost claims tolerated before re-reading the agents' loads and deciding again. */
const claimsPerRound = 3;
const maxRounds = 4;

/**
 * Routes one ticket to a person, or to its team's queue.
 *
 * 1. Work out the teams the ticket may use (its rule's team, plus teams unlocked relaxation steps add).
 * 2. Read those teams' agents with their current load and decide.
 * 3. Claim the best candidate with a conditional write; when another ticket got there first, the next.
 *    After a few lost claims the loads are stale: read them again and decide again. The last round
 *    tries every candidate, so a ticket is queued only when nobody it could have had was free.
 * 4. Return team, assignee (null: queued) and the explanation to store. The caller writes the ticket
 *    and, if that write fails, releases the claim (`releaseTicket`).
 */
export async function routeTicket(
  ticket: RoutableTicket,
  config: RoutingConfig,
  deps: RoutingDeps,
  options: RouteOptions = {},
): Promise<RouteResult> {
  const now = deps.clock.now();
  const plan = planRoute(ticket, config, now, options);
  const teams = [...new Set(plan.steps.slice(0, plan.usable).flatMap((s) => s.teams))];
  const passedOver: string[] = [];
  let decision: RouteDecision | undefined;

  for (let round = 1; round <= maxRounds; round++) {
    decision = decide(ticket, await agentsOf(teams, deps.agents), config, now, options);
    const tries = round === maxRounds ? decision.candidates : decision.candidates.slice(0, claimsPerRound);
    for (const candidate of tries) {
      const claimed = await deps.agents.claim(candidate.agentId, ticket.id, {
        channel: ticket.channel,
        at: now,
      });
      if (claimed) {
        const routing = settleRouting(decision, now, {
          assignee: candidate.agentId,
          passedOver,
          record: config.defaults.recordCandidates,
        });
        deps.logger?.info('routing.assigned', {
          ticketId: ticket.id,
          team: decision.team,
          assignee: candidate.agentId,
          rule: decision.rule,
          passedOver: passedOver.length,
        });
        return { team: decision.team, assignee: candidate.agentId, routing, decision, passedOver };
      }
      passedOver.push(candidate.agentId);
    }
    if (tries.length === decision.candidates.length) break;
  }

  const routing = settleRouting(decision!, now, {
    assignee: null,
    passedOver,
    record: config.defaults.recordCandidates,
  });
  deps.logger?.info('routing.queued', {
    ticketId: ticket.id,
    team: decision!.team,
    rule: decision!.rule,
    eligible: decision!.candidates.length,
  });
  return { team: decision!.team, assignee: null, routing, decision: decision!, passedOver };
}

async function agentsOf(teams: string[], store: AgentStore): Promise<Agent[]> {
  const lists = await Promise.all(teams.map((t) => store.listByTeam(t)));
  const byId = new Map<string, Agent>();
  for (const agent of lists.flat()) byId.set(agent.id, agent);
  return [...byId.values()];
}

/**
 * Gives back the capacity a ticket held (resolved, closed, reassigned or transferred). Idempotent:
 * releasing a ticket the agent no longer holds changes nothing.
 */
export function releaseTicket(agentId: string, ticketId: string, deps: Pick<RoutingDeps, 'agents'>) {
  return deps.agents.release(agentId, ticketId);
}

/** The queues an agent may take work from: their teams, and teams whose relaxed rules add them. */
export function queuesServedBy(agent: Pick<Agent, 'teams'>, config: RoutingConfig): string[] {
  const teams = new Set(agent.teams);
  for (const rule of config.rules) {
    if (!rule.enabled) continue;
    if (rule.route.relax.some((step) => step.addTeams.some((t) => agent.teams.includes(t))))
      teams.add(rule.route.team);
  }
  return [...teams].sort();
}

export interface PickedUp {
  ticket: Ticket;
  team: string;
  assignee: string;
  routing: TicketRouting;
}

/**
 * When an agent comes online or frees capacity, hands them queued work.
 *
 * 1. Read the agent; nothing to do unless they are online, on shift and below capacity.
 * 2. Fetch the waiting tickets of every queue they may serve.
 * 3. Pick the highest-priority, oldest ticket they qualify for (relaxed by its waiting time) and claim.
 * 4. Write the assignment on the ticket; if someone else took it meanwhile, release and pick again.
 * 5. Repeat until the agent is full, nothing fits, or `max` tickets were assigned.
 */
export async function pickUpQueuedWork(
  agentId: string,
  config: RoutingConfig,
  deps: RoutingDeps & { queue: QueueLookup; tickets: TicketAssigner },
  options: { max?: number } = {},
): Promise<PickedUp[]> {
  const first = await deps.agents.get(agentId);
  if (!first) return [];
  const waiting = await deps.queue.queued(queuesServedBy(first, config));
  const taken = new Set<string>();
  const picked: PickedUp[] = [];
  let agent: Agent | null = first;

  while (agent && picked.length < (options.max ?? Number.POSITIVE_INFINITY)) {
    const now = deps.clock.now();
    const pick = pickQueuedTicket(
      agent,
      waiting.filter((t) => !taken.has(t.id)),
      config,
      now,
    );
    if (!pick) break;
    taken.add(pick.ticket.id);
    const claimed = await deps.agents.claim(agent.id, pick.ticket.id, {
      channel: pick.ticket.channel,
      at: now,
    });
    if (!claimed) break;
    const change = { team: pick.decision.team, assignee: agent.id, routing: pick.decision.routing };
    const outcome = await deps.tickets.assign(pick.ticket.id, change);
    if (outcome === 'assigned') {
      picked.push({ ticket: pick.ticket, ...change });
      deps.logger?.info('routing.picked_up', {
        ticketId: pick.ticket.id,
        assignee: agent.id,
        team: change.team,
      });
    } else if (outcome === 'not-waiting') {
      // Taken by someone else: give the claim back. (`already-theirs`: a concurrent pickup for this same
      // agent wrote it, and the one idempotent claim is what the ticket rests on: keep it.)
      await deps.agents.release(agent.id, pick.ticket.id);
    }
    agent = await deps.agents.get(agentId);
  }
  return picked;
}
