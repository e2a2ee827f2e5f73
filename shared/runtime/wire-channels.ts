import { dynamoIntakeStore } from '../adapters/dynamo/dynamo-intake-store.ts';
import { dynamoPortalConfigStore } from '../adapters/dynamo/dynamo-portal-config-store.ts';
import type { ChannelDeps } from '../channels/deps.ts';
import { defaultFieldPolicy } from '../domain/field/visit.ts';
import type { ChannelSettings } from '../domain/intake/intake.ports.ts';
import { defaultAttachmentLimits } from '../domain/ticket/attachment-policy.ts';
import type { TicketStore } from '../domain/ticket/ticket.store.ts';
import { type EnvSource, env, readEnv } from './env.ts';
import type { Platform } from './platform.ts';

export const channelSettingsEnv = {
  tableName: env.tableName,
  mailFrom: env.mailFrom,
  mailFromName: env.mailFromName,
  messageIdDomain: env.messageIdDomain,
  ownAddresses: env.ownAddresses,
  reopenWindowDays: env.reopenWindowDays,
  portalStatusUrl: env.portalStatusUrl,
};

export const channelsEnv = {
  ...channelSettingsEnv,
  mailBucket: env.mailBucket,
  webhookSources: env.webhookSources,
  attachmentMaxBytes: env.attachmentMaxBytes,
  attachmentTypes: env.attachmentTypes,
  fieldCheckInRadiusMeters: env.fieldCheckInRadiusMeters,
  fieldResolveOnCheckOut: env.fieldResolveOnCheckOut,
};

/** The mail settings customer mail and e-mail intake share (MAIL_FROM, …, PORTAL_STATUS_URL). */
export function channelSettings(source: EnvSource): ChannelSettings {
  const c = readEnv(channelSettingsEnv, source);
  return {
    mailFrom: c.mailFrom,
    mailFromName: c.mailFromName,
    messageIdDomain: c.messageIdDomain ?? c.mailFrom.split('@')[1]!,
    ownAddresses: c.ownAddresses,
    reopenWindowDays: c.reopenWindowDays,
    portalStatusUrl: c.portalStatusUrl ?? null,
  };
}

/**
 * The channels capability (e-mail in, the portal, webhooks, events from other systems): the intake
 * ledger, threading, counters and attachment records on the table, attachments in MAIL_BUCKET,
 * webhook sources (WEBHOOK_SOURCES) and their secrets, and the mail settings.
 */
export function wireChannels(source: EnvSource, platform: Platform, tickets: TicketStore): ChannelDeps {
  const c = readEnv(channelsEnv, source);
  return {
    ...dynamoIntakeStore(platform.dynamo, c.tableName, tickets, platform.clock),
    attachments: platform.attachments(c.mailBucket),
    files: platform.attachmentFiles(c.mailBucket),
    attachmentLimits: {
      maxBytes: c.attachmentMaxBytes ?? defaultAttachmentLimits.maxBytes,
      allowedTypes: c.attachmentTypes.length ? c.attachmentTypes : defaultAttachmentLimits.allowedTypes,
    },
    field: {
      ...defaultFieldPolicy,
      checkInRadiusMeters: c.fieldCheckInRadiusMeters,
      resolveOnCheckOut: c.fieldResolveOnCheckOut,
    },
    webhookSources: platform.webhookSources(c.webhookSources),
    webhookSecrets: platform.webhookSecrets(),
    settings: channelSettings(source),
    portalConfig: dynamoPortalConfigStore(platform.dynamo, c.tableName),
  };
}
