import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetterQueue } from '../../domain/ticket/outbox.store.ts';

/** SQS holds 256 KB per message; a record is a few KB (the events and rendered messages of one change). */
const maxBytes = 250 * 1024;

/**
 * The dead-letter queue on SQS: one message per reaction that kept failing, with the whole outbox
 * record, so it can be inspected and redriven. The stream's own on-failure destination is the same
 * queue (it sends only where in the stream a failed batch was).
 */
export function sqsDeadLetterQueue(client: SQSClient, queueUrl: string): DeadLetterQueue {
  return {
    async put(letter) {
      let body = JSON.stringify({ kind: 'gongdan.reaction_failed', ...letter });
      if (Buffer.byteLength(body) > maxBytes) {
        // Too big to carry whole (many rendered messages): the record stays in the table, point at it.
        const { record, ...rest } = letter;
        body = JSON.stringify({
          kind: 'gongdan.reaction_failed',
          ...rest,
          record: { id: record.id, ticketId: record.ticketId, version: record.version, truncated: true },
        });
      }
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: body,
          MessageAttributes: {
            reaction: { DataType: 'String', StringValue: letter.reaction },
            ticketId: { DataType: 'String', StringValue: letter.record.ticketId },
          },
        }),
      );
    },
  };
}
