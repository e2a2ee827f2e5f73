import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  DynamoDBDocumentClient,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { retry, retryOnConflict } from '../../domain/retry.ts';
import type {
  DeadLetter,
  DeadLetterQueue,
  LeasedRecord,
  OutboxRef,
  OutboxStore,
} from '../../domain/ticket/outbox.store.ts';
import { OutboxRecord } from '../../domain/ticket/ticket-change.ts';
import { queryAll } from './query-all.ts';
import { ticketIndexes } from './table-design.ts';

/** How long an outbox item is kept (for inspection, and for a stream replay) before its TTL removes it. */
const keepSeconds = 7 * 24 * 3600;
/** The `byDue` partition of records waiting for a retry (tickets' due times use `DUE`). */
const retryPartition = 'OUTBOX';

export const outboxKey = (ref: OutboxRef) => ({ pk: `TICKET#${ref.ticketId}`, sk: `OUTBOX#${ref.recordId}` });

/**
 * The outbox item of a change, written in the ticket's transaction: the record as JSON text (which every
 * reader of the stream parses the same way) and a TTL. Nothing else is written on the happy path: the
 * table's stream delivers the item to the dispatcher, and only a record whose reaction failed is written
 * again (its outcomes, and a place in the retry index).
 */
export function outboxItem(record: OutboxRecord): Record<string, unknown> {
  return {
    ...outboxKey({ ticketId: record.ticketId, recordId: record.id }),
    entity: 'outbox',
    recordJson: JSON.stringify(record),
    expiresAt: Math.floor(Date.parse(record.at) / 1000) + keepSeconds,
  };
}

/** A record from its item's (or stream image's) JSON text. */
export const recordOfJson = (json: string): OutboxRecord => OutboxRecord.parse(JSON.parse(json));

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error as { name?: string }).name === 'ConditionalCheckFailedException';

/** BatchWriteItem takes 25 requests. */
const batchSize = 25;

/**
 * OutboxStore on the ticket table (`TICKET#<id>` / `OUTBOX#<record id>`, docs/data-model.md). A record
 * whose reaction failed gets `status: retrying`, each reaction's outcome (a map entry each) and a place
 * in the retry index (`byDue`, partition `OUTBOX`, by its next attempt); the retry sweep leases it (a
 * conditional update of `leaseUntil` that also reads it) and writes it back finished (batches of 25, out
 * of the index) or set for the next attempt.
 */
export function dynamoOutboxStore(client: DynamoDBClient, tableName: string): OutboxStore {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

  return {
    async lease(ref, now, leaseMs, options = {}) {
      const until = new Date(now.getTime() + leaseMs).toISOString();
      try {
        const { Attributes } = await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: outboxKey(ref),
            UpdateExpression: 'SET leaseUntil = :until',
            // `force` (a restart recovering what a killed process had) also takes a record never dispatched.
            ConditionExpression: options.force
              ? 'attribute_exists(pk) AND (attribute_not_exists(#status) OR #status = :retrying)'
              : 'attribute_exists(pk) AND #status = :retrying AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':until': until,
              ':retrying': 'retrying',
              ...(options.force ? {} : { ':now': now.toISOString() }),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        if (!Attributes) return null;
        return {
          record: recordOfJson(String(Attributes.recordJson)),
          reactions: (Attributes.reactions ?? {}) as LeasedRecord['reactions'],
        };
      } catch (error) {
        if (isConditionFailure(error)) return null;
        throw error;
      }
    },

    async retryLater(ref, outcome) {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: outboxKey(ref),
          UpdateExpression:
            'SET reactions = :reactions, #status = :retrying, gsDue = :partition, gsDueAt = :due REMOVE leaseUntil',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':reactions': outcome.reactions,
            ':retrying': 'retrying',
            ':partition': retryPartition,
            ':due': `${outcome.retryAt.toISOString()}#${ref.recordId}`,
          },
        }),
      );
    },

    async finish(finished, now) {
      const expiresAt = Math.floor(now.getTime() / 1000) + keepSeconds;
      for (let i = 0; i < finished.length; i += batchSize) {
        let requests: NonNullable<BatchWriteCommandOutput['UnprocessedItems']>[string] = finished
          .slice(i, i + batchSize)
          .map((f) => ({
            PutRequest: {
              Item: {
                ...outboxKey({ ticketId: f.record.ticketId, recordId: f.record.id }),
                entity: 'outbox',
                recordJson: JSON.stringify(f.record),
                status: 'done',
                reactions: f.reactions,
                finishedAt: now.toISOString(),
                expiresAt,
              },
            },
          }));
        // DynamoDB may leave some of a batch unprocessed under load: send those again.
        await retryOnConflict(
          async () => {
            const result = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
            requests = result.UnprocessedItems?.[tableName] ?? [];
            return requests.length ? retry : undefined;
          },
          {
            maxAttempts: 9,
            baseDelayMs: 10,
            maxDelayMs: 1000,
            exhausted: () => new Error('Outbox batch kept coming back unprocessed'),
          },
        );
      }
    },

    async due(now, limit, options = {}) {
      const refs: OutboxRef[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: ticketIndexes.byDue.indexName,
            KeyConditionExpression: options.all ? 'gsDue = :pending' : 'gsDue = :pending AND gsDueAt <= :now',
            ExpressionAttributeValues: {
              ':pending': retryPartition,
              // '~' sorts after every id, so records due at exactly `now` are included.
              ...(options.all ? {} : { ':now': `${now.toISOString()}#~` }),
            },
            Limit: limit - refs.length,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) {
          const [, ticketId] = String(item.pk).split('#');
          const [, recordId] = String(item.sk).split('#');
          if (ticketId && recordId) refs.push({ ticketId, recordId });
        }
        start = page.LastEvaluatedKey;
      } while (start && refs.length < limit);
      return refs;
    },
  };
}

/** Dead letters kept in the table (`DEADLETTER` / `<at>#<record>#<reaction>`): the local runtime's DLQ. */
export function dynamoDeadLetters(client: DynamoDBClient, tableName: string) {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const queue: DeadLetterQueue & { list(): Promise<DeadLetter[]> } = {
    async put(letter) {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: 'DEADLETTER', sk: `${letter.at}#${letter.record.id}#${letter.reaction}` },
          UpdateExpression: 'SET entity = :entity, letter = :letter',
          ExpressionAttributeValues: { ':entity': 'deadletter', ':letter': letter },
        }),
      );
    },
    async list() {
      const items = await queryAll(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'DEADLETTER' },
      });
      return items.map((item) => item.letter as DeadLetter);
    },
  };
  return queue;
}
