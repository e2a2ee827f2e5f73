import { SlaTimerInput, type SlaTimerStep } from '#shared/domain/sla/timer.ts';
import { evaluateCheckpoint, type SlaTimerDeps } from '#shared/domain/sla/timer-steps.ts';

/**
 * The SLA timer's EvaluateCheckpoint task: applies what is due (idempotently, through the action sink)
 * and returns the next checkpoint into `$.timer`. Given its dependencies, like `slaCheckpointHandler`.
 */
export function slaEvaluateHandler(deps: SlaTimerDeps) {
  return async (event: unknown): Promise<SlaTimerStep> =>
    evaluateCheckpoint(SlaTimerInput.parse(event), deps);
}
