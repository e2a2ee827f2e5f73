import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  ConnectorsConfig,
  type ConnectorsConfigStore,
  type CustomerMappingStore,
} from '../../domain/customer360/connectors.ts';
import { versionCondition, writeIf } from './conditional-write.ts';

/**
 * Customer 360 in the ticket table (docs/integrations.md):
 *
 * | item                | pk                      | sk              |
 * | ------------------- | ----------------------- | --------------- |
 * | connectors config   | CONFIG                  | connectors      |
 * | a customer's id     | CUSTMAP#<customer key>  | SYS#<system>    |
 *
 * The customer key is the one tickets are listed by (`customerKey`: the e-mail lower-cased, or
 * `tel:` and the number); a customer known by both has an item under each.
 */
export const connectorsConfigKey = { pk: 'CONFIG', sk: 'connectors' } as const;
export const customerMappingKey = (customerKey: string, system: string) => ({
  pk: `CUSTMAP#${customerKey}`,
  sk: `SYS#${system}`,
});

const docClient = (client: DynamoDBClient) =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

/** The connectors' configuration: one item, written on condition of its version, read consistently. */
export function dynamoConnectorsConfigStore(
  client: DynamoDBClient,
  tableName: string,
): ConnectorsConfigStore {
  const doc = docClient(client);
  return {
    async get() {
      const found = (
        await doc.send(
          new GetCommand({ TableName: tableName, Key: connectorsConfigKey, ConsistentRead: true }),
        )
      ).Item;
      return ConnectorsConfig.parse(found?.config ?? {});
    },
    async put(next, expectedVersion) {
      return writeIf(() =>
        doc.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...connectorsConfigKey,
              entity: 'config',
              type: 'config',
              version: next.version,
              config: next,
            },
            ...versionCondition(expectedVersion),
          }),
        ),
      );
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Customers' ids in other systems: plain upserts in batches of 25, unprocessed items sent again. */
export function dynamoCustomerMappingStore(client: DynamoDBClient, tableName: string): CustomerMappingStore {
  const doc = docClient(client);
  return {
    async put(mappings, at) {
      for (let i = 0; i < mappings.length; i += 25) {
        let requests: NonNullable<BatchWriteCommandOutput['UnprocessedItems']>[string] = mappings
          .slice(i, i + 25)
          .map((m) => ({
            PutRequest: {
              Item: {
                ...customerMappingKey(m.customerKey, m.system),
                entity: 'customer-mapping',
                system: m.system,
                externalId: m.externalId,
                updatedAt: at,
              },
            },
          }));
        for (let attempt = 0; requests.length > 0; attempt++) {
          if (attempt > 0) await sleep(Math.min(1000, 50 * 2 ** attempt));
          if (attempt > 8) throw new Error('DynamoDB kept items of a mapping batch unprocessed');
          const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
          requests = out.UnprocessedItems?.[tableName] ?? [];
        }
      }
    },
    async find(customerKeys) {
      const found: Record<string, string> = {};
      const pages = await Promise.all(
        customerKeys.map((key) =>
          doc.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sys)',
              ExpressionAttributeValues: { ':pk': `CUSTMAP#${key}`, ':sys': 'SYS#' },
            }),
          ),
        ),
      );
      // The first key (the e-mail address) wins over the phone number when both name one system.
      for (const page of [...pages].reverse()) {
        for (const item of page.Items ?? []) found[item.system as string] = item.externalId as string;
      }
      return found;
    },
  };
}
