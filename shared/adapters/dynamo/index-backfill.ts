import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type Logger, silentLogger } from '../../domain/ports.ts';
import type { Ticket } from '../../domain/ticket/ticket.entity.ts';
import { hotIndexKeys } from './dynamo-ticket-store.ts';

/**
 * The migration that moved byCreated, byStatus and byDue onto sharded partition keys (index-shards.ts).
 * A new id (`…-v2`) makes every table run it again, e.g. after `indexShards` changes.
 */
export const indexMigrationId = 'sharded-indexes-v1';

/** Its marker item: `status` (`running` → `done`), the scan position to resume from, counts so far. */
export const indexMigrationKey = { pk: `MIGRATION#${indexMigrationId}`, sk: 'MIGRATION' };

export interface IndexMigrationOptions {
  /** Items the scan evaluates per page. @default 500 */
  pageSize?: number;
  /** Stop after this many pages (the marker keeps the position; the next run goes on). */
  maxPages?: number;
  /** Run again from the start even if the marker says done. */
  force?: boolean;
  logger?: Logger;
  now?: () => Date;
}

export interface IndexMigrationResult {
  /** The whole table has been migrated (now or before). */
  done: boolean;
  /** Ticket items this run looked at, and rewrote. */
  scanned: number;
  updated: number;
}

/** Concurrent item updates per page. */
const concurrency = 16;

const hotAttributes = ['gsAll', 'gsStatus', 'gsDue', 'gsDueAt'] as const;

/**
 * Rewrites the sharded index attributes of every ticket item written before sharding (or with another
 * shard count): idempotent, paged and resumable.
 *
 * 1. Skip if the marker says `done` (unless forced); otherwise resume from the marker's scan position.
 * 2. Scan a page of ticket items (consistent); for each whose `gsAll`/`gsStatus`/`gsDue`/`gsDueAt`
 *    differ from what `ticketItem` writes now, update just those attributes, on condition that the
 *    ticket's `version` is unchanged: a ticket written meanwhile already carries the new keys.
 * 3. Store the position after each page in the marker, and `done` after the last.
 */
export async function migrateIndexes(
  client: DynamoDBClient,
  tableName: string,
  options: IndexMigrationOptions = {},
): Promise<IndexMigrationResult> {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const { pageSize = 500, maxPages = Number.POSITIVE_INFINITY, force = false } = options;
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => new Date());
  const { Item: marker } = await doc.send(
    new GetCommand({ TableName: tableName, Key: indexMigrationKey, ConsistentRead: true }),
  );
  if (marker?.status === 'done' && !force) return { done: true, scanned: 0, updated: 0 };

  let start = !force && typeof marker?.position === 'string' ? JSON.parse(marker.position) : undefined;
  // Counts over the whole migration, for the marker (a forced run starts them again).
  const before = force
    ? { scanned: 0, updated: 0 }
    : { scanned: Number(marker?.scanned ?? 0), updated: Number(marker?.updated ?? 0) };
  let scanned = 0;
  let updated = 0;
  for (let page = 0; page < maxPages; page++) {
    const result = await doc.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'entity = :ticket',
        ExpressionAttributeValues: { ':ticket': 'ticket' },
        Limit: pageSize,
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const items = result.Items ?? [];
    scanned += items.length;
    for (let i = 0; i < items.length; i += concurrency) {
      const rewrites = await Promise.all(items.slice(i, i + concurrency).map((item) => rewrite(item)));
      updated += rewrites.filter(Boolean).length;
    }
    start = result.LastEvaluatedKey;
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...indexMigrationKey,
          entity: 'migration',
          status: start ? 'running' : 'done',
          ...(start ? { position: JSON.stringify(start) } : {}),
          scanned: before.scanned + scanned,
          updated: before.updated + updated,
          updatedAt: now().toISOString(),
        },
      }),
    );
    logger.info('migration.indexes_page', { migration: indexMigrationId, scanned, updated, done: !start });
    if (!start) return { done: true, scanned, updated };
  }
  return { done: false, scanned, updated };

  /** Updates the item's sharded keys if they are not what the store writes now; whether it did. */
  async function rewrite(item: Record<string, unknown>): Promise<boolean> {
    const ticket = item as unknown as Ticket;
    const wanted: Record<string, string | undefined> = {
      ...hotIndexKeys({
        id: ticket.id,
        status: ticket.status,
        sla: ticket.sla ?? { resolutionDueAt: null, paused: false },
      }),
    };
    const changed = hotAttributes.filter((a) => item[a] !== wanted[a]);
    if (!changed.length) return false;
    const set = changed.filter((a) => wanted[a] !== undefined);
    const remove = changed.filter((a) => wanted[a] === undefined);
    try {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: [
            set.length ? `SET ${set.map((a) => `${a} = :${a}`).join(', ')}` : '',
            remove.length ? `REMOVE ${remove.join(', ')}` : '',
          ]
            .filter(Boolean)
            .join(' '),
          ConditionExpression:
            item.version === undefined ? 'attribute_not_exists(version)' : 'version = :version',
          ExpressionAttributeValues: {
            ...(item.version === undefined ? {} : { ':version': item.version }),
            ...Object.fromEntries(set.map((a) => [`:${a}`, wanted[a]])),
          },
        }),
      );
      return true;
    } catch (error) {
      // Written since the scan read it: by the current code, so with the new keys already.
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
