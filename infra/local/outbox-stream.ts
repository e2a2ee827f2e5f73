import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { Logger } from '#shared/domain/ports.ts';
import { localAwsConfig } from './dynamodb-local.ts';

interface ShardCursor {
  shardId: string;
  iterator: string | undefined;
  /** The last sequence number handed to the handler and not reported failed. */
  lastSequence: string | undefined;
}

export interface LocalStream {
  /** Wakes the poller now (a ticket was just written). */
  nudge(): void;
  /** Resolves once every record read so far has been handled. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The table's stream as Lambda's event source mapping reads it, for the local runtime: DynamoDB Local's
 * own stream (DescribeStream, GetRecords) read shard by shard, each batch handed to the same handler
 * the `ticket-changed` function runs, in the same event shape. A batch item failure is retried from
 * that record after a pause, as the mapping does; a shard that closes is followed by its children.
 * Reading starts at the stream's end: what a previous run left pending is the recovery's
 * (`dispatcher.recover()`), before this starts.
 */
export function localOutboxStream(input: {
  client: DynamoDBClient;
  endpoint: string;
  tableName: string;
  handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;
  logger: Logger;
  /** Poll interval while nothing happens (a write nudges it sooner). Default 250 ms. */
  idleMs?: number;
  /** Pause before retrying a failed batch. Default 1 s. */
  retryMs?: number;
}): Promise<LocalStream> {
  const streams = new DynamoDBStreamsClient(localAwsConfig(input.endpoint));
  const idleMs = input.idleMs ?? 250;
  const retryMs = input.retryMs ?? 1000;
  let stopped = false;
  let wake: (() => void) | undefined;
  const idleWaiters: (() => void)[] = [];
  let pending = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  async function start() {
    const { Table } = await input.client.send(new DescribeTableCommand({ TableName: input.tableName }));
    const streamArn = Table?.LatestStreamArn;
    if (!streamArn) throw new Error(`Table ${input.tableName} has no stream`);

    const cursors = new Map<string, ShardCursor>();
    const known = new Set<string>();
    const iteratorFor = async (shardId: string, type: ShardIteratorType, sequence?: string) =>
      (
        await streams.send(
          new GetShardIteratorCommand({
            StreamArn: streamArn,
            ShardId: shardId,
            ShardIteratorType: type,
            ...(sequence ? { SequenceNumber: sequence } : {}),
          }),
        )
      ).ShardIterator;

    /** Open shards not seen yet: the ones there now start at the end, later ones (children) at their start. */
    const discover = async (initial: boolean) => {
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
      for (const shard of StreamDescription?.Shards ?? []) {
        const id = shard.ShardId!;
        if (known.has(id)) continue;
        known.add(id);
        if (shard.SequenceNumberRange?.EndingSequenceNumber && initial) continue; // closed before we came
        cursors.set(id, {
          shardId: id,
          iterator: await iteratorFor(id, initial ? 'LATEST' : 'TRIM_HORIZON'),
          lastSequence: undefined,
        });
      }
    };
    await discover(true);

    const poll = async () => {
      let busy = false;
      for (const cursor of [...cursors.values()]) {
        if (!cursor.iterator) continue;
        let result: GetRecordsCommandOutput;
        try {
          result = await streams.send(new GetRecordsCommand({ ShardIterator: cursor.iterator, Limit: 100 }));
        } catch (error) {
          if (!(error instanceof ExpiredIteratorException)) throw error;
          cursor.iterator = cursor.lastSequence
            ? await iteratorFor(cursor.shardId, 'AFTER_SEQUENCE_NUMBER', cursor.lastSequence)
            : await iteratorFor(cursor.shardId, 'LATEST');
          continue;
        }
        const records = (result.Records ?? []) as unknown as DynamoDBRecord[];
        if (records.length) {
          busy = true;
          const response = await input.handler({ Records: records });
          const failed = response.batchItemFailures[0]?.itemIdentifier;
          if (failed) {
            // As the event source mapping does: retry the batch from the failed record, after a pause.
            cursor.iterator = await iteratorFor(cursor.shardId, 'AT_SEQUENCE_NUMBER', failed);
            await sleep(retryMs);
            continue;
          }
          cursor.lastSequence = records.at(-1)?.dynamodb?.SequenceNumber ?? cursor.lastSequence;
        }
        cursor.iterator = result.NextShardIterator;
        if (!cursor.iterator) {
          cursors.delete(cursor.shardId);
          await discover(false);
        }
      }
      return busy;
    };

    const loop = (async () => {
      while (!stopped) {
        let busy = false;
        try {
          pending = false;
          busy = await poll();
        } catch (error) {
          input.logger.error('stream.poll_failed', {
            error: error instanceof Error ? error.message : String(error),
          });
        }
        if (!busy && !pending) {
          for (const resolve of idleWaiters.splice(0)) resolve();
          if (!stopped) await sleep(idleMs);
        }
      }
      for (const resolve of idleWaiters.splice(0)) resolve();
    })();

    return {
      nudge() {
        pending = true;
        wake?.();
      },
      idle() {
        pending = true;
        wake?.();
        return new Promise<void>((resolve) => idleWaiters.push(resolve));
      },
      async stop() {
        stopped = true;
        wake?.();
        await loop;
        streams.destroy();
      },
    } satisfies LocalStream;
  }

  return start();
}
