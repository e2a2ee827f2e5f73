import * as z from 'zod';
import { WebhookSourceConfig } from '../domain/intake/webhook.ts';

/**
 * One environment variable: its name and what it must hold. The infra construct that sets it and the
 * wiring that reads it both use this definition (`env.tableName.name`), so they cannot drift.
 */
export interface EnvVar<T> {
  readonly name: string;
  readonly schema: z.ZodType<T, string | undefined>;
}

const envVar = <T>(name: string, schema: z.ZodType<T, string | undefined>): EnvVar<T> => ({ name, schema });

/** Empty counts as unset (CloudFormation cannot remove a variable, only blank it). */
const unsetIfEmpty = (v: unknown) => (v === '' ? undefined : v);
const text = z.preprocess(unsetIfEmpty, z.string().trim().min(1)) as z.ZodType<string, string | undefined>;
const optionalText = z.preprocess(unsetIfEmpty, z.string().trim().min(1).optional()) as z.ZodType<
  string | undefined,
  string | undefined
>;
const csv = z.preprocess(unsetIfEmpty, z.string().optional()).transform((v) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
) as z.ZodType<string[], string | undefined>;
const flag = z
  .preprocess(unsetIfEmpty, z.enum(['true', 'false']).default('false'))
  .transform((v) => v === 'true') as z.ZodType<boolean, string | undefined>;
const json = <T>(schema: z.ZodType<T>, fallback: string) =>
  z.preprocess(unsetIfEmpty, z.string().default(fallback)).transform((raw, ctx) => {
    try {
      return schema.parse(JSON.parse(raw));
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `not valid: ${(error as Error).message.slice(0, 200)}` });
      return z.NEVER;
    }
  }) as z.ZodType<T, string | undefined>;

/** Every variable the stack sets for Gongdan's functions. */
export const env = {
  tableName: envVar('TABLE_NAME', text),
  eventBusName: envVar('EVENT_BUS_NAME', text),
  slaTimerArn: envVar('SLA_TIMER_ARN', text),
  approvalTimerArn: envVar('APPROVAL_TIMER_ARN', text),
  deadLetterQueueUrl: envVar('DEAD_LETTER_QUEUE_URL', text),
  authIssuer: envVar('AUTH_ISSUER', text),
  authAudience: envVar('AUTH_AUDIENCE', text),
  /** Customer mail: the From, its display name, our Message-ID domain, our own inboxes. */
  mailFrom: envVar(
    'MAIL_FROM',
    z.preprocess(unsetIfEmpty, z.email()) as z.ZodType<string, string | undefined>,
  ),
  mailFromName: envVar(
    'MAIL_FROM_NAME',
    z.preprocess(unsetIfEmpty, z.string().trim().min(1).default('Customer Service')) as z.ZodType<
      string,
      string | undefined
    >,
  ),
  messageIdDomain: envVar('MESSAGE_ID_DOMAIN', optionalText),
  ownAddresses: envVar('OWN_ADDRESSES', csv),
  reopenWindowDays: envVar(
    'REOPEN_WINDOW_DAYS',
    z.preprocess(unsetIfEmpty, z.coerce.number().int().min(0).max(365).default(7)) as z.ZodType<
      number,
      string | undefined
    >,
  ),
  portalStatusUrl: envVar('PORTAL_STATUS_URL', optionalText),
  /** Where approvers' one-time decision links point (the API's URL); unset: e-mails carry no link. */
  approvalLinkBase: envVar('APPROVAL_LINK_BASE', optionalText),
  /** How long a closing report's rating link works, in hours (default 720: 30 days). */
  feedbackLinkValidHours: envVar(
    'FEEDBACK_LINK_VALID_HOURS',
    z.preprocess(unsetIfEmpty, z.coerce.number().positive().max(8760).default(720)) as z.ZodType<
      number,
      string | undefined
    >,
  ),
  /** Where attachments go (S3); unset in functions that keep none. */
  mailBucket: envVar('MAIL_BUCKET', optionalText),
  /** Staff attachments: the largest upload in bytes (default 10 MB) and the content types accepted. */
  attachmentMaxBytes: envVar(
    'ATTACHMENT_MAX_BYTES',
    z.preprocess(
      unsetIfEmpty,
      z.coerce
        .number()
        .int()
        .positive()
        .max(5 * 1024 ** 3)
        .optional(),
    ) as z.ZodType<number | undefined, string | undefined>,
  ),
  attachmentTypes: envVar('ATTACHMENT_TYPES', csv),
  /** Field visits (docs/field-service.md): check-ins further than this from the site are flagged (default 500). */
  fieldCheckInRadiusMeters: envVar(
    'FIELD_CHECKIN_RADIUS_METERS',
    z.preprocess(unsetIfEmpty, z.coerce.number().int().min(10).max(100_000).default(500)) as z.ZodType<
      number,
      string | undefined
    >,
  ),
  /** Field visits: `false` keeps a ticket open after the engineer checks out (default: check-out resolves). */
  fieldResolveOnCheckOut: envVar(
    'FIELD_RESOLVE_ON_CHECKOUT',
    z
      .preprocess(unsetIfEmpty, z.enum(['true', 'false']).default('true'))
      .transform((v) => v === 'true') as z.ZodType<boolean, string | undefined>,
  ),
  /** Imports (docs/import.md): the bucket of uploaded files, the state machine that runs them, rows per chunk. */
  importBucket: envVar('IMPORT_BUCKET', text),
  /** Exports written to files (docs/export.md): the bucket they go to, under `exports/`. */
  exportBucket: envVar('EXPORT_BUCKET', text),
  /** The export worker (functions/export-run) that `POST /exports` invokes; set on that route only. */
  exportRunFunction: envVar('EXPORT_RUN_FUNCTION', text),
  /** Unset in the run's own steps (they start no runs). */
  importStateMachineArn: envVar('IMPORT_STATE_MACHINE_ARN', optionalText),
  importBatchSize: envVar(
    'IMPORT_BATCH_SIZE',
    z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1).max(1000).default(200)) as z.ZodType<
      number,
      string | undefined
    >,
  ),
  /** Webhook sources (JSON array of `WebhookSourceConfig`). */
  webhookSources: envVar('WEBHOOK_SOURCES', json(z.array(WebhookSourceConfig), '[]')),
  /** Outbound webhooks (docs/integrations.md): where signing secrets live, per-attempt timeout, local http. */
  webhooksOutSecretPrefix: envVar('WEBHOOKS_OUT_SECRET_PREFIX', optionalText),
  webhooksOutTimeoutMs: envVar(
    'WEBHOOKS_OUT_TIMEOUT_MS',
    z.preprocess(unsetIfEmpty, z.coerce.number().int().min(100).max(30_000).default(10_000)) as z.ZodType<
      number,
      string | undefined
    >,
  ),
  webhooksOutAllowLoopbackHttp: envVar('WEBHOOKS_OUT_ALLOW_LOOPBACK_HTTP', flag),
  /** SES rewrites Message-IDs under this domain (default: by region). */
  sesMessageIdDomain: envVar('SES_MESSAGE_ID_DOMAIN', optionalText),
  /** SLA messages: the From, the link base, SMS sender id, the on-call line, the zone times are shown in. */
  slaNotifyFrom: envVar('SLA_NOTIFY_FROM', text),
  slaTicketLinkBase: envVar('SLA_TICKET_LINK_BASE', text),
  slaSmsSenderId: envVar('SLA_SMS_SENDER_ID', optionalText),
  slaOnCallEmail: envVar('SLA_ON_CALL_EMAIL', optionalText),
  slaOnCallPhone: envVar('SLA_ON_CALL_PHONE', optionalText),
  slaDisplayTimeZone: envVar('SLA_DISPLAY_TIME_ZONE', optionalText),
  slaSms: envVar('SLA_SMS', flag),
  /** Child tickets (docs/collaboration.md): how deep they nest, and whether the last one resolves the parent. */
  childTicketMaxDepth: envVar(
    'CHILD_TICKET_MAX_DEPTH',
    z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1).max(5).default(2)) as z.ZodType<
      number,
      string | undefined
    >,
  ),
  childTicketAutoResolveParent: envVar('CHILD_TICKET_AUTO_RESOLVE_PARENT', flag),
  /**
   * The analytics lake (docs/analytics.md): the Firehose delivery streams of the two tables (set on the
   * dispatcher), and the Athena workgroup and Glue database the report routes query.
   */
  lakeFactsStream: envVar('LAKE_FACTS_STREAM', text),
  lakeEventsStream: envVar('LAKE_EVENTS_STREAM', text),
  athenaWorkgroup: envVar('ATHENA_WORKGROUP', text),
  athenaDatabase: envVar('ATHENA_DATABASE', text),
  /** Powertools: the service name on every log line and metric, the log level, the metrics namespace. */
  serviceName: envVar('POWERTOOLS_SERVICE_NAME', text),
  logLevel: envVar('POWERTOOLS_LOG_LEVEL', optionalText),
  /** The share of invocations that log at DEBUG (Powertools reads it itself). */
  logSampleRate: envVar('POWERTOOLS_LOGGER_SAMPLE_RATE', optionalText),
  metricsNamespace: envVar('POWERTOOLS_METRICS_NAMESPACE', text),
} as const;

/** What every function's platform reads (`awsPlatform`). */
export const observabilityEnv = {
  serviceName: env.serviceName,
  logLevel: env.logLevel,
  logSampleRate: env.logSampleRate,
  metricsNamespace: env.metricsNamespace,
};

/** Where variables are read from: `process.env` in AWS, the local runtime's own record locally. */
export type EnvSource = Readonly<Record<string, string | undefined>>;

type Values<V extends Record<string, EnvVar<unknown>>> = {
  [K in keyof V]: V[K] extends EnvVar<infer T> ? T : never;
};

/**
 * Reads and validates `vars` from `source`. Every problem is reported at once, by variable name, and
 * thrown: at cold start, so a misconfigured function fails before it takes any work.
 */
export function readEnv<V extends Record<string, EnvVar<unknown>>>(vars: V, source: EnvSource): Values<V> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, v] of Object.entries(vars)) {
    const parsed = v.schema.safeParse(source[v.name]);
    if (parsed.success) out[key] = parsed.data;
    else
      problems.push(
        source[v.name] === undefined || source[v.name] === ''
          ? `${v.name} is not set`
          : `${v.name}: ${parsed.error.issues.map((i) => i.message).join(', ')}`,
      );
  }
  if (problems.length) throw new Error(`Invalid environment: ${problems.join('; ')}`);
  return out as Values<V>;
}

/** What a report route reads to query the lake with Athena (docs/analytics.md). */
export const reportsEnv = { athenaWorkgroup: env.athenaWorkgroup, athenaDatabase: env.athenaDatabase };

/** The export worker's own environment beyond the tables' (docs/export.md, "In AWS"). */
export const exportsEnv = { exportBucket: env.exportBucket };
