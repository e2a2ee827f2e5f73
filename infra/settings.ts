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
 * Deploy-time settings, read from CDK context (`cdk.json` or `-c gongdan:<key>=<value>`) or, when the
 * context has none, from the environment (`GONGDAN_<KEY>`, e.g. `GONGDAN_MAIL_FROM`). Everything but
 * the mail senders has a default; docs/deploy.md lists them.
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
  /**
   * Staff signed in to the console at the same time: sizes the API's throttle (infra/api-throttle.ts;
   * the arithmetic is in docs/operations.md, "API throttling").
   */
  expectedAgents: z.coerce.number().int().positive().default(500),
  /** Steady-state requests per second across the API (stage default); default: from `expectedAgents`. */
  apiRateLimit: z.coerce.number().positive().optional(),
  /** Burst capacity across the API (stage default); default: twice the rate. */
  apiBurstLimit: z.coerce.number().int().positive().optional(),
  /** Requests per second each public route (portal, webhooks, e-mailed links) may take, whatever the total. */
  publicRouteRateLimit: z.coerce.number().positive().default(20),
  /** Burst of each public route. */
  publicRouteBurstLimit: z.coerce.number().int().positive().default(40),
  /** An address subscribed to the on-call topic that alarms and timer alerts go to (confirm once). */
  alarmEmail: z.string().trim().email().optional(),
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
  /**
   * The From of SLA warnings and escalations; must be (or be on a domain) verified in SES. Required:
   * there is no address that works for every deployment (see `requiredForDeploy`).
   */
  slaNotifyFrom: z.string().trim().min(3),
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
  /** The From of mail to customers (acknowledgements, replies, notices); verified in SES. Required. */
  mailFrom: z.string().trim().email(),
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

/** The environment variable a setting may come from: `mailFrom` → `GONGDAN_MAIL_FROM`. */
export const envNameOf = (key: string) =>
  `GONGDAN_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;

/**
 * The settings without a default, with an example of each: a deploy must name its own verified senders
 * (an `example.com` default synthesized a stack whose mail SES refuses).
 */
export const requiredForDeploy = {
  mailFrom: 'support@your-domain',
  slaNotifyFrom: 'sla-alerts@your-domain',
} as const satisfies Partial<Record<keyof GongdanSettings, string>>;

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads `gongdan:*` context values, each falling back to its `GONGDAN_*` environment variable in
 * `environment` (infra/bin/app.ts passes `process.env`; tests pass what they mean). Throws at synth
 * with the key and the reason when one is missing or invalid.
 */
export function readSettings(node: Node, environment: Environment = {}): GongdanSettings {
  const fromEnv = new Set<string>();
  const raw = Object.fromEntries(
    keys
      .map((key) => {
        const value = node.tryGetContext(`gongdan:${key}`);
        if (value !== undefined || environment[envNameOf(key)] === undefined) return [key, value];
        fromEnv.add(key);
        return [key, environment[envNameOf(key)]];
      })
      .filter(([, v]) => v !== undefined),
  );
  const parsed = GongdanSettings.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const key = String(i.path[0]);
      if (raw[key] === undefined && key in requiredForDeploy) {
        const example = requiredForDeploy[key as keyof typeof requiredForDeploy];
        return `gongdan:${key} is required: set it with \`cdk deploy -c gongdan:${key}=${example}\` or the environment variable ${envNameOf(key)} (an address on a domain verified in SES; see docs/deploy.md)`;
      }
      const where = fromEnv.has(key) ? ` (${envNameOf(key)})` : '';
      return `gongdan:${i.path.join('.')}${where}: ${i.message}`;
    });
    throw new Error(`Invalid CDK context: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** A stage's name goes into stack names (`Gongdan-<stage>-Stateful`) and the sign-in domain prefix. */
const Stage = z.string().regex(/^[a-z][a-z0-9]{0,11}$/, {
  message: 'must be 1-12 lower-case letters and digits, starting with a letter',
});

/**
 * The stage to synthesize (`-c stage=prod`, or `GONGDAN_STAGE`; default `dev`). Stages deploy side by
 * side in one account: their stacks, generated names and sign-in domains differ; `prod` protects its
 * data stack from deletion.
 */
export function readStage(node: Node, environment: Environment = {}): string {
  const raw = node.tryGetContext('stage') ?? environment.GONGDAN_STAGE ?? 'dev';
  const parsed = Stage.safeParse(raw);
  if (!parsed.success) throw new Error(`Invalid CDK context: stage: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
