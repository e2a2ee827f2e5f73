import { Notification, type SentNotification } from '../../domain/notify/notifier.ts';
import type { Clock, IdGenerator } from '../../domain/ports.ts';
import { ulidGenerator } from '../ids.ts';

/** What every notifier adapter stamps a sent message with. */
export interface SentStamp {
  clock?: Clock;
  ids?: IdGenerator;
}

/** The notification as sent: validated, with our id, the system clock's time and the provider's id. */
export function stampSent(
  notification: Notification,
  stamp: SentStamp,
  providerMessageId?: string,
): SentNotification {
  return {
    ...Notification.parse(notification),
    id: (stamp.ids ?? defaultIds).next(),
    sentAt: (stamp.clock?.now() ?? new Date()).toISOString(),
    ...(providerMessageId ? { providerMessageId } : {}),
  };
}

const defaultIds = ulidGenerator();

/** A channel the adapter does not serve: a wiring fault, not a delivery failure. */
export const wrongChannel = (adapter: string, channel: string) =>
  new Error(
    `${adapter} sends ${adapter === 'SES' ? 'email' : adapter === 'SNS' ? 'sms' : 'chat'}, not ${channel}`,
  );
