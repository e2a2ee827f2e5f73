import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '#shared/adapters/dynamo/query-all.ts';
import { Notification, type Notifier, SentNotification } from '#shared/domain/notify/notifier.ts';
import type { Clock, IdGenerator, Logger } from '#shared/domain/ports.ts';

export interface Outbox extends Notifier {
  /** Every message sent so far, oldest first. */
  list(): Promise<SentNotification[]>;
}

const outboxPk = 'OUTBOX';

/**
 * The local stand-in for SES, SMS and chat webhooks: every message is kept in the table (pk `OUTBOX`,
 * sk `<sentAt>#<id>`, so a query returns them oldest first) and survives restarts. `sentAt` is on the
 * virtual clock. A message with an idempotency key is kept once (a marker `OUTBOXKEY#<key>` is written
 * with it): sending it again answers the first. Bodies are never logged (they may hold customer PII);
 * ids and kinds are.
 */
export function dynamoOutbox(deps: {
  doc: DynamoDBDocumentClient;
  tableName: string;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
}): Outbox {
  const { doc, tableName } = deps;
  return {
    async send(notification) {
      const message = SentNotification.parse({
        ...Notification.parse(notification),
        id: deps.ids.next(),
        sentAt: deps.clock.now().toISOString(),
      });
      const key = message.idempotencyKey;
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { pk: outboxPk, sk: `${message.sentAt}#${message.id}`, type: 'outbox', message },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              ...(key
                ? [
                    {
                      Put: {
                        TableName: tableName,
                        Item: { pk: `OUTBOXKEY#${key}`, sk: 'OUTBOXKEY', type: 'outbox-key', message },
                        ConditionExpression: 'attribute_not_exists(pk)',
                      },
                    },
                  ]
                : []),
            ],
          }),
        );
      } catch (error) {
        if (!(key && error instanceof TransactionCanceledException)) throw error;
        // Sent before under this key (a retry after a crash): the first message is the answer.
        const { Item } = await doc.send(
          new GetCommand({ TableName: tableName, Key: { pk: `OUTBOXKEY#${key}`, sk: 'OUTBOXKEY' } }),
        );
        if (!Item) throw error;
        deps.logger.info('outbox.duplicate', { messageId: Item.message.id, kind: message.kind });
        return Item.message as SentNotification;
      }
      deps.logger.info('outbox.sent', {
        messageId: message.id,
        channel: message.channel,
        kind: message.kind,
        ticketId: message.ticketId,
      });
      return message;
    },
    async list() {
      const items = await queryAll(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': outboxPk },
      });
      return items.map((item) => item.message as SentNotification);
    },
  };
}
