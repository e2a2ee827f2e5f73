import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { dispatchStreamBatch } from '#shared/adapters/dynamo/outbox-stream.ts';
import type { OutboxDispatcher } from '#shared/reactions/dispatcher.ts';

/**
 * The "ticket changed" dispatcher: the ticket table's stream (new outbox records only, by the event
 * source mapping's filter) → the reactions of each record. A reaction that fails is retried on its own
 * schedule by the retry sweep (`outbox-retry`) and dead-lettered after its last attempt; only a failure
 * to dispatch at all (the table) fails the batch, from the first such record on. The local runtime
 * hands its committed records to this same function.
 */
export function ticketChangedHandler(dispatcher: Pick<OutboxDispatcher, 'dispatchAll'>) {
  return (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> =>
    dispatchStreamBatch(event, (items) => dispatcher.dispatchAll(items));
}
