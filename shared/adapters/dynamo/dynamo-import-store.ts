import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ImportField } from '../../domain/import/import-fields.ts';
import type { ImportStore } from '../../domain/import-job/import.ports.ts';
import type { ImportRecord } from '../../domain/import-job/import-job.ts';
import { queryAll } from './query-all.ts';

const importKey = (id: string) => ({ pk: `IMPORT#${id}`, sk: 'IMPORT' });
/** The list of imports, newest first: one small item per import (`IMPORTS`, `<createdAt>#<id>`). */
const listKey = (record: Pick<ImportRecord, 'id' | 'createdAt'>) => ({
  pk: 'IMPORTS',
  sk: `${record.createdAt}#${record.id}`,
});
const mappingKey = (name: string) => ({ pk: 'IMPORTMAP', sk: name });

const isConditionFailure = (error: unknown) =>
  (error as { name?: string }).name === 'ConditionalCheckFailedException' ||
  (error as { name?: string }).name === 'TransactionCanceledException';

function fromItem(item: Record<string, unknown>): ImportRecord {
  const { pk: _pk, sk: _sk, entity: _entity, doneChunks, ...rest } = item;
  return {
    ...(rest as unknown as ImportRecord),
    doneChunks: doneChunks instanceof Set ? [...doneChunks].map(Number).sort((a, b) => a - b) : [],
  };
}

/**
 * Import records in the one table (table-design.ts): `IMPORT#<id>` holds the record (status, counts,
 * options, the first 500 issues, the checkpoint and the set of committed chunks), `IMPORTS` lists them
 * by creation, `IMPORTMAP` holds the saved mappings by name.
 */
export function dynamoImportStore(client: DynamoDBClient, tableName: string): ImportStore {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

  const get = async (id: string) => {
    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: importKey(id), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : null;
  };

  return {
    async create(record) {
      const { doneChunks: _done, ...stored } = record;
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: { ...stored, ...importKey(record.id), entity: 'import' },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: { ...listKey(record), entity: 'import-list', importId: record.id },
              },
            },
          ],
        }),
      );
    },

    get,

    async update(id, fields, expect) {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      const sets: string[] = [];
      const removes: string[] = [];
      Object.entries(fields).forEach(([name, value], i) => {
        if (value === undefined) return;
        names[`#f${i}`] = name;
        if (name === 'doneChunks') {
          if ((value as number[]).length === 0) removes.push(`#f${i}`);
          else {
            values[`:v${i}`] = new Set(value as number[]);
            sets.push(`#f${i} = :v${i}`);
          }
          return;
        }
        values[`:v${i}`] = value;
        sets.push(`#f${i} = :v${i}`);
      });
      if (!sets.length && !removes.length) return true;
      const conditions = ['attribute_exists(pk)'];
      if (expect) {
        names['#status'] = 'status';
        expect.statusIn.forEach((status, i) => {
          values[`:s${i}`] = status;
        });
        conditions.push(`#status IN (${expect.statusIn.map((_, i) => `:s${i}`).join(', ')})`);
      }
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: importKey(id),
            UpdateExpression: [
              sets.length ? `SET ${sets.join(', ')}` : '',
              removes.length ? `REMOVE ${removes.join(', ')}` : '',
            ]
              .filter(Boolean)
              .join(' '),
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeNames: names,
            ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async addChunk(id, chunk) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: importKey(id),
            UpdateExpression:
              'ADD #p :processed, #c :created, #s :skipped, #d :chunk SET #k = :last, #u = :at',
            ConditionExpression: 'attribute_exists(pk) AND NOT contains(#d, :index)',
            ExpressionAttributeNames: {
              '#p': 'processed',
              '#c': 'created',
              '#s': 'skipped',
              '#d': 'doneChunks',
              '#k': 'checkpoint',
              '#u': 'updatedAt',
            },
            ExpressionAttributeValues: {
              ':processed': chunk.processed,
              ':created': chunk.created,
              ':skipped': chunk.skipped,
              ':chunk': new Set([chunk.index]),
              ':index': chunk.index,
              ':last': chunk.lastRow,
              ':at': chunk.at,
            },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async list(limit) {
      const { Items = [] } = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': 'IMPORTS' },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      const ids = Items.map((i) => String(i.importId));
      if (!ids.length) return [];
      const found = new Map<string, ImportRecord>();
      for (let i = 0; i < ids.length; i += 100) {
        let keys: Record<string, unknown>[] | undefined = ids.slice(i, i + 100).map(importKey);
        while (keys?.length) {
          const result: {
            Responses?: Record<string, Record<string, unknown>[]>;
            UnprocessedKeys?: Record<string, { Keys?: Record<string, unknown>[] }>;
          } = await doc.send(
            new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
          );
          for (const item of result.Responses?.[tableName] ?? []) {
            const record = fromItem(item);
            found.set(record.id, record);
          }
          keys = result.UnprocessedKeys?.[tableName]?.Keys;
        }
      }
      return ids.flatMap((id) => (found.has(id) ? [found.get(id)!] : []));
    },

    async putMapping(name, mapping, at) {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...mappingKey(name), entity: 'import-mapping', name, mapping, updatedAt: at },
        }),
      );
    },

    async getMapping(name) {
      const { Item } = await doc.send(
        new GetCommand({ TableName: tableName, Key: mappingKey(name), ConsistentRead: true }),
      );
      return Item ? (Item.mapping as Record<string, ImportField | null>) : null;
    },

    async listMappings() {
      const items = await queryAll(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'IMPORTMAP' },
      });
      return items.map((i) => ({
        name: String(i.name),
        mapping: i.mapping as Record<string, ImportField | null>,
        updatedAt: String(i.updatedAt),
      }));
    },
  };
}
