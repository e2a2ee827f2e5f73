import * as z from 'zod';
import { DomainError, type FieldIssue } from '../errors.ts';
import { checkPattern, type EventPattern } from '../events/event-pattern.ts';

/** A subscription's name: the path segment of `/integrations/webhooks/{name}`. */
export const SubscriptionName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'Use 1–63 lower-case letters, digits and hyphens');

/**
 * An EventBridge event pattern, checked with EventBridge's own rules (`checkPattern`): a pattern
 * accepted here behaves the same on the local bus and in an EventBridge rule. Each problem is reported
 * at its path inside `events` (`events.detail.priority[0].prefix`).
 */
export const EventPatternInput = z.unknown().transform((value, ctx): EventPattern => {
  const checked = checkPattern(value);
  if (!checked.ok) {
    for (const issue of checked.issues) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path ? issue.path.split('.') : [] });
    }
    return z.NEVER;
  }
  if (JSON.stringify(checked.pattern).length > 2048) {
    ctx.addIssue({ code: 'custom', message: 'The pattern is longer than 2048 characters' });
    return z.NEVER;
  }
  return checked.pattern;
});

/** `PUT /integrations/webhooks/{name}`: what an admin sends. The secret is write-only. */
export const SubscriptionInput = z
  .object({
    url: z.string().trim().min(1).max(2048),
    events: EventPatternInput,
    /** Required when creating; left out on a change, the current secret is kept. */
    secret: z.string().min(16, 'Use a secret of at least 16 characters').max(256).optional(),
    description: z.string().trim().max(500).optional(),
    enabled: z.boolean().default(true),
  })
  .strict();
export type SubscriptionInput = z.infer<typeof SubscriptionInput>;

/** A subscription as stored: the secret is kept elsewhere (`secretRef`), only its last 4 characters here. */
export const Subscription = z.object({
  name: SubscriptionName,
  url: z.string(),
  events: z.record(z.string(), z.unknown()),
  description: z.string().optional(),
  enabled: z.boolean(),
  /** Where the signing secret is: a Secrets Manager secret in AWS, the local secret store's key locally. */
  secretRef: z.string(),
  /** `••••` plus the secret's last 4 characters, so an admin can tell which secret is set. */
  secretHint: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int().positive(),
});
export type Subscription = z.infer<typeof Subscription>;

/** What the API shows of a subscription: never the secret or where it is kept. */
export const SubscriptionView = Subscription.omit({ secretRef: true });
export type SubscriptionView = z.infer<typeof SubscriptionView>;

export const secretHint = (secret: string) => `••••${secret.slice(-4)}`;

/**
 * Whether `url` may receive deliveries: https everywhere; plain http only to a loopback host, and only
 * where `allowLoopbackHttp` (the local runtime, where test receivers listen on 127.0.0.1). No
 * credentials in the URL, no fragment.
 */
export function urlProblem(url: string, options: { allowLoopbackHttp: boolean }): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'Not an absolute URL';
  }
  if (parsed.username || parsed.password) return 'Put no credentials in the URL; deliveries are signed';
  if (parsed.hash) return 'A URL with a fragment (#…) cannot be delivered to';
  if (parsed.protocol === 'https:') return null;
  if (parsed.protocol === 'http:') {
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    const loopback = host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
    if (loopback && options.allowLoopbackHttp) return null;
    return options.allowLoopbackHttp
      ? 'Plain http is allowed only to a loopback address (127.0.0.1, localhost)'
      : 'Use https';
  }
  return 'Use https';
}

export const subscriptionInvalid = (issues: FieldIssue[]) =>
  new DomainError('invalid', 'REQUEST.INVALID', 'The subscription is not valid', { fields: issues });

export const subscriptionNotFound = (name: string) =>
  new DomainError('not_found', 'WEBHOOK_OUT.NOT_FOUND', `No webhook subscription named ${name}`, { name });

export const deliveryNotFound = (name: string, id: string) =>
  new DomainError('not_found', 'WEBHOOK_OUT.DELIVERY_NOT_FOUND', `No delivery ${id} for ${name}`, {
    name,
    id,
  });

export const deliveryNotDead = (id: string, status: string) =>
  new DomainError(
    'conflict',
    'WEBHOOK_OUT.NOT_DEAD_LETTERED',
    `Delivery ${id} is ${status}; only dead-lettered deliveries are redriven`,
    { id, status },
  );

export const subscriptionVersionMismatch = (name: string) =>
  new DomainError('conflict', 'WEBHOOK_OUT.CHANGED', `Subscription ${name} changed meanwhile; try again`, {
    name,
  });
