import * as z from 'zod';
import { type Actor, hasAnyRole, primaryRole, systemActor } from '../domain/actor.ts';
import { type AuditEvent, auditEvent } from '../domain/audit/audit-event.ts';
import { DomainError, validationError } from '../domain/errors.ts';
import { retry, retryOnConflict } from '../domain/retry.ts';
import { AgentId, TeamId } from '../domain/routing/agent.ts';
import type { TicketRouting } from '../domain/routing/decide.ts';
import {
  agentAtCapacity,
  agentNotFound,
  agentUnavailable,
  assignmentForbidden,
  ticketNotActive,
} from '../domain/routing/routing.errors.ts';
import { activeStatuses } from '../domain/ticket/lifecycle.ts';
import { type Ticket, touch } from '../domain/ticket/ticket.entity.ts';
import { concurrentUpdate, versionMismatch } from '../domain/ticket/ticket.errors.ts';
import { changeTicket } from './change-ticket.ts';
import type { TicketDeps } from './deps.ts';
import { routeTicket } from './route-ticket.ts';
import { assignedEvent, releaseUnused } from './ticket-routing.ts';
import { loadVisible } from './visibility.ts';

/**
 * `POST /tickets/{id}/assignment`: reassign to an agent (`agentId`), transfer to a team (`team`: routing
 * then picks the person in it, or the ticket waits in its queue), or both; always with a reason.
 */
export const AssignmentRequest = z
  .object({
    agentId: AgentId.optional(),
    team: TeamId.optional(),
    reason: z.string().trim().min(1).max(1000),
  })
  .strict()
  .refine((r) => r.agentId !== undefined || r.team !== undefined, {
    message: 'Name an agent (agentId), a team, or both',
    path: ['agentId'],
  });
export type AssignmentRequest = z.infer<typeof AssignmentRequest>;

interface Target {
  team: string;
  assignee: string | null;
  routing: TicketRouting;
  /** The agent whose capacity this request claimed (to give back if the write fails). */
  claimed: string | null;
  /** Set when routing, not the person, chose the assignee (a team transfer). */
  routed: boolean;
}

const who = (actor: Actor) => `${actor.name ?? actor.id} (${primaryRole(actor)})`;

/**
 * Moves a ticket to another agent or team, by hand.
 *
 * 1. Load the ticket at the version the caller expects; it must still be active. Agents move tickets
 *    that are theirs or unassigned; supervisors and admins move any (rebalancing).
 * 2. To an agent: claim their capacity with the same conditional write routing uses (409 when they are
 *    full or not online). To a team: route within it (best free member claimed, else its queue).
 * 3. Write team, assignee and the explanation with a `transferred` (team changed) or `assigned` audit
 *    event carrying the reason; publish `ticket.assigned`. If the write fails, give the claim back.
 * 4. After the write the previous assignee's capacity is released and they are handed queued work
 *    (`settleAssignment`, run for every ticket change).
 */
export async function assignTicket(
  id: string,
  request: AssignmentRequest,
  actor: Actor,
  expectedVersion: number | undefined,
  deps: TicketDeps,
): Promise<{ ticket: Ticket; changed: boolean }> {
  if (expectedVersion !== undefined) return assignOnce(id, request, actor, expectedVersion, deps);
  // No precondition asked: a decision made on a ticket that moved meanwhile is made again on the fresh one.
  return retryOnConflict(
    async () => {
      try {
        return await assignOnce(id, request, actor, undefined, deps);
      } catch (error) {
        if (error instanceof DomainError && error.code === 'TICKET.CONCURRENT_UPDATE') return retry;
        throw error;
      }
    },
    { maxAttempts: 10, exhausted: () => concurrentUpdate(id) },
  );
}

/** One decision and its write; TICKET.CONCURRENT_UPDATE when the ticket moved after it was read. */
async function assignOnce(
  id: string,
  request: AssignmentRequest,
  actor: Actor,
  expectedVersion: number | undefined,
  deps: TicketDeps,
): Promise<{ ticket: Ticket; changed: boolean }> {
  const routing = deps.routing;
  const current = await loadVisible(id, actor, deps);
  if (expectedVersion !== undefined && current.version !== expectedVersion) {
    throw versionMismatch(id, expectedVersion, current.version);
  }
  if (!activeStatuses.includes(current.status)) throw ticketNotActive(id, current.status);
  if (
    current.assignee !== null &&
    current.assignee !== actor.id &&
    !hasAnyRole(actor, ['supervisor', 'admin'])
  ) {
    throw assignmentForbidden(id, current.assignee);
  }
  const config = await routing.config.get();
  if (request.team && config && !config.teams.some((t) => t.id === request.team)) {
    throw validationError('The request body has invalid fields', [
      { path: 'team', message: `Unknown team ${request.team}`, code: 'unknown_team' },
    ]);
  }

  const now = deps.clock.now();
  let target: Target;
  if (request.agentId) {
    const agent = await routing.agents.get(request.agentId);
    if (!agent) throw agentNotFound(request.agentId);
    const team =
      request.team ?? (current.team && agent.teams.includes(current.team) ? current.team : agent.teams[0]!);
    if (!agent.teams.includes(team)) {
      throw validationError('The request body has invalid fields', [
        { path: 'agentId', message: `${agent.id} is not a member of team ${team}`, code: 'not_a_member' },
      ]);
    }
    if (agent.id === current.assignee && team === current.team) return { ticket: current, changed: false };
    let claimed: string | null = null;
    if (agent.id !== current.assignee) {
      if (!(await routing.agents.claim(agent.id, id, { channel: current.channel, at: now }))) {
        throw agent.availability === 'online'
          ? agentAtCapacity(agent.id)
          : agentUnavailable(agent.id, agent.availability);
      }
      claimed = agent.id;
    }
    const moved = team !== current.team ? `, team ${current.team ?? 'none'} → ${team}` : '';
    target = {
      team,
      assignee: agent.id,
      claimed,
      routed: false,
      routing: {
        rule: null,
        reason: `Assigned to ${agent.id} by ${who(actor)}${moved}: ${request.reason}`,
        explanation: {
          code: actor.id === agent.id ? 'person.taken' : 'person.assigned',
          params: {
            agent: agent.id,
            by: actor.name ?? actor.id,
            team,
            fromTeam: current.team,
            reason: request.reason,
          },
        },
        candidates: [],
        relaxed: false,
        decidedAt: now.toISOString(),
      },
    };
  } else {
    const team = request.team!;
    if (team === current.team) return { ticket: current, changed: false };
    const prefix = `Transferred from ${current.team ?? 'no team'} to ${team} by ${who(actor)}: ${request.reason}.`;
    if (config) {
      const result = await routeTicket(
        { ...current, team, assignee: null },
        config,
        { agents: routing.agents, clock: deps.clock, logger: deps.logger },
        { team },
      );
      target = {
        team: result.team,
        assignee: result.assignee,
        // The previous assignee may also belong to the new team and be chosen again: nothing new to give back.
        claimed: result.assignee !== current.assignee ? result.assignee : null,
        routed: true,
        routing: {
          ...result.routing,
          reason: `${prefix} ${result.routing.reason}`,
          explanation: {
            code: 'person.transferred',
            params: {
              ...result.routing.explanation?.params,
              fromTeam: current.team,
              team,
              by: actor.name ?? actor.id,
              reason: request.reason,
              agent: result.assignee,
            },
          },
        },
      };
    } else {
      target = {
        team,
        assignee: null,
        claimed: null,
        routed: true,
        routing: {
          rule: null,
          reason: `${prefix} No routing configuration: waiting in the ${team} queue.`,
          explanation: {
            code: 'person.transferred',
            params: {
              fromTeam: current.team,
              team,
              by: actor.name ?? actor.id,
              reason: request.reason,
              agent: null,
            },
          },
          candidates: [],
          relaxed: false,
          decidedAt: now.toISOString(),
        },
      };
    }
  }

  try {
    const result = await changeTicket(id, actor, expectedVersion, deps, (fresh, at) => {
      // Someone else moved it since it was read: this request's decision no longer applies.
      if (
        fresh.assignee !== current.assignee ||
        fresh.team !== current.team ||
        !activeStatuses.includes(fresh.status)
      ) {
        throw concurrentUpdate(id);
      }
      const ticket: Ticket = {
        ...touch(fresh, at),
        team: target.team,
        assignee: target.assignee,
        routing: target.routing,
      };
      const transferred = target.team !== fresh.team;
      const audit: AuditEvent[] = [
        auditEvent(deps.ids.next(), id, transferred ? 'transferred' : 'assigned', actor, at, ticket.version, {
          by: 'person',
          reason: request.reason,
          fromTeam: fresh.team,
          toTeam: ticket.team,
          fromAssignee: fresh.assignee,
          toAssignee: ticket.assignee,
          ...(target.routed ? {} : { routing: target.routing }),
        }),
      ];
      if (target.routed) {
        audit.push(
          auditEvent(deps.ids.next(), id, 'assigned', systemActor(), at, ticket.version, {
            by: 'routing',
            team: ticket.team,
            assignee: ticket.assignee,
            queued: ticket.assignee === null,
            rule: target.routing.rule,
            reason: target.routing.reason,
            routing: target.routing,
          }),
        );
      }
      return { ticket, audit, events: [assignedEvent(deps.ids.next(), ticket, target.routing.reason)] };
    });
    deps.logger.info('ticket.reassigned', {
      ticketId: id,
      by: actor.id,
      fromTeam: current.team,
      toTeam: result.ticket.team,
      fromAssignee: current.assignee,
      toAssignee: result.ticket.assignee,
    });
    return { ticket: result.ticket, changed: true };
  } catch (error) {
    await releaseUnused(target.claimed, id, deps);
    throw error;
  }
}

/** `POST /tickets/{id}/take`: an agent assigns an unassigned ticket (or one of their team's queue) to themselves. */
export function takeTicket(id: string, actor: Actor, expectedVersion: number | undefined, deps: TicketDeps) {
  return assignTicket(
    id,
    { agentId: actor.id, reason: `Taken by ${who(actor)}` },
    actor,
    expectedVersion,
    deps,
  );
}
