import { type Actor, hasAnyRole } from '../domain/actor.ts';
import { DomainError, validationError } from '../domain/errors.ts';
import type { Status } from '../domain/ticket/lifecycle.ts';
import type { Ticket } from '../domain/ticket/ticket.entity.ts';
import { approvalGate } from './approval-gate.ts';
import { openChildrenGate } from './child-ticket-gate.ts';
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
 * the DomainError that explains the refusal (a 409 naming what holds the ticket), or returns — on a
 * forced move, what it let through (`GateOverride`), for the move's audit event.
 */
export interface TransitionGate {
  name: string;
  // biome-ignore lint/suspicious/noConfusingVoidType: a gate with nothing to report returns nothing
  check(move: GatedMove, deps: TicketDeps): Promise<GateOverride | undefined | void>;
}

/** What a forced move overrode at one gate (e.g. the open children), kept in its audit event. */
export interface GateOverride {
  gate: string;
  [detail: string]: unknown;
}

/** Every gate, in the order they are asked. A new gate is a module and a line here. */
export const transitionGates: TransitionGate[] = [openChildrenGate, approvalGate];

/** Asks each gate about `move`; the first refusal is thrown. Returns what a forced move overrode. */
export async function checkTransitionGates(
  move: GatedMove,
  deps: TicketDeps,
  gates: readonly TransitionGate[] = transitionGates,
): Promise<GateOverride[]> {
  const overrides: GateOverride[] = [];
  for (const gate of gates) {
    const overridden = await gate.check(move, deps);
    if (overridden) overrides.push(overridden);
  }
  return overrides;
}

/**
 * A forced move (`force: true`) overrides the gates that allow it (open children); only a supervisor or
 * an admin may force, and only with a reason, which the move's audit event keeps (400 / 403 otherwise).
 */
export function assertMayForce(
  request: { force?: boolean | undefined; reason?: string | undefined },
  actor: Actor,
) {
  if (!request.force) return;
  if (!request.reason) {
    throw validationError('A forced move needs a reason', [
      { path: 'reason', message: 'Say why the move is forced', code: 'required' },
    ]);
  }
  if (!hasAnyRole(actor, ['supervisor', 'admin'])) {
    throw new DomainError(
      'forbidden',
      'TICKET.FORCE_FORBIDDEN',
      'Only a supervisor or an admin may force a move',
      {
        roles: ['supervisor', 'admin'],
      },
    );
  }
}
