import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { PortalConfig, type PortalConfigStore } from '../../domain/portal/portal-config.ts';

/**
 * | item            | pk      | sk       |
 * |-----------------|---------|----------|
 * | portal branding | CONFIG  | portal   |
 *
 * The portal's branding and legal text (see `PortalConfig`), one item written conditionally on its
 * version; read consistently (an admin sees the change they just made on the portal).
 */
const key = { pk: 'CONFIG', sk: 'portal' } as const;

export function dynamoPortalConfigStore(client: DynamoDBClient, tableName: string): PortalConfigStore {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    async get() {
      const found = (await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true })))
        .Item;
      return PortalConfig.parse(found?.config ?? {});
    },
    async put(next, expectedVersion) {
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...key, entity: 'config', type: 'config', version: next.version, config: next },
            ...(expectedVersion === 0
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : {
                  ConditionExpression: '#version = :expected',
                  ExpressionAttributeNames: { '#version': 'version' },
                  ExpressionAttributeValues: { ':expected': expectedVersion },
                }),
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
  };
}
