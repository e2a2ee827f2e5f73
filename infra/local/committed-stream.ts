import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { Logger } from '#shared/domain/ports.ts';
import type { OutboxRef } from '#shared/domain/ticket/outbox.store.ts';
import type { OutboxRecord } from '#shared/domain/ticket/ticket-change.ts';

export interface LocalStream {
  /** Hands the outbox record of a change that just committed to the dispatcher. */
  committed(record: OutboxRecord): void;
  /** Resolves once every record handed over so far has been dispatched. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** Records per batch, as the stack's event source mapping delivers them. */
const batchSize = 25;

/**
 * The table's stream as the `ticket-changed` function sees it, in process: the outbox record of every
 * committed change, in commit order, handed in batches to the same handler the Lambda runs, in the same
 * event shape (the stack's mapping filters the stream down to exactly these INSERTs). A batch item
 * failure is retried from that record after a pause, as the mapping does. The records are taken from
 * the write itself rather than read back from DynamoDB Local's stream, which would make this one Node
 * process parse every item image of every write; what a killed process had not dispatched is found
 * again at start (`dispatcher.recover()`).
 */
export function committedStream(input: {
  handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;
  /** Told the records each batch got through (dispatched, or set to be retried by the sweep). */
  dispatched: (refs: OutboxRef[]) => void;
  logger: Logger;
  /** Pause before retrying a failed batch. Default 1 s. */
  retryMs?: number;
}): LocalStream {
  const queue: { event: DynamoDBRecord; ref: OutboxRef }[] = [];
  let sequence = 0;
  let stopped = false;
  let wake: (() => void) | undefined;
  let waking = false;
  const idleWaiters: (() => void)[] = [];

  const sleep = (ms?: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      wake = done;
    });

  const loop = (async () => {
    while (!stopped) {
      if (!queue.length) {
        for (const resolve of idleWaiters.splice(0)) resolve();
        await sleep();
        continue;
      }
      const batch = queue.slice(0, batchSize).map((q) => q.event);
      let failedAt: string | undefined;
      try {
        failedAt = (await input.handler({ Records: batch })).batchItemFailures[0]?.itemIdentifier;
      } catch (error) {
        failedAt = batch[0]?.dynamodb?.SequenceNumber;
        input.logger.error('stream.batch_failed', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
      const done = failedAt ? batch.findIndex((r) => r.dynamodb?.SequenceNumber === failedAt) : batch.length;
      input.dispatched(queue.splice(0, Math.max(0, done)).map((q) => q.ref));
      if (failedAt) await sleep(input.retryMs ?? 1000);
    }
    for (const resolve of idleWaiters.splice(0)) resolve();
  })();

  return {
    committed(record) {
      queue.push({
        event: {
          eventID: `local-${++sequence}`,
          eventName: 'INSERT',
          eventSource: 'aws:dynamodb',
          dynamodb: {
            SequenceNumber: String(sequence).padStart(21, '0'),
            NewImage: { entity: { S: 'outbox' }, recordJson: { S: JSON.stringify(record) } },
            StreamViewType: 'NEW_AND_OLD_IMAGES',
          },
        },
        ref: { ticketId: record.ticketId, recordId: record.id },
      });
      // After what is already queued on the event loop (the response to the request that wrote it),
      // as a stream's records arrive after the write: reactions never delay the answer.
      if (wake && !waking) {
        waking = true;
        setImmediate(() => {
          waking = false;
          wake?.();
        });
      }
    },
    idle() {
      if (!queue.length) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
