import { randomBytes } from 'node:crypto';
import { dynamoIntakeStore } from '#shared/adapters/dynamo/dynamo-intake-store.ts';
import type { ChannelDeps, ChannelTicketDeps } from '#shared/channels/deps.ts';
import type { AttachmentStore } from '#shared/domain/intake/intake.ports.ts';
import type { WebhookSourceConfig } from '#shared/domain/intake/webhook.ts';
import { channelSettings } from '#shared/runtime/wire-channels.ts';
import { freshTicketDeps, recordingNotifier } from './ticket-fixtures.ts';

export { recordingNotifier };

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

/**
 * A fresh table in the suite's DynamoDB Local with the ticket use cases' deps and the channels' ports
 * over it: the DynamoDB intake store, in-memory attachments, a recording notifier behind customer mail
 * (sent by the dispatcher: `drain()`), and the given webhook sources with their secrets.
 */
export async function freshChannelDeps(
  options: { now?: () => Date; webhooks?: { config: WebhookSourceConfig; secrets: string[] }[] } = {},
) {
  const notifier = recordingNotifier();
  const ctx = await freshTicketDeps(options.now, { notifier });
  const attachments = memoryAttachments();
  const store = dynamoIntakeStore(ctx.client, ctx.tableName, ctx.deps.tickets, ctx.deps.clock);
  const webhooks = options.webhooks ?? [];
  const channels: ChannelDeps = {
    ...store,
    attachments,
    webhookSources: { get: (source) => webhooks.find((w) => w.config.source === source)?.config ?? null },
    webhookSecrets: {
      forSource: async (config) => webhooks.find((w) => w.config.source === config.source)?.secrets ?? [],
    },
    settings: channelSettings(ctx.environment),
  };
  const deps: ChannelTicketDeps = { ...ctx.deps, channels };
  return { ...ctx, deps, store, notifier, attachments };
}

export const randomSecret = () => `whsec_${randomBytes(16).toString('hex')}`;
