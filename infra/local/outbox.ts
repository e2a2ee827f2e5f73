import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
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
 * virtual clock. Bodies are never logged (they may hold customer PII); ids and kinds are.
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
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: outboxPk, sk: `${message.sentAt}#${message.id}`, type: 'outbox', message },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      deps.logger.info('outbox.sent', {
        messageId: message.id,
        channel: message.channel,
        kind: message.kind,
        ticketId: message.ticketId,
      });
      return message;
    },
    async list() {
      const messages: SentNotification[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': outboxPk },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) messages.push(item.message as SentNotification);
        start = page.LastEvaluatedKey;
      } while (start);
      return messages;
    },
  };
}
