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

/**
 * Agents and their live load. `claim` is the only way load goes up and is safe under concurrency: it
 * succeeds only while the agent is online and below capacity (overall and for the channel), so no
 * agent ever holds more than their capacity however many routers race.
 */
export interface AgentStore {
  /** Creates or replaces an agent's profile; live load and `lastAssignedAt` are kept. */
  put(profile: AgentProfile): Promise<Agent>;
  get(id: string): Promise<Agent | null>;
  list(): Promise<Agent[]>;
  listByTeam(team: string): Promise<Agent[]>;
  /** Sets availability; null if there is no such agent. */
  setAvailability(id: string, availability: Availability): Promise<Agent | null>;
  /**
   * Takes one unit of the agent's capacity for `ticketId`. False when the agent is not online, is at
   * capacity (or at the channel's cap) or does not exist. Claiming a ticket the agent already holds
   * succeeds without counting it twice.
   */
  claim(agentId: string, ticketId: string, options?: ClaimOptions): Promise<boolean>;
  /**
   * Gives the capacity back. With `ticketId`, only if the agent holds that ticket (so a replayed
   * release changes nothing); without, one unit, never below zero. False when nothing was released.
   */
  release(agentId: string, ticketId?: string): Promise<boolean>;
}

/** Tickets waiting in team queues: unassigned, still active. */
export interface QueueLookup {
  /** Waiting tickets of these teams (any order; routing sorts them). */
  queued(teams: readonly string[]): Promise<Ticket[]>;
}

/** Writes a routing outcome onto a ticket. */
export interface TicketAssigner {
  /**
   * Sets team, assignee and routing on a ticket that is still waiting unassigned; false (writing
   * nothing) if it was assigned, closed or changed meanwhile.
   */
  assign(
    ticketId: string,
    change: { team: string; assignee: string; routing: TicketRouting },
  ): Promise<boolean>;
}
