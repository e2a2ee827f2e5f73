import { correlationOf, lambda, ticketDeps } from '#shared/runtime/lambda.ts';
import { wireSlaCheckpoint } from '#shared/runtime/wire-sla-timer.ts';
import { slaCheckpointHandler } from './task.ts';

export const handler = lambda(
  slaCheckpointHandler(wireSlaCheckpoint(ticketDeps())),
  correlationOf.stepFunctions,
);
