import { correlationOf, lambda, ticketDeps } from '#shared/runtime/lambda.ts';
import { approvalDeadlineHandler } from './task.ts';

export const handler = lambda(approvalDeadlineHandler(ticketDeps()), correlationOf.approvalTimer);
