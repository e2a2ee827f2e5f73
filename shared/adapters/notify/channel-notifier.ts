import type { NotificationChannel, Notifier } from '../../domain/notify/notifier.ts';

/**
 * One `Notifier` over the channel adapters (SES e-mail, SNS SMS, chat webhooks): each notification goes
 * to the adapter of its channel. A channel with no adapter configured is refused, not dropped silently.
 */
export function channelNotifier(adapters: Partial<Record<NotificationChannel, Notifier>>): Notifier {
  return {
    send(notification) {
      const adapter = adapters[notification.channel];
      if (!adapter) return Promise.reject(new Error(`No notifier for channel ${notification.channel}`));
      return adapter.send(notification);
    },
  };
}
