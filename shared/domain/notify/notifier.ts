import * as z from 'zod';

export const notificationChannels = ['email', 'sms', 'chat'] as const;
export const NotificationChannel = z.enum(notificationChannels);
export type NotificationChannel = z.infer<typeof NotificationChannel>;

/**
 * One message to a person: an acknowledgement, a reply, an SLA warning or escalation. `kind` names why
 * it is sent (`ack`, `reply`, `sla.warning`, `sla.escalation`, …) so outboxes and reports can group them.
 */
export const Notification = z.object({
  channel: NotificationChannel,
  /** An e-mail address, a phone number (E.164) or a chat webhook/room id, by channel. */
  to: z.string().min(1).max(320),
  /** E-mail subject; SMS and chat messages have none (empty string). */
  subject: z.string().max(300).default(''),
  body: z.string().max(100_000),
  ticketId: z.string().nullable(),
  kind: z.string().min(1).max(60),
  /**
   * E-mail only: the threading and loop-protection headers (`Message-ID`, `In-Reply-To`, `References`,
   * `Thread-Index`, `Auto-Submitted`), so the customer's client threads the mail and replies come back.
   */
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,60}$/), z.string().max(8000)).optional(),
  /** E-mail only: people copied (others on the ticket's thread). */
  cc: z.array(z.string().min(3).max(320)).max(20).optional(),
  /**
   * The same key is the same message: a notifier that can (the local outbox) keeps one message per key,
   * so a send repeated after a crash is not delivered twice.
   */
  idempotencyKey: z.string().min(1).max(300).optional(),
});
export type Notification = z.input<typeof Notification>;

/** A notification as it was handed to the channel, stamped with the system clock. */
export const SentNotification = Notification.extend({
  id: z.string(),
  sentAt: z.string(),
  /** The id the provider gave the message, when it differs from ours (SES rewrites Message-ID). */
  providerMessageId: z.string().optional(),
});
export type SentNotification = z.infer<typeof SentNotification>;

/**
 * Sends notifications. SES / SNS in AWS; the local runtime's outbox keeps every message instead, so it
 * can be read back (`GET /dev/outbox`).
 */
export interface Notifier {
  send(notification: Notification): Promise<SentNotification>;
}
