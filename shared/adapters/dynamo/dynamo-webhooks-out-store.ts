import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type Breaker, closedBreaker } from '../../domain/webhooks-out/circuit-breaker.ts';
import { Delivery } from '../../domain/webhooks-out/delivery.ts';
import { Subscription } from '../../domain/webhooks-out/subscription.ts';
import type {
  BreakerStore,
  DeliveryStore,
  SubscriptionStore,
} from '../../domain/webhooks-out/webhooks-out.ports.ts';
import { versionCondition, writeIf } from './conditional-write.ts';
import { queryAll } from './query-all.ts';
import { ticketIndexes } from './table-design.ts';

/**
 * Outbound webhooks on the one table (docs/integrations.md, "Outbound webhooks"):
 *
 * | item            | pk                  | sk                          | byDue (pending only)            |
 * | --------------- | ------------------- | --------------------------- | ------------------------------- |
 * | subscription    | WEBHOOKSUB          | <name>                      |                                 |
 * | delivery        | WEBHOOKOUT#<name>   | DELIVERY#<event id>.<name>  | WEBHOOKOUT / <next attempt at>  |
 * | circuit breaker | ENDPOINT#<url hash> | BREAKER                     |                                 |
 *
 * A delivery's sort key is its id, made of the event id (a ULID: the log reads newest first) and the
 * subscription, so creating it on `attribute_not_exists` makes a replayed event no second delivery.
 * Every later write is conditioned on the version read; a lease (`leaseUntil`) keeps two deliverers
 * from sending one delivery at once. Deliveries expire 30 days after they were made.
 */
export const deliveryDuePartition = 'WEBHOOKOUT';
const subscriptionPk = 'WEBHOOKSUB';
const deliveryPk = (name: string) => `WEBHOOKOUT#${name}`;
const deliverySk = (id: string) => `DELIVERY#${id}`;
const breakerKey = (endpoint: string) => ({ pk: `ENDPOINT#${endpoint}`, sk: 'BREAKER' });
const retentionSeconds = 30 * 24 * 3600;

function docClient(client: DynamoDBClient) {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function dynamoSubscriptionStore(client: DynamoDBClient, tableName: string): SubscriptionStore {
  const doc = docClient(client);
  return {
    async get(name) {
      const item = (
        await doc.send(
          new GetCommand({
            TableName: tableName,
            Key: { pk: subscriptionPk, sk: name },
            ConsistentRead: true,
          }),
        )
      ).Item;
      return item ? Subscription.parse(item) : null;
    },
    async list() {
      const items = await queryAll(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': subscriptionPk },
        ConsistentRead: true,
      });
      return items.map((i) => Subscription.parse(i));
    },
    async put(next, expectedVersion) {
      return writeIf(() =>
        doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: subscriptionPk, sk: next.name, entity: 'webhook-subscription', ...next },
            ...versionCondition(expectedVersion),
          }),
        ),
      );
    },
    async delete(name) {
      await doc.send(new DeleteCommand({ TableName: tableName, Key: { pk: subscriptionPk, sk: name } }));
    },
  };
}

function deliveryItem(d: Delivery) {
  return {
    pk: deliveryPk(d.subscription),
    sk: deliverySk(d.id),
    entity: 'webhook-delivery',
    ...d,
    ...(d.status === 'pending' && d.nextAttemptAt
      ? { gsDue: deliveryDuePartition, gsDueAt: d.nextAttemptAt }
      : {}),
    expiresAt: Math.floor(Date.parse(d.createdAt) / 1000) + retentionSeconds,
  };
}

const encodeCursor = (key: Record<string, unknown> | undefined) =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;

function decodeCursor(cursor: string | undefined, pk: string): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    // Only a key of this subscription's partition is accepted (a cursor cannot reach another's items).
    return key.pk === pk && typeof key.sk === 'string' ? { pk, sk: key.sk } : undefined;
  } catch {
    return undefined;
  }
}

export function dynamoDeliveryStore(client: DynamoDBClient, tableName: string): DeliveryStore {
  const doc = docClient(client);
  const parse = (items: Record<string, unknown>[] | undefined) => (items ?? []).map((i) => Delivery.parse(i));
  return {
    async create(delivery) {
      return writeIf(() =>
        doc.send(
          new PutCommand({
            TableName: tableName,
            Item: deliveryItem(delivery),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },
    async get(subscription, id) {
      const item = (
        await doc.send(
          new GetCommand({
            TableName: tableName,
            Key: { pk: deliveryPk(subscription), sk: deliverySk(id) },
            ConsistentRead: true,
          }),
        )
      ).Item;
      return item ? Delivery.parse(item) : null;
    },
    async save(next, expectedVersion) {
      return writeIf(() =>
        doc.send(
          new PutCommand({
            TableName: tableName,
            Item: deliveryItem(next),
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': expectedVersion },
          }),
        ),
      );
    },
    async lease(delivery, until, now) {
      return writeIf(() =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: deliveryPk(delivery.subscription), sk: deliverySk(delivery.id) },
            UpdateExpression: 'SET leaseUntil = :until',
            ConditionExpression:
              'version = :v AND #status = :pending AND (attribute_not_exists(leaseUntil) OR leaseUntil <= :now)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':until': until.toISOString(),
              ':v': delivery.version,
              ':pending': 'pending',
              ':now': now.toISOString(),
            },
          }),
        ),
      );
    },
    async list(subscription, options) {
      const pk = deliveryPk(subscription);
      const items: Delivery[] = [];
      let start = decodeCursor(options.cursor, pk);
      // A status filter may leave pages sparse: read on until the page is full or the log ends.
      for (let page = 0; page < 20; page++) {
        const out = await doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
            ...(options.status
              ? {
                  FilterExpression: '#status = :status',
                  ExpressionAttributeNames: { '#status': 'status' },
                }
              : {}),
            ExpressionAttributeValues: {
              ':pk': pk,
              ':sk': 'DELIVERY#',
              ...(options.status ? { ':status': options.status } : {}),
            },
            ScanIndexForward: false,
            Limit: options.limit - items.length,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        items.push(...parse(out.Items));
        start = out.LastEvaluatedKey as Record<string, unknown> | undefined;
        if (!start || items.length >= options.limit) break;
      }
      const cursor = encodeCursor(start ? { pk: start.pk, sk: start.sk } : undefined);
      return { items, ...(cursor ? { cursor } : {}) };
    },
    async due(now, limit) {
      const out = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: ticketIndexes.byDue.indexName,
          KeyConditionExpression: 'gsDue = :p AND gsDueAt <= :now',
          ExpressionAttributeValues: { ':p': deliveryDuePartition, ':now': now.toISOString() },
          Limit: limit,
        }),
      );
      // The index is eventually consistent: a delivery finished a moment ago may still show; the lease sorts it out.
      return parse(out.Items).filter((d) => d.status === 'pending');
    },
    async dead(subscription, limit) {
      const items = await queryAll(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        FilterExpression: '#status = :dead',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pk': deliveryPk(subscription), ':sk': 'DELIVERY#', ':dead': 'dead' },
      });
      return parse(items).slice(0, limit);
    },
  };
}

export function dynamoBreakerStore(client: DynamoDBClient, tableName: string): BreakerStore {
  const doc = docClient(client);
  return {
    async get(endpoint) {
      const item = (
        await doc.send(
          new GetCommand({ TableName: tableName, Key: breakerKey(endpoint), ConsistentRead: true }),
        )
      ).Item;
      if (!item) return closedBreaker;
      return {
        state: item.state as Breaker['state'],
        failures: Number(item.failures),
        ...(item.until ? { until: String(item.until) } : {}),
        ...(item.openedAt ? { openedAt: String(item.openedAt) } : {}),
        version: Number(item.version),
      };
    },
    async put(endpoint, next, expectedVersion) {
      return writeIf(() =>
        doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...breakerKey(endpoint), entity: 'webhook-breaker', ...next },
            ...versionCondition(expectedVersion),
          }),
        ),
      );
    },
  };
}
