import type { Channel } from '../actor.ts';
import type { Ticket } from '../ticket/ticket.entity.ts';
import type { Agent, AgentProfile, Availability } from './agent.ts';
import type { TicketRouting } from './decide.ts';

export interface ClaimOptions {
  /** The ticket's channel, counted against the agent's per-channel cap. */
  channel?: Channel;
  /** Recorded as the agent's `lastAssignedAt` (defaults to the store's clock). */
  at?: Date;
}

export interface ReleaseOptions {
  /**
   * Release only a claim made (or renewed) no later than this. A claim renewed since — a router that
   * is about to write the ticket — is kept, and `release` answers false.
   */
  claimedBefore?: Date;
}

/** One unit of capacity an agent holds for a ticket (`claim`), as the reconciler sees it. */
export interface HeldClaim {
  ticketId: string;
  /** The ticket's channel as counted against a per-channel cap; null when none was given. */
  channel: Channel | null;
  /**
   * When the claim was made or last renewed (a repeated claim renews it), ISO 8601. For a claim stored
   * before claim times were kept: the agent's `lastAssignedAt`, which no claim of theirs is later than.
   * Null when neither is known.
   */
  claimedAt: string | null;
}

/**
 * Agents and their live load. `claim` is the only way load goes up and is safe under concurrency: it
 * succeeds only while the agent is online and below capacity (overall and for the channel), so no
 * agent ever holds more than their capacity however many routers race.
 */
export interface AgentStore {
  /** Creates or replaces an agent's profile; live load and `lastAssignedAt` are kept. */
  /**
   * Creates or replaces a profile (load is kept). With `options.expectedVersion` the write applies only
   * to that version of the profile (AGENT.VERSION_MISMATCH otherwise); without, a concurrent write is
   * retried on the fresh version.
   */
  put(
    profile: AgentProfile,
    options?: { expectedVersion?: number; by?: { id: string; name?: string } },
  ): Promise<Agent>;
  get(id: string): Promise<Agent | null>;
  list(): Promise<Agent[]>;
  listByTeam(team: string): Promise<Agent[]>;
  /** Sets availability; null if there is no such agent. */
  setAvailability(id: string, availability: Availability): Promise<Agent | null>;
  /**
   * Takes one unit of the agent's capacity for `ticketId`, recording when. False when the agent is not
   * online, is at capacity (or at the channel's cap) or does not exist. Claiming a ticket the agent
   * already holds succeeds without counting it twice, and renews the claim's time.
   */
  claim(agentId: string, ticketId: string, options?: ClaimOptions): Promise<boolean>;
  /**
   * Gives the capacity back. With `ticketId`, only if the agent holds that ticket (so a replayed
   * release changes nothing) and, with `claimedBefore`, only if it was not claimed again since; without
   * a ticket, one unit, never below zero. False when nothing was released.
   */
  release(agentId: string, ticketId?: string, options?: ReleaseOptions): Promise<boolean>;
  /** The tickets whose capacity the agent holds now, read consistently; empty for an unknown agent. */
  heldClaims(agentId: string): Promise<HeldClaim[]>;
}

/** Tickets waiting in team queues: unassigned, still active. */
export interface QueueLookup {
  /** Waiting tickets of these teams (any order; routing sorts them). */
  queued(teams: readonly string[]): Promise<Ticket[]>;
}

/**
 * What became of an assignment write:
 * - `assigned`: written;
 * - `already-theirs`: another router got there first and chose the same agent. Claims are idempotent
 *   per ticket, so both hold the one claim the ticket now rests on: keep it;
 * - `not-waiting`: the ticket went to someone else, was finished or is gone: release the claim.
 */
export type AssignOutcome = 'assigned' | 'already-theirs' | 'not-waiting';

/** Writes a routing outcome onto a ticket. */
export interface TicketAssigner {
  /**
   * Sets team, assignee and routing on a ticket that is still waiting unassigned; writes nothing
   * (`already-theirs`, `not-waiting`) if it was assigned, closed or changed meanwhile. A null assignee
   * places the ticket in `team`'s queue (for a ticket that had no team).
   */
  assign(
    ticketId: string,
    change: { team: string; assignee: string | null; routing: TicketRouting },
  ): Promise<AssignOutcome>;
}
