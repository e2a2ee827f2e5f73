import type { ScheduledEvent } from 'aws-lambda';
import type { OutboxDispatcher } from '#shared/reactions/dispatcher.ts';
import { lambda } from '#shared/runtime/lambda.ts';
import { dispatcher } from '#shared/runtime/lambda-reactions.ts';

/** Records per run; a larger backlog drains over the next minutes. */
const perRun = 200;

/**
 * Every minute: dispatches again the outbox records whose reactions failed and are due for another
 * attempt (a record enters the retry index only when one of its reactions failed).
 */
export function outboxRetryHandler(dispatcher: Pick<OutboxDispatcher, 'retryDue'>) {
  return async (_event: ScheduledEvent) => ({ dispatched: await dispatcher.retryDue(perRun) });
}

export const handler = lambda(outboxRetryHandler(dispatcher()), (event: ScheduledEvent) => event.id);
