import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { z } from 'zod';

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
});
export type GongdanSettings = z.infer<typeof GongdanSettings>;

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
