import { createHash } from 'node:crypto';
import * as z from 'zod';

/**
 * Outbound webhook deliveries: one per (event, subscription), retried with exponential back-off and
 * jitter for up to 24 hours, then dead-lettered. Everything here is pure: the store keeps the record,
 * the sender makes the request, the use case (`shared/use-cases/webhook-deliveries.ts`) joins them.
 */

export const DeliveryStatus = z.enum(['pending', 'delivered', 'failed', 'dead']);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

export const DeliveryAttempt = z.object({
  at: z.string(),
  /** The HTTP status, when an answer came. */
  statusCode: z.number().int().optional(),
  durationMs: z.number().int().nonnegative(),
  /** What went wrong: `timeout`, `network: …`, `http 500`; absent on success. */
  error: z.string().optional(),
});
export type DeliveryAttempt = z.infer<typeof DeliveryAttempt>;

export const Delivery = z.object({
  /** `<event id>.<subscription>`: the same event to the same subscription is the same delivery. */
  id: z.string(),
  subscription: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  /** The JSON body, exactly the bytes signed and sent on every attempt. */
  body: z.string(),
  status: DeliveryStatus,
  attempts: z.array(DeliveryAttempt),
  createdAt: z.string(),
  /** Retries stop here: 24 hours after the delivery was made (or redriven). */
  deadline: z.string(),
  /** When it is due next (pending only). */
  nextAttemptAt: z.string().optional(),
  /** Why it was last put off without an attempt (the endpoint's circuit open). */
  deferredReason: z.string().optional(),
  finishedAt: z.string().optional(),
  redriven: z.number().int().nonnegative().default(0),
  version: z.number().int().positive(),
});
export type Delivery = z.infer<typeof Delivery>;

export const deliveryId = (eventId: string, subscription: string) => `${eventId}.${subscription}`;

/** The payload every delivery carries. */
export interface DeliveryPayload {
  id: string;
  type: string;
  time: string;
  detail: Record<string, unknown>;
}

/** The retry policy (defaults in `defaultRetryPolicy`). */
export interface RetryPolicy {
  /** The first retry comes after about this long. */
  baseMs: number;
  /** No wait is longer than this (`Retry-After` included). */
  capMs: number;
  /** Retries stop this long after the delivery was made. */
  windowMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  baseMs: 30_000,
  capMs: 60 * 60_000,
  windowMs: 24 * 60 * 60_000,
};

/**
 * The wait before retry number `failures` (1 after the first failed attempt): exponential, capped, with
 * "equal jitter" — half the step fixed, half random — so retries spread out yet never come sooner than
 * half the step. `random` is in [0, 1).
 */
export function backoffMs(
  failures: number,
  random: number,
  policy: RetryPolicy = defaultRetryPolicy,
): number {
  const step = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(step / 2 + (step / 2) * Math.min(Math.max(random, 0), 0.999_999));
}

/** What an attempt's outcome means for the delivery. */
export type Verdict = 'delivered' | 'retry' | 'fail';

/** What came back from one attempt. */
export type AttemptOutcome =
  | { kind: 'answer'; statusCode: number; retryAfter?: string | null; durationMs: number }
  | { kind: 'timeout'; durationMs: number }
  | { kind: 'network'; message: string; durationMs: number };

/**
 * 2xx is done; 408 and 429 and every 5xx are worth another try, as are timeouts and network errors;
 * any other answer (4xx, and 3xx: redirects are not followed) fails at once — retrying cannot fix it.
 */
export function verdictOf(outcome: AttemptOutcome): Verdict {
  if (outcome.kind !== 'answer') return 'retry';
  const s = outcome.statusCode;
  if (s >= 200 && s < 300) return 'delivered';
  if (s === 408 || s === 429 || s >= 500) return 'retry';
  return 'fail';
}

/** `Retry-After` in milliseconds from `now`: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | null | undefined, now: Date): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

export function attemptRecord(outcome: AttemptOutcome, at: Date): DeliveryAttempt {
  if (outcome.kind === 'answer') {
    const ok = outcome.statusCode >= 200 && outcome.statusCode < 300;
    return {
      at: at.toISOString(),
      statusCode: outcome.statusCode,
      durationMs: Math.round(outcome.durationMs),
      ...(ok ? {} : { error: `http ${outcome.statusCode}` }),
    };
  }
  return {
    at: at.toISOString(),
    durationMs: Math.round(outcome.durationMs),
    error: outcome.kind === 'timeout' ? 'timeout' : `network: ${outcome.message.slice(0, 200)}`,
  };
}

/**
 * The delivery after an attempt made at `now`: delivered, failed for good, pending until the next try
 * (back-off, or the receiver's `Retry-After` when that is later, within the cap), or dead when the next
 * try would fall after the deadline.
 */
export function afterAttempt(
  delivery: Delivery,
  outcome: AttemptOutcome,
  now: Date,
  random: number,
  policy: RetryPolicy = defaultRetryPolicy,
): Delivery {
  const attempts = [...delivery.attempts, attemptRecord(outcome, now)];
  const base = { ...delivery, attempts, version: delivery.version + 1 };
  delete base.deferredReason;
  const verdict = verdictOf(outcome);
  if (verdict !== 'retry') {
    const { nextAttemptAt: _, ...rest } = base;
    return {
      ...rest,
      status: verdict === 'delivered' ? 'delivered' : 'failed',
      finishedAt: now.toISOString(),
    };
  }
  const failures = attempts.filter((a) => a.error).length;
  const asked = outcome.kind === 'answer' ? retryAfterMs(outcome.retryAfter, now) : null;
  const wait = Math.min(policy.capMs, Math.max(backoffMs(failures, random, policy), asked ?? 0));
  const next = new Date(now.getTime() + wait);
  if (next.getTime() > Date.parse(delivery.deadline)) {
    const { nextAttemptAt: _, ...rest } = base;
    return { ...rest, status: 'dead', finishedAt: now.toISOString() };
  }
  return { ...base, status: 'pending', nextAttemptAt: next.toISOString() };
}

/** A dead (or failed) delivery made due again now, with a fresh 24-hour window. */
export function redriven(delivery: Delivery, now: Date, policy: RetryPolicy = defaultRetryPolicy): Delivery {
  const { finishedAt: _, ...rest } = delivery;
  return {
    ...rest,
    status: 'pending',
    nextAttemptAt: now.toISOString(),
    deadline: new Date(now.getTime() + policy.windowMs).toISOString(),
    redriven: delivery.redriven + 1,
    version: delivery.version + 1,
  };
}

/** A new delivery of `payload` to `subscription`, due now. */
export function newDelivery(
  subscription: string,
  payload: DeliveryPayload,
  now: Date,
  policy: RetryPolicy = defaultRetryPolicy,
): Delivery {
  return {
    id: deliveryId(payload.id, subscription),
    subscription,
    eventId: payload.id,
    eventType: payload.type,
    body: JSON.stringify(payload),
    status: 'pending',
    attempts: [],
    createdAt: now.toISOString(),
    deadline: new Date(now.getTime() + policy.windowMs).toISOString(),
    nextAttemptAt: now.toISOString(),
    redriven: 0,
    version: 1,
  };
}

/** The circuit breaker's key for an endpoint: its URL without query, hashed (URLs can be long). */
export const endpointKey = (url: string) => {
  const u = new URL(url);
  return createHash('sha256').update(`${u.origin}${u.pathname}`).digest('hex').slice(0, 32);
};
