import { redactedMessage } from '../domain/redact.ts';
import { defineReaction } from './reaction.ts';
import { sendOnce } from './send-once.ts';

/**
 * Sends the messages rendered with the change (SLA warnings and escalations to staff, by e-mail, SMS
 * or chat), each once under its key. A failed send is logged by ids only (no address, no body) and
 * fails the reaction, so the rest of the record goes on and this one is tried again later.
 */
export const notifications = defineReaction({
  name: 'notifications',
  handles: (record) => record.notifications.length > 0,
  async run(record, deps) {
    const failed: string[] = [];
    for (const { key, who, notification } of record.notifications) {
      try {
        await sendOnce(deps.sent, `notify:${key}`, deps.clock.now(), async () => {
          await deps.notifier.send({ ...notification, idempotencyKey: `notify:${key}` });
          deps.metrics.count('NotificationsSent', 1, { channel: notification.channel });
          return { outcome: 'sent', ticketId: record.ticketId };
        });
      } catch (error) {
        deps.metrics.count('NotificationsFailed', 1, { channel: notification.channel });
        deps.logger.error('notification.failed', {
          ticketId: record.ticketId,
          key,
          kind: notification.kind,
          channel: notification.channel,
          who,
          error: redactedMessage(error),
        });
        failed.push(`${notification.kind} by ${notification.channel} to ${who ?? 'a recipient'}`);
      }
    }
    if (failed.length) throw new Error(`Not sent: ${failed.join('; ')}`);
  },
});
