import { SlaTimerInput, type SlaTimerStep } from '#shared/domain/sla/timer.ts';
import { computeCheckpoint, type SlaTimerDeps } from '#shared/domain/sla/timer-steps.ts';
import { correlationOf, lambda, ticketDeps } from '#shared/runtime/lambda.ts';
import { wireSlaCheckpoint } from '#shared/runtime/wire-sla-timer.ts';

/**
 * The SLA timer's ComputeCheckpoint task (Step Functions invokes it with the state's `{ticketId,
 * version}` and gets `$.timer` back). Built from its dependencies so the deployed Lambda, the local
 * runtime and the workflow tests bind the same code; the store-backed dependencies arrive with the
 * wiring of the timer into the API.
 */
export function slaCheckpointHandler(deps: SlaTimerDeps) {
  return async (event: unknown): Promise<SlaTimerStep> => computeCheckpoint(SlaTimerInput.parse(event), deps);
}

let deployed: ReturnType<typeof build> | undefined;
const build = () =>
  lambda(slaCheckpointHandler(wireSlaCheckpoint(ticketDeps())), correlationOf.stepFunctions);

/**
 * The deployed Lambda's entry. Its dependencies come from the environment the stack sets and are built
 * on the first invocation rather than at import, because the local runtime and the tests import this
 * module for the factory above, where that environment does not exist.
 */
export const handler: ReturnType<typeof build> = ((event, context) => {
  deployed ??= build();
  return deployed(event, context);
}) as ReturnType<typeof build>;
