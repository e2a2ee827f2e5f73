import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import * as z from 'zod';
import { WebhookSourceConfig } from '#shared/domain/intake/webhook.ts';

const retentionDays = new Set(Object.values(RetentionDays).filter((v): v is number => typeof v === 'number'));

/** `-c key=value` arrives as a string, cdk.json as JSON: accept both. */
const listOf = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean));
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/**
 * Deploy-time settings, read from CDK context (`cdk.json` or `-c gongdan:<key>=<value>`). Everything has a
 * default, so a plain `cdk deploy` works; docs/deploy.md lists them.
 */
export const GongdanSettings = z.object({
  /** Days CloudWatch keeps function and API access logs; must be a value CloudWatch accepts. */
  logRetentionDays: z.coerce
    .number()
    .int()
    .refine((d) => retentionDays.has(d), { message: `must be one of ${[...retentionDays].join(', ')}` })
    .default(30),
  /** The level functions log at (Powertools: DEBUG, INFO, WARN, ERROR). */
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  /** The share of invocations that log at DEBUG whatever the level (0 to 1). */
  debugLogSampleRate: z.coerce.number().min(0).max(1).default(0.01),
  /** Steady-state requests per second across the API (stage default). */
  apiRateLimit: z.coerce.number().positive().default(50),
  /** Burst capacity across the API (stage default). */
  apiBurstLimit: z.coerce.number().int().positive().default(100),
  /** Browser origins allowed to call the API; empty leaves CORS off. */
  corsAllowOrigins: listOf.default([]),
  /** Days the event bus archive keeps events for replay. */
  eventArchiveRetentionDays: z.coerce.number().int().positive().default(90),
  /** Cognito Plus feature plan with threat protection enforced (paid per monthly active user). */
  cognitoPlusPlan: flag.default(false),
  /**
   * The prefix of the Hosted UI domain (`<prefix>.auth.<region>.amazoncognito.com`), unique in the region
   * across all AWS accounts; default `gongdan-<account id>`. Set it for a second deployment in the same
   * account and region.
   */
  cognitoDomainPrefix: z
    .string()
    .trim()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, {
      message: 'must be 1-63 lower-case letters, digits and inner hyphens',
    })
    .refine((p) => !/aws|amazon|cognito/.test(p), { message: 'may not contain aws, amazon or cognito' })
    .optional(),
  /** The From of SLA warnings and escalations; must be (or be on a domain) verified in SES. */
  slaNotifyFrom: z.string().trim().min(3).default('sla-alerts@example.com'),
  /** The SES identity that may send it (a domain or the address); default: the From's domain. */
  slaSesIdentity: z.string().trim().min(1).optional(),
  /** What links in SLA messages start with, followed by the ticket id; default: the API's `/tickets`. */
  slaTicketLinkBase: z.string().trim().url().optional(),
  /** SMS sender id where the destination country allows one. */
  slaSmsSenderId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{1,11}$/)
    .optional(),
  /** A fixed on-call line for escalations to `on_call` (otherwise the team's escalation contact). */
  slaOnCallEmail: z.string().trim().email().optional(),
  slaOnCallPhone: z
    .string()
    .trim()
    .regex(/^\+[1-9]\d{6,14}$/)
    .optional(),
  /** Whether SLA messages may go out as SMS (SNS Publish to phone numbers, which IAM cannot narrow). */
  slaSms: flag.default(true),
  /** The From of mail to customers (acknowledgements, replies, notices); verified in SES. */
  mailFrom: z.string().trim().email().default('support@example.com'),
  /** The display name on that From. */
  mailFromName: z.string().trim().min(1).max(100).default('Gongdan 客服中心 / Customer Service'),
  /** The SES identity customer mail is sent from (a domain or the address); default: the From's domain. */
  mailSesIdentity: z.string().trim().min(1).optional(),
  /** The domain of our Message-IDs; default: the From's domain. */
  messageIdDomain: z.string().trim().min(1).optional(),
  /** Receive customer e-mail through an SES receipt rule set (activate it once; see docs/channels.md). */
  inboundEmail: flag.default(true),
  /** Addresses or domains the receipt rule accepts; default: the From address. */
  inboundRecipients: listOf.default([]),
  /** A customer reply this many days after resolution reopens the ticket; later, it opens a linked one. */
  reopenWindowDays: z.coerce.number().int().min(0).max(365).default(7),
  /** Days raw inbound mail is kept in the mail bucket (the ticket keeps text and attachments). */
  mailRetentionDays: z.coerce.number().int().positive().default(30),
  /**
   * Webhook sources (`POST /hooks/{source}`) as JSON: `WebhookSourceConfig` objects whose `secretRef`
   * names an SSM SecureString or a Secrets Manager secret; each function may read only those.
   */
  webhookSources: z
    .preprocess(
      jsonIfText,
      z.array(WebhookSourceConfig, { error: 'must be a JSON array of webhook sources' }),
    )
    .default([]),
});
export type GongdanSettings = z.infer<typeof GongdanSettings>;

/** `-c key='[…]'` arrives as text: parse it (text that is not JSON stays text and fails validation). */
function jsonIfText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

const keys = Object.keys(GongdanSettings.shape) as (keyof GongdanSettings)[];

/** Reads `gongdan:*` context values; throws at synth with the key and the reason when one is invalid. */
export function readSettings(node: Node): GongdanSettings {
  const raw = Object.fromEntries(
    keys.map((key) => [key, node.tryGetContext(`gongdan:${key}`)]).filter(([, v]) => v !== undefined),
  );
  const parsed = GongdanSettings.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `gongdan:${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid CDK context: ${problems.join('; ')}`);
  }
  return parsed.data;
}
