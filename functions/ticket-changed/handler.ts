import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { dispatchStreamBatch } from '#shared/adapters/dynamo/outbox-stream.ts';
import type { OutboxDispatcher } from '#shared/reactions/dispatcher.ts';
import { lambda } from '#shared/runtime/lambda.ts';
import { dispatcher } from '#shared/runtime/lambda-reactions.ts';

/**
 * The "ticket changed" dispatcher in AWS: the ticket table's stream (new outbox records only, by the
 * event source mapping's filter) → the reactions of each record. A reaction that fails is retried on
 * its own schedule by the retry sweep (`outbox-retry`) and dead-lettered after its last attempt; only a
 * failure to dispatch at all (the table) fails the batch, from the first such record on.
 */
export function ticketChangedHandler(dispatcher: Pick<OutboxDispatcher, 'dispatchAll'>) {
  return (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> =>
    dispatchStreamBatch(event, (items) => dispatcher.dispatchAll(items));
}

let deployed: ReturnType<typeof build> | undefined;
const build = () =>
  lambda(ticketChangedHandler(dispatcher()), (event: DynamoDBStreamEvent) => event.Records[0]?.eventID);

export const handler: ReturnType<typeof build> = ((event, context) => {
  deployed ??= build();
  return deployed(event, context);
}) as ReturnType<typeof build>;
