import { systemActor } from '../domain/actor.ts';
import { type AuditEvent, auditEvent } from '../domain/audit/audit-event.ts';
import { isNotFound } from '../domain/errors.ts';
import type { AssignOutcome, QueueLookup, TicketAssigner } from '../domain/routing/agent.store.ts';
import type { TicketRouting } from '../domain/routing/decide.ts';
import type { RoutingConfig } from '../domain/routing/routing-config.ts';
import { activeStatuses, type Status } from '../domain/ticket/lifecycle.ts';
import { type Ticket, touch } from '../domain/ticket/ticket.entity.ts';
import type { TicketStore } from '../domain/ticket/ticket.store.ts';
import { type IntegrationEvent, makeEvent } from '../events/catalogue.ts';
import { changeTicket } from './change-ticket.ts';
import type { TicketDeps } from './deps.ts';
import { type PickedUp, pickUpQueuedWork, releaseTicket, routeTicket } from './route-ticket.ts';

const isActive = (status: Status) => activeStatuses.includes(status);
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The `ticket.assigned` event for a version of a ticket that was just written. */
export const assignedEvent = (id: string, ticket: Ticket, reason: string): IntegrationEvent =>
  makeEvent(id, 'ticket.assigned', {
    ticketId: ticket.id,
    number: ticket.number,
    version: ticket.version,
    occurredAt: ticket.updatedAt,
    team: ticket.team,
    assignee: ticket.assignee,
    reason,
  });

/** The `assigned` audit data of a routing decision: where it went and the whole explanation. */
const assignedData = (ticket: Pick<Ticket, 'team' | 'assignee'>, routing: TicketRouting, how: string) => ({
  by: how,
  team: ticket.team,
  assignee: ticket.assignee,
  queued: ticket.assignee === null,
  rule: routing.rule,
  reason: routing.reason,
  routing,
});

export interface IntakeRouting {
  /** The ticket with `team`, `assignee` and `routing` set (unchanged when routing is off or failed). */
  ticket: Ticket;
  audit: AuditEvent[];
  /** Publish after the ticket has committed. */
  events: IntegrationEvent[];
  /** The agent whose capacity was claimed: release it if the ticket is not stored after all. */
  claimed: string | null;
}

/**
 * Routes a ticket that is about to be stored for the first time, so it is created already assigned
 * (or queued in its team). A routing failure never stops the ticket: it is created unrouted and the
 * failure is logged.
 *
 * 1. Read the routing configuration (`current()`: up to 30 s old where wired so); none stored
 *    means routing is off.
 * 2. `routeTicket`: the rule's team (or the team the caller chose), the best free agent claimed with a
 *    conditional write, the next on conflict, or the team's queue.
 * 3. Put team, assignee and the explanation on the ticket, with an `assigned` audit event by the system.
 */
export async function routeOnIntake(ticket: Ticket, deps: TicketDeps, now: Date): Promise<IntakeRouting> {
  const unrouted: IntakeRouting = { ticket, audit: [], events: [], claimed: null };
  try {
    const config = await deps.routing.config.current();
    if (!config) {
      deps.logger.warn('routing.skipped', { ticketId: ticket.id, reason: 'no routing configuration stored' });
      return unrouted;
    }
    // Decided at the ticket's own creation time: it has waited zero minutes, so no relaxation applies.
    const result = await routeTicket(
      ticket,
      config,
      { agents: deps.routing.agents, clock: { now: () => now }, logger: deps.logger },
      ticket.team ? { team: ticket.team } : {},
    );
    deps.metrics.count(result.assignee ? 'TicketsRouted' : 'TicketsQueued', 1, { team: result.team });
    const routed: Ticket = {
      ...ticket,
      team: result.team,
      assignee: result.assignee,
      routing: result.routing,
    };
    return {
      ticket: routed,
      audit: [
        auditEvent(
          deps.ids.next(),
          ticket.id,
          'assigned',
          systemActor(),
          now,
          ticket.version,
          assignedData(routed, result.routing, 'routing'),
        ),
      ],
      events: [assignedEvent(deps.ids.next(), routed, result.routing.reason)],
      claimed: result.assignee,
    };
  } catch (error) {
    deps.logger.error('routing.failed', { ticketId: ticket.id, stage: 'intake', error: message(error) });
    return unrouted;
  }
}

/** Gives back a claim made for a ticket that was not stored after all (a lost race, a failed write). */
export async function releaseUnused(claimed: string | null, ticketId: string, deps: TicketDeps) {
  if (!claimed) return;
  try {
    await releaseTicket(claimed, ticketId, deps.routing);
  } catch (error) {
    deps.logger.error('routing.release_failed', { ticketId, agentId: claimed, error: message(error) });
  }
}

/** Statuses a queued ticket can be in: unassigned and still needing work. */
const queueStatuses: readonly Status[] = ['new', 'open', 'pending'];
/** Per team and status; a queue longer than this is served oldest-first from what was read. */
const maxQueueRead = 2000;

/** Waiting tickets of some teams, read from the ticket store's team index. */
export function ticketQueue(tickets: TicketStore, logger?: TicketDeps['logger']): QueueLookup {
  return {
    async queued(teams) {
      const lists = await Promise.all(
        teams.flatMap((team) =>
          queueStatuses.map(async (status) => {
            const out: Ticket[] = [];
            let cursor: string | undefined;
            do {
              // Oldest first: when a queue is longer than what is read, the longest-waiting are served.
              const page = await tickets.list(
                { team, status },
                { limit: 250, order: 'oldest', ...(cursor ? { cursor } : {}) },
              );
              out.push(...page.items.filter((t) => t.assignee === null));
              cursor = page.cursor;
            } while (cursor && out.length < maxQueueRead);
            if (cursor) logger?.warn('routing.queue_truncated', { team, status, read: out.length });
            return out;
          }),
        ),
      );
      return lists.flat();
    },
  };
}

/** Thrown inside a pickup's write when the ticket stopped waiting; never leaves `ticketAssigner`. */
class NoLongerWaiting extends Error {
  constructor(readonly outcome: Exclude<AssignOutcome, 'assigned'>) {
    super(outcome);
  }
}

/**
 * What a routing write may still land on: `queued`, an active ticket nobody is assigned (pickups, the
 * queue sweep); `unrouted`, an active ticket with neither team nor assignee (the sweep routing tickets
 * that intake left unrouted) — one that got a team meanwhile is someone else's routing and is refused.
 */
export type WaitingFor = 'queued' | 'unrouted';

/**
 * Writes a pickup onto a ticket that is still waiting: team, assignee, explanation, an `assigned` audit
 * event by the system (`data.by`: `how`) and `ticket.assigned`. Writes nothing for a ticket that was
 * assigned or finished meanwhile (or, `unrouted`, given a team), telling apart one a concurrent router
 * gave to the same agent (`already-theirs`: their claim must stay). The write is an ordinary ticket
 * change (`changeTicket`): a concurrent unrelated change (a reply) is retried on the fresh version, and
 * the SLA follows the new team and assignee.
 */
export function ticketAssigner(
  deps: TicketDeps,
  how: 'pickup' | 'sweep' = 'pickup',
  waiting: WaitingFor = 'queued',
): TicketAssigner {
  return {
    async assign(ticketId, change) {
      try {
        await changeTicket(ticketId, systemActor(), undefined, deps, (current, now) => {
          if (!isActive(current.status)) throw new NoLongerWaiting('not-waiting');
          if (current.assignee !== null)
            throw new NoLongerWaiting(
              current.assignee === change.assignee ? 'already-theirs' : 'not-waiting',
            );
          if (waiting === 'unrouted' && current.team !== null) throw new NoLongerWaiting('not-waiting');
          const next: Ticket = {
            ...touch(current, now),
            team: change.team,
            assignee: change.assignee,
            routing: change.routing,
          };
          const audit = auditEvent(
            deps.ids.next(),
            ticketId,
            'assigned',
            systemActor(),
            now,
            next.version,
            assignedData(next, change.routing, how),
          );
          return {
            ticket: next,
            audit: [audit],
            events: [assignedEvent(deps.ids.next(), next, change.routing.reason)],
          };
        });
        deps.metrics.count(change.assignee ? 'TicketsRouted' : 'TicketsQueued', 1, { team: change.team });
        return 'assigned';
      } catch (error) {
        if (error instanceof NoLongerWaiting) return error.outcome;
        if (isNotFound(error)) return 'not-waiting';
        throw error;
      }
    },
  };
}

/**
 * Hands an agent queued work they qualify for, until they are full (see `pickUpQueuedWork`). Never
 * throws: a failure is logged and the work stays queued for the next trigger.
 */
export async function pickUpFor(
  agentId: string,
  deps: TicketDeps,
  config?: RoutingConfig | null,
): Promise<PickedUp[]> {
  const { routing } = deps;
  try {
    const current = config === undefined ? await routing.config.get() : config;
    if (!current) return [];
    return await pickUpQueuedWork(agentId, current, {
      agents: routing.agents,
      clock: deps.clock,
      logger: deps.logger,
      queue: ticketQueue(deps.tickets, deps.logger),
      tickets: ticketAssigner(deps),
    });
  } catch (error) {
    deps.logger.error('routing.pickup_failed', { agentId, error: message(error) });
    return [];
  }
}
