import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESClient } from '@aws-sdk/client-ses';
import { SSMClient } from '@aws-sdk/client-ssm';
import * as z from 'zod';
import { dynamoIntakeStore } from '../adapters/dynamo/dynamo-intake-store.ts';
import { sesNotifier } from '../adapters/notify/ses-notifier.ts';
import { awsWebhookSecrets } from '../adapters/secrets/webhook-secrets.ts';
import { s3AttachmentStore } from '../adapters/storage/s3-attachment-store.ts';
import type { AttachmentStore, ChannelDeps, ChannelSettings, ChannelTicketDeps } from '../channels/ports.ts';
import { WebhookSourceConfig } from '../domain/intake/webhook.ts';
import type { ApiDeps } from '../http/route.ts';
import type { Notifier } from '../notify/notifier.ts';
import { requiredEnv } from './env.ts';
import { lambdaDeps } from './lambda-deps.ts';

const optionalEnv = (name: string) => process.env[name] || undefined;

/** `Name <address>` with the name RFC 2047-encoded when it is not ASCII (SES requires it in Source). */
export function formatFrom(address: string, name: string | undefined): string {
  if (!name) return address;
  const display = /^[\x20-\x7e]*$/.test(name)
    ? `"${name.replace(/["\\]/g, '')}"`
    : `=?UTF-8?B?${Buffer.from(name, 'utf8').toString('base64')}?=`;
  return `${display} <${address}>`;
}

/**
 * The domain of the Message-ID SES gives what it sends: `<id@email.amazonses.com>` in us-east-1,
 * `<id@<region>.amazonses.com>` elsewhere. Override with SES_MESSAGE_ID_DOMAIN where that differs.
 */
export const sesMessageIdDomain = (region: string | undefined) =>
  optionalEnv('SES_MESSAGE_ID_DOMAIN') ??
  (!region || region === 'us-east-1' ? 'email.amazonses.com' : `${region}.amazonses.com`);

/** SES, reporting the Message-ID header it really used, so replies naming it thread (see threading.ts). */
function sesCustomerMail(from: string): Notifier {
  const ses = sesNotifier(new SESClient({}), { from });
  const domain = sesMessageIdDomain(process.env.AWS_REGION);
  return {
    async send(notification) {
      const sent = await ses.send(notification);
      return sent.providerMessageId
        ? { ...sent, providerMessageId: `${sent.providerMessageId}@${domain}` }
        : sent;
    },
  };
}

const notAllowed = (what: string) => () => {
  throw new Error(`This function is not set up to ${what}`);
};

let cached: (ApiDeps & ChannelTicketDeps) | undefined;

/**
 * The dependencies of a channel function in AWS (portal, webhooks, inbound mail, intake events,
 * customer mail): `lambdaDeps()` plus the channel ports, from the environment the stack sets —
 * MAIL_FROM (required), MAIL_FROM_NAME, MESSAGE_ID_DOMAIN, OWN_ADDRESSES, REOPEN_WINDOW_DAYS,
 * PORTAL_STATUS_URL; MAIL_BUCKET where attachments are kept; SEND_MAIL=true where customer mail is
 * sent; WEBHOOK_SOURCES (JSON) where webhooks are verified. Built once per container.
 */
export function channelLambdaDeps(): ApiDeps & ChannelTicketDeps {
  if (cached) return cached;
  const base = lambdaDeps();
  const tableName = requiredEnv('TABLE_NAME');
  const mailFrom = requiredEnv('MAIL_FROM');
  const settings: ChannelSettings = {
    mailFrom,
    mailFromName: optionalEnv('MAIL_FROM_NAME') ?? 'Customer Service',
    messageIdDomain: optionalEnv('MESSAGE_ID_DOMAIN') ?? mailFrom.split('@')[1]!,
    ownAddresses: (optionalEnv('OWN_ADDRESSES') ?? '')
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean),
    reopenWindowDays: Number(optionalEnv('REOPEN_WINDOW_DAYS') ?? 7),
    portalStatusUrl: optionalEnv('PORTAL_STATUS_URL') ?? null,
  };
  const sources = z.array(WebhookSourceConfig).parse(JSON.parse(optionalEnv('WEBHOOK_SOURCES') ?? '[]'));
  const bucket = optionalEnv('MAIL_BUCKET');
  const attachments: AttachmentStore = bucket
    ? s3AttachmentStore(new S3Client({}), bucket)
    : { put: notAllowed('store attachments') };
  const channels: ChannelDeps = {
    ...dynamoIntakeStore(new DynamoDBClient({}), tableName, base.tickets, base.clock),
    attachments,
    notifier:
      optionalEnv('SEND_MAIL') === 'true'
        ? sesCustomerMail(formatFrom(mailFrom, optionalEnv('MAIL_FROM_NAME')))
        : { send: notAllowed('send mail') },
    webhookSources: { get: (source) => sources.find((s) => s.source === source) ?? null },
    webhookSecrets: awsWebhookSecrets({
      ssm: new SSMClient({}),
      secretsManager: new SecretsManagerClient({}),
    }),
    settings,
  };
  cached = { ...base, channels };
  return cached;
}
