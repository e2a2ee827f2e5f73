import { SlaTimerInput, type SlaTimerStep } from '#shared/domain/sla/timer.ts';
import { computeCheckpoint, type SlaTimerDeps } from '#shared/domain/sla/timer-steps.ts';

/**
 * The SLA timer's ComputeCheckpoint task (Step Functions invokes it with the state's `{ticketId,
 * version}` and gets `$.timer` back), given its dependencies: the deployed Lambda (handler.ts), the local
 * runtime and the workflow tests bind the same code. Kept apart from the Lambda entry so that they do
 * not load Powertools' Tracer (X-Ray's context tracking slows every promise of the process).
 */
export function slaCheckpointHandler(deps: SlaTimerDeps) {
  return async (event: unknown): Promise<SlaTimerStep> => computeCheckpoint(SlaTimerInput.parse(event), deps);
}
