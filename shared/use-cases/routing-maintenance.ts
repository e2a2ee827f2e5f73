import { type Agent, isAvailable, localTimeAt } from '../domain/routing/agent.ts';
import { indexAgents } from '../domain/routing/agent-pool.ts';
import { decide, queueOrder } from '../domain/routing/decide.ts';
import { activeStatuses, type Status } from '../domain/ticket/lifecycle.ts';
import type { Ticket } from '../domain/ticket/ticket.entity.ts';
import type { TicketStore } from '../domain/ticket/ticket.store.ts';
import type { TicketDeps } from './deps.ts';
import { queuesServedBy, routeTicket } from './route-ticket.ts';
import { ticketAssigner, ticketQueue } from './ticket-routing.ts';

/** How much one maintenance run may do; the defaults suit a run every minute. */
export interface MaintenanceOptions {
  /**
   * Claims, and assignments without a claim, younger than this are left alone: the ticket write (or the
   * claim) that completes them may still be in flight. Default 5 minutes, far above any function's
   * timeout between a claim and its ticket write.
   */
  graceMs?: number;
  /** Agents whose claims are compared with their tickets per run (a window that moves each minute). */
  maxAgents?: number;
  /** Queued tickets the sweep routes (fresh agent reads and claims) per run. */
  maxRoutes?: number;
  /**
   * Tickets without a team (intake left them unrouted) routed per run, oldest first: a budget of its
   * own, so a backlog of them never starves the queues' `maxRoutes`.
   */
  maxUnrouted?: number;
  /** Asked before each agent and each ticket: true stops the run early (the Lambda's time is running out). */
  shouldStop?: () => boolean;
}

export const maintenanceDefaults = {
  graceMs: 5 * 60_000,
  maxAgents: 100,
  maxRoutes: 100,
  maxUnrouted: 50,
} as const;

export interface ReconcileReport {
  /** Agents checked this run. */
  agents: number;
  /** Claims looked at. */
  claims: number;
  /** Claims and unheld assignments younger than the grace period, left alone. */
  young: number;
  /** Orphaned claims given back: no ticket, ticket finished, or assigned to someone else. */
  released: number;
  /** Tickets assigned to an agent who did not hold them, now claimed. */
  unheldClaimed: number;
  /** …which could not be claimed (agent full, away or gone); logged, left assigned. */
  unheldUnclaimed: number;
  /** Stopped before the window was done (`shouldStop`). */
  truncated: boolean;
}

export interface SweepReport {
  /** No routing configuration stored: nothing routed. */
  skipped: boolean;
  /** Agents online, on shift and below capacity when the run started. */
  freeAgents: number;
  /** Waiting tickets read from the queues those agents serve. */
  queued: number;
  /** Tickets routed for real (someone in the snapshot could take them). */
  tried: number;
  assigned: number;
  /** Another router gave the ticket to the same agent first. */
  alreadyAssigned: number;
  /** Claimed, but the ticket was taken by someone else meanwhile: claim given back. */
  taken: number;
  /** Nobody could be claimed after all (the snapshot was stale): still queued. */
  stillQueued: number;
  failed: number;
  /** Stopped at `maxRoutes` or `shouldStop` with tickets left: the next run goes on. */
  truncated: boolean;
}

export interface UnroutedReport {
  /** No routing configuration stored: nothing read, nothing routed. */
  skipped: boolean;
  /** Active tickets with neither team nor assignee read this run (the oldest, up to `maxUnrouted`). */
  found: number;
  /** Routed onto a person. */
  assigned: number;
  /** Given a team, nobody free in it: now in that team's queue (the queue sweep's from here on). */
  queued: number;
  /** Another router (a concurrent run) gave the ticket to the same agent first. */
  alreadyAssigned: number;
  /** Got a team or an assignee, or finished, before this run's write: left alone (any claim given back). */
  taken: number;
  failed: number;
  /** More were waiting than `maxUnrouted`, or `shouldStop` cut the run short: the next run goes on. */
  truncated: boolean;
}

const isActive = (status: Status) => activeStatuses.includes(status);
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const byId = (a: Agent, b: Agent) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byAge = (a: Ticket, b: Ticket) =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
/** Active tickets read per agent and status; an agent holds far fewer. */
const maxAssignedRead = 500;

/**
 * The `size` agents checked this run: all of them when they fit, else a window whose start moves by
 * `size` every minute, so runs a minute apart cover everyone in ⌈n / size⌉ minutes without keeping state.
 */
function windowOf(agents: readonly Agent[], now: Date, size: number): Agent[] {
  if (agents.length <= size) return [...agents];
  const start = (Math.floor(now.getTime() / 60_000) * size) % agents.length;
  return [...agents.slice(start), ...agents.slice(0, start)].slice(0, size);
}

/** The agent's active tickets, from the assignee index (may lag a write by a moment). */
async function activeAssigned(tickets: TicketStore, agentId: string): Promise<Ticket[]> {
  const lists = await Promise.all(
    activeStatuses.map(async (status) => {
      const out: Ticket[] = [];
      let cursor: string | undefined;
      do {
        const page = await tickets.list(
          { assignee: agentId, status },
          { limit: 100, ...(cursor ? { cursor } : {}) },
        );
        out.push(...page.items.filter((t) => t.assignee === agentId));
        cursor = page.cursor;
      } while (cursor && out.length < maxAssignedRead);
      return out;
    }),
  );
  return lists.flat();
}

/**
 * Compares agents' claims with their tickets and repairs what drifted.
 *
 * 1. Pick this run's window of agents (all of them, up to `maxAgents`).
 * 2. For each, read the claims it holds (consistently) and its active tickets (assignee index).
 * 3. A claim older than the grace period whose ticket is gone, finished or someone else's (checked with
 *    a consistent read) is an orphan: release it — only if nobody claimed it again since.
 * 4. An active ticket assigned to the agent, unchanged for the grace period, that the agent does not
 *    hold: log it and claim it (conditional as ever: refused when the agent is full or away).
 */
export async function reconcileClaims(
  deps: TicketDeps,
  options: MaintenanceOptions = {},
): Promise<ReconcileReport> {
  const routing = deps.routing;
  const graceMs = options.graceMs ?? maintenanceDefaults.graceMs;
  const report: ReconcileReport = {
    agents: 0,
    claims: 0,
    young: 0,
    released: 0,
    unheldClaimed: 0,
    unheldUnclaimed: 0,
    truncated: false,
  };
  const now = deps.clock.now();
  const cutoff = new Date(now.getTime() - graceMs);
  const old = (at: string | null) => at === null || at <= cutoff.toISOString();
  const agents = (await routing.agents.list()).sort(byId);

  for (const agent of windowOf(agents, now, options.maxAgents ?? maintenanceDefaults.maxAgents)) {
    if (options.shouldStop?.()) {
      report.truncated = true;
      break;
    }
    report.agents++;
    const [claims, assigned] = await Promise.all([
      routing.agents.heldClaims(agent.id),
      activeAssigned(deps.tickets, agent.id),
    ]);
    const assignedIds = new Set(assigned.map((t) => t.id));
    const heldIds = new Set(claims.map((c) => c.ticketId));

    for (const claim of claims) {
      report.claims++;
      if (assignedIds.has(claim.ticketId)) continue;
      if (!old(claim.claimedAt)) {
        report.young++;
        continue;
      }
      const ticket = await deps.tickets.get(claim.ticketId);
      if (ticket && isActive(ticket.status) && ticket.assignee === agent.id) continue; // the index lagged
      if (await routing.agents.release(agent.id, claim.ticketId, { claimedBefore: cutoff })) {
        report.released++;
        deps.logger.info('routing.orphan_released', {
          agentId: agent.id,
          ticketId: claim.ticketId,
          why: !ticket ? 'no ticket' : !isActive(ticket.status) ? ticket.status : 'assigned elsewhere',
          claimedAt: claim.claimedAt,
        });
      }
    }

    for (const listed of assigned) {
      if (heldIds.has(listed.id)) continue;
      if (!old(listed.updatedAt)) {
        report.young++;
        continue;
      }
      const ticket = await deps.tickets.get(listed.id);
      if (!ticket || !isActive(ticket.status) || ticket.assignee !== agent.id || !old(ticket.updatedAt))
        continue;
      const claimed = await routing.agents.claim(agent.id, ticket.id, { channel: ticket.channel, at: now });
      const drift = { agentId: agent.id, ticketId: ticket.id, claimed };
      if (claimed) {
        report.unheldClaimed++;
        deps.logger.info('routing.unheld_assignment', drift);
      } else {
        // Full, away or gone: the ticket stays theirs (a person or an escalation chose them), uncounted.
        report.unheldUnclaimed++;
        deps.logger.warn('routing.unheld_assignment', drift);
      }
    }
  }
  return report;
}

/** The oldest `max` active tickets with neither team nor assignee, read per status (oldest first). */
async function unroutedTickets(
  tickets: TicketStore,
  max: number,
): Promise<{ items: Ticket[]; more: boolean }> {
  const pages = await Promise.all(
    activeStatuses.map((status) => tickets.list({ status, unrouted: true }, { limit: max, order: 'oldest' })),
  );
  const all = pages.flatMap((p) => p.items).sort(byAge);
  return { items: all.slice(0, max), more: all.length > max || pages.some((p) => p.cursor) };
}

/**
 * Routes tickets intake left unrouted — created while no routing configuration was stored, or while
 * routing failed (`routing.failed`): they have no team, so no queue holds them and no pickup or queue
 * sweep would ever see them. Each gets the routing intake would have given it, at its waiting time.
 *
 * 1. Read the routing configuration; none stored means routing is still off: do nothing.
 * 2. Read the oldest active tickets with neither team nor assignee (`maxUnrouted`), highest priority
 *    first among them, each re-read consistently (the index may lag a write that routed it).
 * 3. `routeTicket`, as at intake: the rule's team, the best free agent strictest step first, claimed
 *    with the conditional write, the next on a lost race; nobody free: the team's queue.
 * 4. Write team, assignee (null: queued) and the explanation through `TicketAssigner` (`mutateTicket`,
 *    `assigned` audit event by the system with `by: "sweep"`, `ticket.assigned`), refused unless the
 *    ticket is still active with neither team nor assignee; a refused write gives the claim back, unless
 *    a concurrent run chose the same agent (`already-theirs`: the one claim is what the ticket rests on).
 */
export async function routeUnrouted(
  deps: TicketDeps,
  options: MaintenanceOptions = {},
): Promise<UnroutedReport> {
  const routing = deps.routing;
  const report: UnroutedReport = {
    skipped: false,
    found: 0,
    assigned: 0,
    queued: 0,
    alreadyAssigned: 0,
    taken: 0,
    failed: 0,
    truncated: false,
  };
  const config = await routing.config.get();
  if (!config) return { ...report, skipped: true };

  const { items, more } = await unroutedTickets(
    deps.tickets,
    options.maxUnrouted ?? maintenanceDefaults.maxUnrouted,
  );
  report.found = items.length;
  report.truncated = more;
  const assigner = ticketAssigner(deps, 'sweep', 'unrouted');
  for (const listed of items.sort(queueOrder)) {
    if (options.shouldStop?.()) {
      report.truncated = true;
      break;
    }
    try {
      const ticket = await deps.tickets.get(listed.id);
      if (!ticket || !isActive(ticket.status) || ticket.team !== null || ticket.assignee !== null) {
        report.taken++;
        continue;
      }
      const now = deps.clock.now();
      const result = await routeTicket(ticket, config, {
        agents: routing.agents,
        clock: deps.clock,
        logger: deps.logger,
      });
      const waited = Math.round((now.getTime() - Date.parse(ticket.createdAt)) / 60_000);
      const outcome = await assigner.assign(ticket.id, {
        team: result.team,
        assignee: result.assignee,
        routing: {
          ...result.routing,
          reason: `Routed by the sweep ${waited} min after it was created without a team (routing was off or failed). ${result.routing.reason}`,
        },
      });
      if (outcome === 'assigned') {
        if (result.assignee) report.assigned++;
        else report.queued++;
        deps.logger.info('routing.unrouted_routed', {
          ticketId: ticket.id,
          team: result.team,
          assignee: result.assignee,
          waitedMinutes: waited,
        });
      } else if (outcome === 'already-theirs') {
        report.alreadyAssigned++;
      } else {
        report.taken++;
        if (result.assignee) await routing.agents.release(result.assignee, ticket.id);
      }
    } catch (error) {
      // A claim made before the failure is the reconciler's to give back once it is old enough.
      report.failed++;
      deps.logger.error('routing.unrouted_failed', { ticketId: listed.id, error: message(error) });
    }
  }
  return report;
}

/**
 * Routes queued tickets that can now be assigned, with no agent event needed: a relaxation step that
 * unlocked with the ticket's waiting time, a shift that started, capacity freed by the reconciler or a
 * pickup that failed. Ticket-centred: each ticket gets the best agent `decide` finds, strictest step
 * first, exactly as at intake (docs/routing.md "Sweep").
 *
 * 1. Read every agent once; nothing to do unless someone is online, on shift and below capacity.
 * 2. Read the queues those agents may serve (`queuesServedBy`), highest priority first, then oldest.
 * 3. For each ticket, decide on that snapshot (no I/O); where someone could take it, `routeTicket`
 *    decides again on fresh loads and claims with the conditional write (next candidate on a lost race).
 * 4. Write the assignment through `TicketAssigner` (refused unless the ticket still waits); a ticket
 *    someone else took gives the claim back. Count the claim in the snapshot and go on.
 * 5. Stop after `maxRoutes` routed tickets, or when `shouldStop` says so; the next run goes on.
 */
export async function sweepQueues(deps: TicketDeps, options: MaintenanceOptions = {}): Promise<SweepReport> {
  const routing = deps.routing;
  const report: SweepReport = {
    skipped: false,
    freeAgents: 0,
    queued: 0,
    tried: 0,
    assigned: 0,
    alreadyAssigned: 0,
    taken: 0,
    stillQueued: 0,
    failed: 0,
    truncated: false,
  };
  const config = await routing.config.get();
  if (!config) return { ...report, skipped: true };

  const agents = await routing.agents.list();
  const localTime = localTimeAt(deps.clock.now());
  const free = agents.filter((a) => isAvailable(a, localTime) && a.load.total < a.capacity.max);
  report.freeAgents = free.length;
  if (!free.length) return report;

  const teams = [...new Set(free.flatMap((a) => queuesServedBy(a, config)))].sort();
  const waiting = (await ticketQueue(deps.tickets, deps.logger).queued(teams))
    .filter((t) => t.assignee === null && t.team !== null && isActive(t.status))
    .sort(queueOrder);
  report.queued = waiting.length;

  const pool = indexAgents(agents);
  const assigner = ticketAssigner(deps, 'sweep');
  const maxRoutes = options.maxRoutes ?? maintenanceDefaults.maxRoutes;
  for (const [i, ticket] of waiting.entries()) {
    if (report.tried >= maxRoutes || options.shouldStop?.()) {
      report.truncated = i < waiting.length;
      break;
    }
    const now = deps.clock.now();
    // A queued ticket routes within its own team, as a pickup does, so a transfer sticks.
    const pin = { team: ticket.team! };
    if (!decide(ticket, pool, config, now, pin).candidates.length) continue;
    report.tried++;
    try {
      const result = await routeTicket(
        ticket,
        config,
        { agents: routing.agents, clock: deps.clock, logger: deps.logger },
        pin,
      );
      if (!result.assignee) {
        report.stillQueued++;
        continue;
      }
      const waited = Math.round((now.getTime() - Date.parse(ticket.createdAt)) / 60_000);
      const outcome = await assigner.assign(ticket.id, {
        team: result.team,
        assignee: result.assignee,
        routing: {
          ...result.routing,
          reason: `Re-routed by the queue sweep after ${waited} min in the ${ticket.team} queue. ${result.routing.reason}`,
        },
      });
      if (outcome === 'assigned') {
        report.assigned++;
        countClaim(pool.get(result.assignee), ticket, now);
        deps.logger.info('routing.swept', {
          ticketId: ticket.id,
          assignee: result.assignee,
          team: result.team,
          relaxed: result.routing.relaxed,
          waitedMinutes: waited,
        });
      } else if (outcome === 'already-theirs') {
        report.alreadyAssigned++;
      } else {
        report.taken++;
        await routing.agents.release(result.assignee, ticket.id);
      }
    } catch (error) {
      // A claim made before the failure is the reconciler's to give back once it is old enough.
      report.failed++;
      deps.logger.error('routing.sweep_failed', { ticketId: ticket.id, error: message(error) });
    }
  }
  return report;
}

/** The snapshot learns of a claim this run made, so the next decisions on it see the agent's new load. */
function countClaim(agent: Agent | undefined, ticket: Ticket, now: Date) {
  if (!agent) return;
  agent.load.total++;
  agent.load.byChannel[ticket.channel] = (agent.load.byChannel[ticket.channel] ?? 0) + 1;
  agent.lastAssignedAt = now.toISOString();
}

export interface MaintenanceReport {
  reconcile: ReconcileReport | null;
  unrouted: UnroutedReport | null;
  sweep: SweepReport | null;
  /** The parts that failed (logged); the others still ran. */
  failed: ('reconcile' | 'unrouted' | 'sweep')[];
  durationMs: number;
}

/**
 * One maintenance run, every minute (Lambda `routing-sweep`, and the local runtime on its clock):
 * reconcile claims first, so capacity they free is used in the same run; then route tickets intake left
 * without a team (they have waited longest, and none of the queues holds them); then sweep the queues.
 * Logs one line of counts (no ticket content). Never throws: a failing part is logged and reported in
 * `failed`, and the next run starts afresh. Safe to run concurrently with itself and with intake: every
 * claim is conditional and every ticket write refuses a ticket that stopped waiting.
 */
export async function maintainRouting(
  deps: TicketDeps,
  options: MaintenanceOptions = {},
): Promise<MaintenanceReport> {
  const started = performance.now();
  const out: MaintenanceReport = { reconcile: null, unrouted: null, sweep: null, failed: [], durationMs: 0 };
  try {
    out.reconcile = await reconcileClaims(deps, options);
  } catch (error) {
    out.failed.push('reconcile');
    deps.logger.error('routing.reconcile_failed', { error: message(error) });
  }
  try {
    out.unrouted = await routeUnrouted(deps, options);
  } catch (error) {
    out.failed.push('unrouted');
    deps.logger.error('routing.unrouted_failed', { error: message(error) });
  }
  try {
    out.sweep = await sweepQueues(deps, options);
  } catch (error) {
    out.failed.push('sweep');
    deps.logger.error('routing.sweep_failed', { error: message(error) });
  }
  out.durationMs = Math.round(performance.now() - started);
  deps.logger.info('routing.maintenance', {
    reconcile: out.reconcile,
    unrouted: out.unrouted,
    sweep: out.sweep,
    failed: out.failed,
    durationMs: out.durationMs,
  });
  return out;
}
