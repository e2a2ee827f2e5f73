import type { ScheduledEvent } from 'aws-lambda';
import type { OutboxDispatcher } from '#shared/reactions/dispatcher.ts';
import { lambda } from '#shared/runtime/lambda.ts';
import { dispatcher } from '#shared/runtime/lambda-reactions.ts';

/** Records per run; a larger backlog drains over the next minutes. */
const perRun = 200;

/**
 * Every minute: dispatches the outbox records whose failed reactions are due for another attempt, and
 * any record the stream did not finish (it enters the sweep's view a minute after its change).
 */
export function outboxRetryHandler(dispatcher: Pick<OutboxDispatcher, 'retryDue'>) {
  return async (_event: ScheduledEvent) => ({ dispatched: await dispatcher.retryDue(perRun) });
}

let deployed: ReturnType<typeof build> | undefined;
const build = () => lambda(outboxRetryHandler(dispatcher()), (event: ScheduledEvent) => event.id);

export const handler: ReturnType<typeof build> = ((event, context) => {
  deployed ??= build();
  return deployed(event, context);
}) as ReturnType<typeof build>;
