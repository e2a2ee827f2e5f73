import { ApprovalTimerInput, type ApprovalTimerStep } from '#shared/domain/approval/delegation.ts';
import { type ApprovalTimerDeps, delegateOverdueApprovers } from '#shared/use-cases/approval-delegation.ts';

/**
 * The approval timer's DelegateOverdueApprovers task: replaces the stage's overdue approvers by their
 * delegates through the ticket's write path (idempotent), and answers the next deadline.
 */
export function approvalDelegateHandler(deps: ApprovalTimerDeps) {
  return async (event: unknown): Promise<ApprovalTimerStep> =>
    delegateOverdueApprovers(ApprovalTimerInput.parse(event), deps);
}
