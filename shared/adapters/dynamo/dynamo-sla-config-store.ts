import { type DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type ConfigChange,
  type ConfigRecord,
  defaultSlaDocuments,
  parseStoredConfig,
  type SlaConfigDocuments,
  type SlaConfigName,
  type SlaConfigStore,
} from '../../domain/sla/sla-config.ts';

/**
 * Where the SLA configuration lives in the ticket table (docs/local-runtime.md, docs/sla.md):
 *
 * | item              | pk                 | sk                 |
 * | ----------------- | ------------------ | ------------------ |
 * | current document  | CONFIG             | sla \| calendars   |
 * | each change       | CONFIG#<name>      | V#<version, 10 digits> |
 *
 * The current document is `{ version, config, updatedAt, updatedBy }` (the seed writes the same shape);
 * a change writes it conditionally on the version it replaces, and its history item, in one transaction.
 */
const currentKey = (name: SlaConfigName) => ({ pk: 'CONFIG', sk: name });
const historyKey = (name: SlaConfigName, version: number) => ({
  pk: `CONFIG#${name}`,
  sk: `V#${String(version).padStart(10, '0')}`,
});

export function dynamoSlaConfigStore(client: DynamoDBClient, tableName: string): SlaConfigStore {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

  async function get<N extends SlaConfigName>(name: N): Promise<ConfigRecord<N>> {
    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: currentKey(name), ConsistentRead: true }),
    );
    if (!Item)
      return { name, version: 0, config: defaultSlaDocuments[name], updatedAt: null, updatedBy: null };
    const updatedBy = Item.updatedBy;
    return {
      name,
      version: Number(Item.version ?? 0),
      config: parseStoredConfig(name, Item.config),
      updatedAt: typeof Item.updatedAt === 'string' ? Item.updatedAt : null,
      // The seed records no author: it shows as null, like the defaults.
      updatedBy: updatedBy && typeof updatedBy === 'object' ? (updatedBy as ConfigRecord['updatedBy']) : null,
    };
  }

  return {
    get,

    async load() {
      const [sla, calendars] = await Promise.all([get('sla'), get('calendars')]);
      return { policies: sla.config.policies, calendars: calendars.config.calendars };
    },

    async put<N extends SlaConfigName>(
      name: N,
      config: SlaConfigDocuments[N],
      expectedVersion: number,
      change: ConfigChange,
    ): Promise<ConfigRecord<N> | null> {
      const version = expectedVersion + 1;
      const record: ConfigRecord<N> = { name, version, config, updatedAt: change.at, updatedBy: change.by };
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...currentKey(name),
                    type: 'config',
                    version,
                    config,
                    updatedAt: change.at,
                    updatedBy: change.by,
                  },
                  ConditionExpression:
                    expectedVersion === 0
                      ? 'attribute_not_exists(pk) OR version = :zero'
                      : 'version = :expected',
                  ExpressionAttributeValues:
                    expectedVersion === 0 ? { ':zero': 0 } : { ':expected': expectedVersion },
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: { ...historyKey(name, version), type: 'config-change', name, ...change, config },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
        return record;
      } catch (error) {
        if (error instanceof TransactionCanceledException) return null;
        throw error;
      }
    },

    async history(name, limit = 50) {
      const { Items } = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `CONFIG#${name}` },
          ScanIndexForward: false,
          Limit: limit,
          ConsistentRead: true,
        }),
      );
      return (Items ?? []).map((i) => ({
        version: Number(i.version),
        at: String(i.at),
        by: i.by as ConfigChange['by'],
        summary: i.summary as ConfigChange['summary'],
      }));
    },
  };
}

/**
 * The store with `load()` cached for `ttlMs` (policies change rarely; every ticket change and timer
 * step loads them). A `put` through this wrapper clears the cache at once, so in one process (the local
 * runtime) a change applies to the next request; other Lambda containers see it within `ttlMs`.
 */
export function cachedSlaConfigStore(store: SlaConfigStore, ttlMs = 30_000): SlaConfigStore {
  let cached: { at: number; value: ReturnType<SlaConfigStore['load']> } | undefined;
  return {
    ...store,
    load() {
      const now = Date.now();
      if (!cached || now - cached.at > ttlMs) {
        const value = store.load();
        cached = { at: now, value };
        // A failed load is not cached.
        value.catch(() => {
          if (cached?.value === value) cached = undefined;
        });
      }
      return cached.value;
    },
    async put(name, config, expectedVersion, change) {
      const result = await store.put(name, config, expectedVersion, change);
      cached = undefined;
      return result;
    },
  };
}
