import { SlaTimerInput, type SlaTimerStep } from '#shared/domain/sla/timer.ts';
import { evaluateCheckpoint, type SlaTimerDeps } from '#shared/domain/sla/timer-steps.ts';
import { slaEvaluateLambdaDeps } from '#shared/runtime/sla-lambda-deps.ts';

/**
 * The SLA timer's EvaluateCheckpoint task: applies what is due (idempotently, through the action sink)
 * and returns the next checkpoint into `$.timer`. Built from its dependencies, like
 * `slaCheckpointHandler`.
 */
export function slaEvaluateHandler(deps: SlaTimerDeps) {
  return async (event: unknown): Promise<SlaTimerStep> =>
    evaluateCheckpoint(SlaTimerInput.parse(event), deps);
}

let deployed: ((event: unknown) => Promise<SlaTimerStep>) | undefined;

/** The deployed Lambda's entry, built on first use like the ComputeCheckpoint one (see there). */
export const handler = (event: unknown) => {
  deployed ??= slaEvaluateHandler(slaEvaluateLambdaDeps());
  return deployed(event);
};
