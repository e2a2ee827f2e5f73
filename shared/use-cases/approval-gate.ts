import { pendingApprovers } from '../domain/approval/approval.entity.ts';
import { gateRefusal } from '../domain/approval/approval-policy.ts';
import { DomainError } from '../domain/errors.ts';
import type { Status } from '../domain/ticket/lifecycle.ts';
import type { Ticket } from '../domain/ticket/ticket.entity.ts';
import type { TicketDeps } from './deps.ts';

/**
 * The approvals gate (docs/collaboration.md, "Approvals"): under the approvals policy
 * (`CONFIG`/`approvals`), a ticket with a pending approval cannot make a gated move (resolve, close),
 * and a ticket the policy names (default: category `refund`) makes it only once an approval of it was
 * approved. Either refusal is a 409 naming the approval (`APPROVAL.PENDING`, `APPROVAL.REQUIRED`).
 * The transition's write is conditional on the ticket's version, and every approval change moves that
 * version, so an approval requested or decided meanwhile makes the move read again.
 * (A `TransitionGate`, typed by its shape: transition-gates.ts imports this module.)
 */
export const approvalGate = {
  name: 'approvals',
  async check(move: { current: Ticket; to: Status }, deps: TicketDeps): Promise<void> {
    const policy = await deps.approvals.policy();
    if (!policy.gatedStatuses.includes(move.to)) return;
    const approvals = await deps.approvals.listByTicket(move.current.id);
    const refusal = gateRefusal(move.current, move.to, approvals, policy);
    if (!refusal) return;
    const a = refusal.approval;
    const named = a
      ? { approvalId: a.id, status: a.status, pendingApprovers: pendingApprovers(a), reason: a.reason }
      : { approvalId: null };
    if (refusal.reason === 'pending') {
      throw new DomainError(
        'conflict',
        'APPROVAL.PENDING',
        `Ticket ${move.current.number} cannot be ${move.to} while approval ${a!.id} is pending`,
        { ticketId: move.current.id, to: move.to, approval: named },
      );
    }
    throw new DomainError(
      'conflict',
      'APPROVAL.REQUIRED',
      a
        ? `Ticket ${move.current.number} needs an approved approval before it is ${move.to}; approval ${a.id} is ${a.status}`
        : `Ticket ${move.current.number} needs an approved approval before it is ${move.to}; request one first`,
      { ticketId: move.current.id, to: move.to, approval: named },
    );
  },
};
