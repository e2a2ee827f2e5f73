import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  DeadLetter,
  DeadLetterQueue,
  LeasedRecord,
  OutboxRef,
  OutboxStore,
} from '../../domain/ticket/outbox.store.ts';
import { OutboxRecord } from '../../domain/ticket/ticket-change.ts';
import { ticketIndexes } from './table-design.ts';

/**
 * How long a new record waits before the retry sweep may take it: the stream hands it to the
 * dispatcher within a second or so; the sweep is for what the stream did not finish.
 */
export const streamGraceMs = 60_000;
/** How long a finished record is kept (for inspection) before its TTL removes it. */
const finishedTtlSeconds = 7 * 24 * 3600;
/** The `byDue` partition of pending outbox records (tickets' due times use `DUE`). */
const pendingPartition = 'OUTBOX';

export const outboxKey = (ref: OutboxRef) => ({ pk: `TICKET#${ref.ticketId}`, sk: `OUTBOX#${ref.recordId}` });

/**
 * The outbox item of a change, written in the ticket's transaction: the record, no reaction run yet,
 * and a place in the pending index (`byDue`, partition `OUTBOX`) from `streamGraceMs` after the change.
 */
export function outboxItem(record: OutboxRecord): Record<string, unknown> {
  const retryAt = new Date(Date.parse(record.at) + streamGraceMs).toISOString();
  return {
    ...outboxKey({ ticketId: record.ticketId, recordId: record.id }),
    entity: 'outbox',
    record,
    status: 'pending',
    reactions: {},
    gsDue: pendingPartition,
    gsDueAt: `${retryAt}#${record.id}`,
  };
}

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error as { name?: string }).name === 'ConditionalCheckFailedException';

/**
 * OutboxStore on the ticket table (`TICKET#<id>` / `OUTBOX#<record id>`, docs/data-model.md). A lease
 * is a conditional update of `leaseUntil`; each reaction's outcome is a map entry on the item; a
 * finished record leaves the pending index and expires by TTL.
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
            ConditionExpression: options.force
              ? 'attribute_exists(pk) AND #status = :pending'
              : 'attribute_exists(pk) AND #status = :pending AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':until': until,
              ':pending': 'pending',
              ...(options.force ? {} : { ':now': now.toISOString() }),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        if (!Attributes) return null;
        return {
          record: OutboxRecord.parse(Attributes.record),
          reactions: (Attributes.reactions ?? {}) as LeasedRecord['reactions'],
        };
      } catch (error) {
        if (isConditionFailure(error)) return null;
        throw error;
      }
    },

    async setReaction(ref, reaction, state) {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: outboxKey(ref),
          UpdateExpression: 'SET reactions.#name = :state',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#name': reaction },
          ExpressionAttributeValues: { ':state': state },
        }),
      );
    },

    async finish(ref, outcome, now) {
      if (outcome.retryAt) {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: outboxKey(ref),
            UpdateExpression: 'SET gsDueAt = :due REMOVE leaseUntil',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':due': `${outcome.retryAt.toISOString()}#${ref.recordId}` },
          }),
        );
        return;
      }
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: outboxKey(ref),
          UpdateExpression:
            'SET #status = :done, finishedAt = :now, expiresAt = :expires REMOVE leaseUntil, gsDue, gsDueAt',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':done': 'done',
            ':now': now.toISOString(),
            ':expires': Math.floor(now.getTime() / 1000) + finishedTtlSeconds,
          },
        }),
      );
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
              ':pending': pendingPartition,
              // '~' sorts after every id, so records due at exactly `now` are included.
              ...(options.all ? {} : { ':now': `${now.toISOString()}#~` }),
            },
            Limit: limit - refs.length,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) {
          const record = item.record as { ticketId?: string; id?: string } | undefined;
          if (record?.ticketId && record.id) refs.push({ ticketId: record.ticketId, recordId: record.id });
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
      const out: DeadLetter[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': 'DEADLETTER' },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) out.push(item.letter as DeadLetter);
        start = page.LastEvaluatedKey;
      } while (start);
      return out;
    },
  };
  return queue;
}
