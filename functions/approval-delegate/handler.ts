import { correlationOf, lambda, ticketDeps } from '#shared/runtime/lambda.ts';
import { approvalDelegateHandler } from './task.ts';

export const handler = lambda(approvalDelegateHandler(ticketDeps()), correlationOf.approvalTimer);
