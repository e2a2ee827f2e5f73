import { correlationOf, lambda, platform, ticketDeps } from '#shared/runtime/lambda.ts';
import { wireSlaEvaluate } from '#shared/runtime/wire-sla-timer.ts';
import { slaEvaluateHandler } from './task.ts';

export const handler = lambda(
  slaEvaluateHandler(wireSlaEvaluate(process.env, platform(), ticketDeps())),
  correlationOf.stepFunctions,
);
