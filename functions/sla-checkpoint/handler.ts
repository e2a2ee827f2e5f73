import { SlaTimerInput, type SlaTimerStep } from '#shared/domain/sla/timer.ts';
import { computeCheckpoint, type SlaTimerDeps } from '#shared/domain/sla/timer-steps.ts';

/**
 * The SLA timer's ComputeCheckpoint task (Step Functions invokes it with the state's `{ticketId,
 * version}` and gets `$.timer` back). Built from its dependencies so the deployed Lambda, the local
 * runtime and the workflow tests bind the same code; the store-backed dependencies arrive with the
 * wiring of the timer into the API.
 */
export function slaCheckpointHandler(deps: SlaTimerDeps) {
  return async (event: unknown): Promise<SlaTimerStep> => computeCheckpoint(SlaTimerInput.parse(event), deps);
}
