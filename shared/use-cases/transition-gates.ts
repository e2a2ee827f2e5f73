import type { Actor } from '../domain/actor.ts';
import type { Status } from '../domain/ticket/lifecycle.ts';
import type { Ticket } from '../domain/ticket/ticket.entity.ts';
import type { TicketDeps } from './deps.ts';

/** A move about to be written: the ticket as it is, where it goes, and what the caller asked. */
export interface GatedMove {
  current: Ticket;
  to: Status;
  reason?: string;
  /** A supervisor's override of a gate that allows one (audited with `reason`). */
  force?: boolean;
  actor: Actor;
}

/**
 * Something that may hold a lifecycle move back (open child tickets, a pending approval): `check` throws
 * the DomainError that explains the refusal (a 409 naming what holds the ticket), or returns.
 */
export interface TransitionGate {
  name: string;
  check(move: GatedMove, deps: TicketDeps): Promise<void>;
}

/** Every gate, in the order they are asked. A new gate is a module and a line here. */
export const transitionGates: TransitionGate[] = [];

/** Asks each gate about `move`; the first refusal is thrown. */
export async function checkTransitionGates(
  move: GatedMove,
  deps: TicketDeps,
  gates: readonly TransitionGate[] = transitionGates,
): Promise<void> {
  for (const gate of gates) await gate.check(move, deps);
}
