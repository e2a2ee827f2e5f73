import { correlationOf, lambda, ticketDeps } from '#shared/runtime/lambda.ts';
import { slaTimerDegradedHandler } from './task.ts';

export const handler = lambda(slaTimerDegradedHandler(ticketDeps()), correlationOf.stepFunctions);
