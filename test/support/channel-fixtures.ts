import { randomBytes } from 'node:crypto';
import { dynamoIntakeStore } from '#shared/adapters/dynamo/dynamo-intake-store.ts';
import type { AttachmentStore, ChannelDeps, ChannelTicketDeps } from '#shared/channels/ports.ts';
import type { WebhookSourceConfig } from '#shared/domain/intake/webhook.ts';
import type { Notification, SentNotification } from '#shared/notify/notifier.ts';
import { freshTicketDeps } from './ticket-fixtures.ts';

/** A notifier that keeps what it was asked to send (the outbox's contract, in memory). */
export function recordingNotifier() {
  const sent: SentNotification[] = [];
  let n = 0;
  return {
    sent,
    async send(notification: Notification): Promise<SentNotification> {
      const message = {
        ...notification,
        subject: notification.subject ?? '',
        id: `N${++n}`,
        sentAt: new Date().toISOString(),
      } as SentNotification;
      sent.push(message);
      return message;
    },
  };
}

/** Attachments in memory, keyed like the S3 store. */
export function memoryAttachments(): AttachmentStore & { files: Map<string, Buffer> } {
  const files = new Map<string, Buffer>();
  return {
    files,
    async put(file) {
      const storageKey = `attachments/${file.ticketId}/${file.sha256}/${file.filename}`;
      files.set(storageKey, file.content);
      return { storageKey };
    },
  };
}

export const testSettings = {
  mailFrom: 'support@desk.example.com',
  mailFromName: 'Desk',
  messageIdDomain: 'mail.desk.example.com',
  ownAddresses: ['support@desk.example.com'],
  reopenWindowDays: 7,
  portalStatusUrl: null,
};

/**
 * A fresh table in the suite's DynamoDB Local with the ticket use cases' deps and the channels' ports
 * over it: the DynamoDB intake store, in-memory attachments, a recording notifier, and the given
 * webhook sources with their secrets.
 */
export async function freshChannelDeps(
  options: { now?: () => Date; webhooks?: { config: WebhookSourceConfig; secrets: string[] }[] } = {},
) {
  const ctx = await freshTicketDeps(options.now);
  const notifier = recordingNotifier();
  const attachments = memoryAttachments();
  const store = dynamoIntakeStore(ctx.client, ctx.tableName, ctx.deps.tickets, ctx.deps.clock);
  const webhooks = options.webhooks ?? [];
  const channels: ChannelDeps = {
    ...store,
    attachments,
    notifier,
    webhookSources: { get: (source) => webhooks.find((w) => w.config.source === source)?.config ?? null },
    webhookSecrets: {
      forSource: async (config) => webhooks.find((w) => w.config.source === config.source)?.secrets ?? [],
    },
    settings: testSettings,
  };
  const deps: ChannelTicketDeps = { ...ctx.deps, channels };
  return { ...ctx, deps, store, notifier, attachments };
}

export const randomSecret = () => `whsec_${randomBytes(16).toString('hex')}`;
