import { ApprovalTimerInput, type ApprovalTimerStep } from '#shared/domain/approval/delegation.ts';
import { type ApprovalTimerDeps, computeDelegationDeadline } from '#shared/use-cases/approval-delegation.ts';

/**
 * The approval timer's ComputeDelegationDeadline task (`{approvalId, stage}` in, `$.timer` out), given
 * its dependencies: the deployed Lambda (handler.ts) and the local runtime bind the same code.
 */
export function approvalDeadlineHandler(deps: ApprovalTimerDeps) {
  return async (event: unknown): Promise<ApprovalTimerStep> =>
    computeDelegationDeadline(ApprovalTimerInput.parse(event), deps);
}
