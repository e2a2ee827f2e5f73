import { type DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  AnalyticsConfig,
  type Insight,
  type InsightStore,
  insightTtlDays,
  type StoredForecast,
} from '../../domain/analytics/insights.ts';
import type { Clock } from '../../domain/ports.ts';

/**
 * | item                        | pk                | sk                        |
 * |-----------------------------|-------------------|---------------------------|
 * | an insight (by id: the guard) | INSIGHT#<id>    | INSIGHT                   |
 * | an insight (the list)       | INSIGHT           | <detectedAt>#<id>         |
 * | a team's forecast           | FORECAST          | <team>                    |
 * | analytics configuration     | CONFIG            | analytics                 |
 *
 * An insight is written as two items in one transaction: the guard, conditional on `attribute_not_exists`
 * (the id is deterministic from the series and window, so a re-run or a second job finds it once), and
 * its place in the list by detection time. Both expire after 180 days (`expiresAt`); TTL deletion lags,
 * so reads drop expired items themselves.
 */
export function dynamoInsightStore(client: DynamoDBClient, tableName: string, clock: Clock): InsightStore {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);
  const guardKey = (id: string) => ({ pk: `INSIGHT#${id}`, sk: 'INSIGHT' });
  const listKey = (i: Pick<Insight, 'id' | 'detectedAt'>) => ({
    pk: 'INSIGHT',
    sk: `${i.detectedAt}#${i.id}`,
  });
  const live = (item: Record<string, unknown> | undefined) =>
    item && (typeof item.expiresAt !== 'number' || item.expiresAt > nowSeconds())
      ? (item.insight as Insight)
      : null;

  return {
    async create(insight) {
      const expiresAt = Math.floor(Date.parse(insight.detectedAt) / 1000) + insightTtlDays * 86_400;
      const body = { entity: 'insight', type: 'insight', insight, expiresAt };
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { ...guardKey(insight.id), ...body },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              { Put: { TableName: tableName, Item: { ...listKey(insight), ...body } } },
            ],
          }),
        );
        return true;
      } catch (error) {
        if (
          error instanceof TransactionCanceledException &&
          error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
        )
          return false;
        throw error;
      }
    },
    async get(id) {
      const found = await doc.send(
        new GetCommand({ TableName: tableName, Key: guardKey(id), ConsistentRead: true }),
      );
      return live(found.Item);
    },
    async markSent(insight, notified) {
      const next: Insight = { ...insight, notified, status: 'sent' };
      const expiresAt = Math.floor(Date.parse(insight.detectedAt) / 1000) + insightTtlDays * 86_400;
      const body = { entity: 'insight', type: 'insight', insight: next, expiresAt };
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: tableName, Item: { ...guardKey(insight.id), ...body } } },
            { Put: { TableName: tableName, Item: { ...listKey(insight), ...body } } },
          ],
        }),
      );
    },
    async list(from, to, limit = 200) {
      const items: Insight[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':pk': 'INSIGHT', ':from': from, ':to': `${to}` },
            ScanIndexForward: false,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of page.Items ?? []) {
          const insight = live(item);
          if (insight && insight.detectedAt < to) items.push(insight);
        }
        start = page.LastEvaluatedKey;
      } while (start && items.length < limit);
      return items.slice(0, limit);
    },
    async config() {
      const found = await doc.send(
        new GetCommand({ TableName: tableName, Key: { pk: 'CONFIG', sk: 'analytics' } }),
      );
      return AnalyticsConfig.parse(found.Item?.config ?? {});
    },
    async getForecast(team) {
      const found = await doc.send(
        new GetCommand({ TableName: tableName, Key: { pk: 'FORECAST', sk: team } }),
      );
      const item = found.Item;
      if (!item || (typeof item.expiresAt === 'number' && item.expiresAt <= nowSeconds())) return null;
      return item.forecast as StoredForecast;
    },
    async putForecast(forecast) {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: 'FORECAST',
            sk: forecast.team,
            entity: 'forecast',
            type: 'forecast',
            forecast,
            expiresAt: Math.floor(Date.parse(forecast.computedAt) / 1000) + 3 * 86_400,
          },
        }),
      );
    },
  };
}
