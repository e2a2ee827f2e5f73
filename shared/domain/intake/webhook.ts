import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { safeRecord } from '../safe-record.ts';
import { activeStatuses, Priority, type Status } from '../ticket/lifecycle.ts';
import { Customer, type CustomFieldValue, NewTicket } from '../ticket/ticket.entity.ts';
import {
  mappingFailed,
  signatureInvalid,
  signatureMissing,
  timestampInvalid,
  timestampMissing,
  timestampStale,
} from './intake.errors.ts';
import { ledgerKey } from './intake-ledger.ts';

// --- signing ----------------------------------------------------------------------------------------

/** Header names (lower-case, as API Gateway HTTP APIs deliver them). */
export const webhookHeaders = {
  signature: 'x-gongdan-signature',
  timestamp: 'x-gongdan-timestamp',
  delivery: 'x-gongdan-delivery',
} as const;

export const defaultToleranceSeconds = 300;

/** Hex HMAC-SHA256 of `<timestamp>.<body>` under the source's secret. The body is the raw bytes sent. */
export function webhookSignature(secret: string, timestamp: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The value of the signature header a sender sets: `sha256=<hex>`. */
export const signatureHeaderValue = (secret: string, timestamp: string, body: string | Buffer) =>
  `sha256=${webhookSignature(secret, timestamp, body)}`;

export interface SignedRequest {
  headers: Readonly<Record<string, string | undefined>>;
  /** Exactly as received (API Gateway's base64 bodies decoded first); re-serialized JSON will not verify. */
  body: string | Buffer;
}

export interface VerifiedSignature {
  /** Seconds since the epoch, as signed. */
  timestamp: number;
  /** The signature that matched, lower-case hex; identifies this exact (timestamp, body) pair. */
  signature: string;
}

/**
 * Checks a webhook's signature and freshness. Any of the source's secrets may have signed it (the
 * current one and the one being rotated out), each entry of the header (`sha256=<hex>`, comma-separated
 * while a sender rotates) is compared in constant time, and the timestamp must be within `tolerance`
 * seconds of `now` in either direction. Throws WEBHOOK.SIGNATURE_MISSING, WEBHOOK.TIMESTAMP_MISSING,
 * WEBHOOK.TIMESTAMP_INVALID, WEBHOOK.SIGNATURE_INVALID or WEBHOOK.TIMESTAMP_STALE (the last only for an
 * authentic request, so a sender with a skewed clock learns what is wrong).
 */
export function verifyWebhookSignature(
  request: SignedRequest,
  secrets: readonly string[],
  now: Date,
  toleranceSeconds = defaultToleranceSeconds,
): VerifiedSignature {
  const header = headerValue(request.headers, webhookHeaders.signature);
  if (!header) throw signatureMissing(webhookHeaders.signature);
  const stamp = headerValue(request.headers, webhookHeaders.timestamp);
  if (!stamp) throw timestampMissing(webhookHeaders.timestamp);
  if (!/^\d{1,12}$/.test(stamp)) throw timestampInvalid(webhookHeaders.timestamp);

  const offered = header
    .split(',')
    .map((entry) =>
      entry
        .trim()
        .replace(/^sha256=/i, '')
        .toLowerCase(),
    )
    .filter((hex) => /^[0-9a-f]{64}$/.test(hex));
  let matched: string | null = null;
  for (const secret of secrets) {
    const expected = Buffer.from(webhookSignature(secret, stamp, request.body), 'hex');
    for (const hex of offered) {
      // Every pair is compared (no early exit), so timing says nothing about which one matched.
      if (timingSafeEqual(expected, Buffer.from(hex, 'hex')) && matched === null) matched = hex;
    }
  }
  if (matched === null) throw signatureInvalid();

  const timestamp = Number(stamp);
  const skew = timestamp - Math.floor(now.getTime() / 1000);
  if (Math.abs(skew) > toleranceSeconds) throw timestampStale(skew, toleranceSeconds);
  return { timestamp, signature: matched };
}

export function headerValue(headers: Readonly<Record<string, string | undefined>>, name: string) {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key]?.trim();
  return value || null;
}

// --- replay protection -------------------------------------------------------------------------------

/**
 * The keys a delivery is remembered by: its delivery id (a sender's retry re-signs with a new timestamp
 * but keeps the id) and its signature (a captured request replayed within the tolerance under a made-up
 * delivery id still has the same signature).
 */
export function webhookDeliveryKeys(source: string, deliveryId: string | null, signature: string) {
  return {
    delivery: deliveryId ? ledgerKey(`webhook:${source}:delivery`, deliveryId) : null,
    signature: `webhook:${source}:sig:${signature}`,
  };
}

export type ReplayDecision = { replay: false } | { replay: true; key: string };

/** A delivery is a replay when any of its keys has been seen. */
export async function replayDecision(
  keys: readonly (string | null)[],
  seen: (key: string) => boolean | Promise<boolean>,
): Promise<ReplayDecision> {
  for (const key of keys) if (key && (await seen(key))) return { replay: true, key };
  return { replay: false };
}

// --- payload → ticket mapping ---------------------------------------------------------------------

/**
 * Where a value comes from: a path into the payload (a JSON pointer such as `/alert/labels/severity`,
 * or a dotted path such as `alert.labels.severity` / `items[0].name`); or an object with exactly one of
 * `path`, `template` (`"{{labels.alertname}} on {{labels.instance}}"`) or a constant `value`, plus an
 * optional `default` for when the path is missing.
 */
export const ValueSource = z.union([
  z.string().min(1).max(300),
  z
    .object({
      path: z.string().min(1).max(300).optional(),
      template: z.string().min(1).max(1000).optional(),
      value: z.union([z.string(), z.number(), z.boolean()]).optional(),
      default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    })
    .strict()
    .refine((v) => [v.path, v.template, v.value].filter((x) => x !== undefined).length === 1, {
      message: 'Give exactly one of path, template or value',
    }),
]);
export type ValueSource = z.infer<typeof ValueSource>;

/** Priority from the payload through a value table (`{"critical": "urgent", "p1": "urgent", …}`). */
export const PriorityMapping = z.union([
  Priority,
  z
    .object({
      path: z.string().min(1).max(300),
      map: safeRecord(z.string(), Priority).default({}),
      default: Priority.default('normal'),
    })
    .strict(),
]);

export const WebhookMapping = z
  .object({
    subject: ValueSource,
    description: ValueSource.optional(),
    priority: PriorityMapping.optional(),
    category: ValueSource.optional(),
    team: ValueSource.optional(),
    customer: z
      .object({ email: ValueSource, name: ValueSource.optional(), externalId: ValueSource.optional() })
      .strict(),
    customFields: safeRecord(z.string().min(1).max(60), ValueSource).default({}),
    tags: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
  })
  .strict();
export type WebhookMapping = z.infer<typeof WebhookMapping>;

/** Alert de-duplication: one open ticket per fingerprint; `resolvedWhen` recognises the all-clear. */
export const AlertDedupe = z
  .object({
    fingerprint: ValueSource,
    resolvedWhen: z
      .object({ path: z.string().min(1).max(300), equals: z.array(z.string()).min(1) })
      .strict()
      .optional(),
  })
  .strict();

/** One external system allowed to post to `POST /hooks/{source}`. */
export const WebhookSourceConfig = z
  .object({
    source: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
    /** SSM SecureString name or Secrets Manager id holding the secret(s); never the secret itself. */
    secretRef: z.string().min(1).max(2048),
    toleranceSeconds: z.number().int().min(30).max(3600).default(defaultToleranceSeconds),
    /** Where the delivery id is: a header (default `x-gongdan-delivery`) or a path in the payload. */
    deliveryId: z
      .object({
        header: z.string().min(1).default(webhookHeaders.delivery),
        path: z.string().min(1).optional(),
      })
      .strict()
      .default({ header: webhookHeaders.delivery }),
    mapping: WebhookMapping,
    alert: AlertDedupe.optional(),
  })
  .strict();
export type WebhookSourceConfig = z.infer<typeof WebhookSourceConfig>;

type Scalar = string | number | boolean;

/**
 * Reads `path` from `payload`: a JSON pointer (RFC 6901) when it starts with `/`, else a dotted path
 * with optional `[n]` indices. Only own properties are followed (no `__proto__` walks).
 */
export function readPath(payload: unknown, path: string): unknown {
  const segments = path.startsWith('/')
    ? path
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    : path
        .replace(/\[(\d+)\]/g, '.$1')
        .split('.')
        .filter((s) => s !== '');
  let current: unknown = payload;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** The value a source names, as a scalar: objects become JSON, missing becomes the default or undefined. */
export function resolveValue(source: ValueSource, payload: unknown): Scalar | undefined {
  if (typeof source === 'string') return scalar(readPath(payload, source));
  if (source.value !== undefined) return source.value;
  if (source.template !== undefined) {
    const text = source.template.replace(/\{\{\s*([^{}]+?)\s*\}\}/g, (_, p: string) =>
      String(scalar(readPath(payload, p)) ?? ''),
    );
    return text.trim() ? text : source.default;
  }
  return scalar(readPath(payload, source.path!)) ?? source.default;
}

function scalar(value: unknown): Scalar | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

const text = (v: Scalar | undefined, max: number) => {
  if (v === undefined) return undefined;
  const s = String(v).trim();
  return s ? s.slice(0, max) : undefined;
};

/**
 * Builds the ticket a webhook payload describes, through the source's mapping. Long values are cut to
 * fit rather than refused (monitoring subjects run long); what cannot make a ticket — no subject, no
 * valid customer e-mail — is WEBHOOK.MAPPING_FAILED with each field's problem.
 */
export function mapWebhookPayload(
  payload: unknown,
  mapping: WebhookMapping,
): NewTicket & { customer: Customer } {
  const customFields: Record<string, z.infer<typeof CustomFieldValue>> = {};
  for (const [name, source] of Object.entries(mapping.customFields)) {
    const value = resolveValue(source, payload);
    if (value !== undefined) customFields[name] = typeof value === 'string' ? value.slice(0, 1000) : value;
  }
  const name = mapping.customer.name ? text(resolveValue(mapping.customer.name, payload), 120) : undefined;
  const externalId = mapping.customer.externalId
    ? text(resolveValue(mapping.customer.externalId, payload), 120)
    : undefined;
  // Absent values are left out, not set to undefined: stores (DynamoDB's marshaller) refuse undefined.
  const customer = {
    email: text(resolveValue(mapping.customer.email, payload), 254),
    ...(name !== undefined ? { name } : {}),
    ...(externalId !== undefined ? { externalId } : {}),
  };
  const candidate = {
    subject: text(resolveValue(mapping.subject, payload), 200),
    description: text(mapping.description ? resolveValue(mapping.description, payload) : undefined, 20_000),
    priority: mapping.priority ? mapPriority(mapping.priority, payload) : undefined,
    category: mapping.category ? text(resolveValue(mapping.category, payload), 80) : undefined,
    team: mapping.team ? text(resolveValue(mapping.team, payload), 80) : undefined,
    tags: mapping.tags,
    customFields,
    customer,
  };
  const parsed = NewTicket.extend({ customer: Customer }).safeParse(candidate);
  if (!parsed.success) {
    throw mappingFailed(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  return parsed.data;
}

function mapPriority(mapping: z.infer<typeof PriorityMapping>, payload: unknown): Priority {
  if (typeof mapping === 'string') return mapping;
  const raw = scalar(readPath(payload, mapping.path));
  if (raw === undefined) return mapping.default;
  const wanted = String(raw).trim().toLowerCase();
  const entry = Object.entries(mapping.map).find(([k]) => k.trim().toLowerCase() === wanted);
  if (entry) return entry[1];
  const direct = Priority.safeParse(wanted);
  return direct.success ? direct.data : mapping.default;
}

// --- alert de-duplication -------------------------------------------------------------------------

/** The most recent ticket opened for an alert fingerprint, as the lookup returns it. */
export interface AlertTicket {
  id: string;
  number: string;
  status: Status;
  customFields: Readonly<Record<string, unknown>>;
}

export type AlertPlan =
  | {
      kind: 'open';
      /** Merged into the new ticket's custom fields. */
      customFields: {
        alertFingerprint: string;
        alertCount: number;
        alertFirstSeenAt: string;
        alertLastSeenAt: string;
      };
      /** createTicket's key: concurrent first alerts of one episode make one ticket. */
      idempotencyKey: string;
    }
  | { kind: 'repeat'; ticketId: string; number: string; count: number; lastSeenAt: string }
  | { kind: 'clear'; ticketId: string; number: string }
  | { kind: 'ignore'; reason: string };

/** A stable, bounded key for a fingerprint (fingerprints can be long label sets). */
export const alertKey = (source: string, fingerprint: string) => ledgerKey(`alert:${source}`, fingerprint);

/**
 * What an alert does, given the latest ticket for its fingerprint: while that ticket is still being
 * worked (new/open/pending), a repeat adds to its count and last-seen time instead of opening another;
 * the all-clear adds a note to it. Otherwise the alert opens a ticket — keyed by the ticket before it,
 * so two copies of the same alert racing each other still open only one.
 */
export function planAlert(
  alert: { source: string; fingerprint: string; resolved: boolean },
  latest: AlertTicket | null,
  now: Date,
): AlertPlan {
  const at = now.toISOString();
  const open = latest && activeStatuses.includes(latest.status) ? latest : null;
  if (alert.resolved) {
    return open
      ? { kind: 'clear', ticketId: open.id, number: open.number }
      : { kind: 'ignore', reason: 'all-clear for an alert with no open ticket' };
  }
  if (open) {
    const seen = Number(open.customFields.alertCount);
    return {
      kind: 'repeat',
      ticketId: open.id,
      number: open.number,
      count: (Number.isFinite(seen) && seen > 0 ? seen : 1) + 1,
      lastSeenAt: at,
    };
  }
  return {
    kind: 'open',
    customFields: {
      alertFingerprint: alert.fingerprint.slice(0, 1000),
      alertCount: 1,
      alertFirstSeenAt: at,
      alertLastSeenAt: at,
    },
    idempotencyKey: `${alertKey(alert.source, alert.fingerprint)}:after:${latest?.id ?? 'none'}`,
  };
}
