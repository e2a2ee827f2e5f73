import { SlaTimerInput, type SlaTimerStep } from '#shared/domain/sla/timer.ts';
import { evaluateCheckpoint, type SlaTimerDeps } from '#shared/domain/sla/timer-steps.ts';
import { correlationOf, lambda, platform, ticketDeps } from '#shared/runtime/lambda.ts';
import { wireSlaEvaluate } from '#shared/runtime/wire-sla-timer.ts';

/**
 * The SLA timer's EvaluateCheckpoint task: applies what is due (idempotently, through the action sink)
 * and returns the next checkpoint into `$.timer`. Built from its dependencies, like
 * `slaCheckpointHandler`.
 */
export function slaEvaluateHandler(deps: SlaTimerDeps) {
  return async (event: unknown): Promise<SlaTimerStep> =>
    evaluateCheckpoint(SlaTimerInput.parse(event), deps);
}

let deployed: ReturnType<typeof build> | undefined;
const build = () =>
  lambda(
    slaEvaluateHandler(wireSlaEvaluate(process.env, platform(), ticketDeps())),
    correlationOf.stepFunctions,
  );

/** The deployed Lambda's entry, built on first use like the ComputeCheckpoint one (see there). */
export const handler: ReturnType<typeof build> = ((event, context) => {
  deployed ??= build();
  return deployed(event, context);
}) as ReturnType<typeof build>;
