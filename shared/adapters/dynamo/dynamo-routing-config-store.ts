import { type DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { RoutingConfigRevision, RoutingConfigStore } from '../../domain/routing/routing-config.store.ts';
import { parseRoutingConfig, type RoutingConfig } from '../../domain/routing/routing-config.ts';
import { queryAll } from './query-all.ts';

/**
 * Where the routing configuration lives in the ticket table (docs/data-model.md):
 *
 * | item            | pk               | sk             |
 * | --------------- | ---------------- | -------------- |
 * | current config  | CONFIG           | routing        |
 * | each version    | CONFIG#routing   | V#<version, 10 digits> |
 *
 * The current item is the document the local seed writes (`type`, `version`, `config`, `updatedAt`);
 * each version is kept beside it, written in the same transaction, so the trail cannot miss a change.
 */
export const routingConfigKey = { pk: 'CONFIG', sk: 'routing' } as const;
const revisionKey = (version: number) => ({
  pk: 'CONFIG#routing',
  sk: `V#${String(version).padStart(10, '0')}`,
});

const isConditionFailure = (error: unknown) =>
  error instanceof TransactionCanceledException &&
  (error.CancellationReasons ?? []).some(
    (r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict',
  );

/** RoutingConfigStore on the ticket table; a write is conditional on the version it revises. */
export function dynamoRoutingConfigStore(client: DynamoDBClient, tableName: string): RoutingConfigStore {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  // Parsing and compiling a config is not free; reuse the last one while its version is current.
  let cached: { version: number; config: RoutingConfig } | undefined;

  async function get() {
    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: routingConfigKey, ConsistentRead: true }),
    );
    if (!Item) return null;
    const version = Number(Item.version);
    if (cached?.version === version) return cached.config;
    const config = parseRoutingConfig(Item.config);
    cached = { version, config };
    return config;
  }

  return {
    get,
    current: get,

    async put(next, expectedVersion) {
      const revision = {
        version: next.version,
        updatedAt: next.updatedAt ?? null,
        updatedBy: next.updatedBy ?? null,
      };
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { ...routingConfigKey, type: 'config', entity: 'config', ...revision, config: next },
                  ConditionExpression:
                    expectedVersion === 0 ? 'attribute_not_exists(pk)' : '#version = :expected',
                  ...(expectedVersion === 0
                    ? {}
                    : {
                        ExpressionAttributeNames: { '#version': 'version' },
                        ExpressionAttributeValues: { ':expected': expectedVersion },
                      }),
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: { ...revisionKey(next.version), entity: 'config-version', ...revision, config: next },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async history() {
      const items = await queryAll(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
        ExpressionAttributeValues: { ':pk': revisionKey(0).pk, ':v': 'V#' },
        ConsistentRead: true,
      });
      return items.map(
        (item): RoutingConfigRevision => ({
          version: Number(item.version),
          updatedAt: (item.updatedAt as string | null) ?? null,
          updatedBy: (item.updatedBy as string | null) ?? null,
          config: item.config as RoutingConfig,
        }),
      );
    },
  };
}

/**
 * The store with `current()` — what a new ticket is routed by — cached for `ttlMs` (the configuration
 * changes rarely; every create reads it). `get()` (the admin read, and the read a change revises) stays
 * a consistent read. A `put` through this wrapper clears the cache whether it wrote or lost a race, so
 * in one process (the local runtime, one Lambda container) a change routes the next ticket; other
 * containers route by it within `ttlMs`. A failed read, and a read that started before a `put`, is not
 * kept.
 */
export function cachedRoutingConfigStore(
  store: RoutingConfigStore,
  ttlMs = 30_000,
  now: () => number = Date.now,
): RoutingConfigStore {
  let cached: { at: number; value: Promise<RoutingConfig | null> } | undefined;
  return {
    ...store,
    current() {
      const at = now();
      if (!cached || at - cached.at > ttlMs) {
        const value = store.current();
        const entry = { at, value };
        cached = entry;
        value.catch(() => {
          if (cached === entry) cached = undefined;
        });
      }
      return cached.value;
    },
    async put(next, expectedVersion) {
      cached = undefined;
      try {
        return await store.put(next, expectedVersion);
      } finally {
        cached = undefined;
      }
    },
  };
}
