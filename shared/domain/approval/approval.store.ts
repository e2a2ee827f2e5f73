import type { Approval } from './approval.entity.ts';
import type { ApprovalPolicy } from './approval-policy.ts';

/**
 * An approval written with its ticket's change (in the same transaction, `TicketWrite.approval`):
 * the approval as it should be, and as it was read (null when new). The store writes it on condition
 * that the stored version is still `previous.version`, and keeps each approver's "waiting on me" item
 * in step with who is pending.
 */
export interface ApprovalWrite {
  approval: Approval;
  previous: Approval | null;
}

/** One approval waiting on an approver, as their queue lists it (`GET /approvals?mine=pending`). */
export interface PendingApproval {
  approvalId: string;
  ticketId: string;
  ticketNumber: string;
  subject: string;
  reason: string;
  requestedBy: { id: string; name?: string };
  requestedAt: string;
  stage: number;
  stages: number;
  /** When this approver became pending (their stage started, or they took a delegate's place). */
  since: string;
  nudges: number;
}

/** Reads approvals and the approvals policy; approvals are written only with their ticket's change. */
export interface ApprovalStore {
  get(id: string): Promise<Approval | null>;
  /** A ticket's approvals, oldest first. */
  listByTicket(ticketId: string): Promise<Approval[]>;
  /** What waits on `agentId`, oldest first. */
  pendingFor(agentId: string): Promise<PendingApproval[]>;
  policy(): Promise<ApprovalPolicy>;
  /** Stores `next` (its version the stored one + 1) if the stored version is `expectedVersion`; false if not. */
  putPolicy(next: ApprovalPolicy, expectedVersion: number): Promise<boolean>;
}
