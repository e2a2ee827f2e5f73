import { type EventPattern, matchesPattern } from '../domain/events/event-pattern.ts';
import { signatureHeaderValue, webhookHeaders } from '../domain/intake/webhook.ts';
import type { Clock, Logger, Metrics } from '../domain/ports.ts';
import type { Ticket } from '../domain/ticket/ticket.entity.ts';
import {
  admit,
  type BreakerPolicy,
  changes,
  defaultBreakerPolicy,
  record,
} from '../domain/webhooks-out/circuit-breaker.ts';
import {
  afterAttempt,
  type Delivery,
  type DeliveryPayload,
  type DeliveryStatus,
  defaultRetryPolicy,
  endpointKey,
  newDelivery,
  type RetryPolicy,
  redriven,
  verdictOf,
} from '../domain/webhooks-out/delivery.ts';
import {
  deliveryNotDead,
  deliveryNotFound,
  type Subscription,
  subscriptionNotFound,
} from '../domain/webhooks-out/subscription.ts';
import { cachedSubscriptions } from '../domain/webhooks-out/subscription-cache.ts';
import type {
  BreakerStore,
  DeliveryPage,
  DeliveryStore,
  SubscriptionSecrets,
  SubscriptionStore,
  WebhookSender,
} from '../domain/webhooks-out/webhooks-out.ports.ts';
import type { SubscriptionDeps } from './webhook-subscriptions.ts';

/** What delivering takes. */
export interface DeliveryDeps {
  subscriptions: SubscriptionStore;
  deliveries: DeliveryStore;
  breakers: BreakerStore;
  secrets: SubscriptionSecrets;
  sender: WebhookSender;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Reads the ticket a `ticket.resolved` event names, for the CRM summary. */
  ticket(id: string): Promise<Ticket | null>;
  /** The console's ticket page, `<base>/<ticket id>`; empty: no link. */
  ticketLinkBase: string;
  /** Per attempt, in real milliseconds. */
  timeoutMs: number;
  /**
   * How long an attempt holds its delivery, on the system's clock (default: three timeouts and a
   * minute). The local runtime scales it: at `--time-scale 3600` one real second is a virtual hour.
   */
  leaseMs?: number;
  retry?: RetryPolicy;
  breaker?: BreakerPolicy;
  random?: () => number;
  /** How long fan-out may reuse the subscriptions it read, in real ms (default 0: read them per event). */
  subscriptionsCacheMs?: number;
}

/** Outbound webhooks: managing subscriptions and making deliveries. */
export type WebhooksOutDeps = SubscriptionDeps & DeliveryDeps;

/** An event as EventBridge hands it to a target (and the local bus to a rule). */
export interface BusEnvelope {
  id: string;
  source: string;
  'detail-type': string;
  time: string;
  detail: Record<string, unknown>;
}

/**
 * The ticket summary a CRM needs on resolve (docs/integrations.md, "CRM write-back"): the ticket's
 * subject, customer, resolution, times and links, read when the delivery is made.
 */
export function ticketSummary(t: Ticket, linkBase: string) {
  return {
    id: t.id,
    number: t.number,
    subject: t.subject,
    status: t.status,
    priority: t.priority,
    category: t.category,
    channel: t.channel,
    team: t.team,
    assignee: t.assignee,
    customer: {
      name: t.customer.name ?? null,
      email: t.customer.email ?? null,
      phone: t.customer.phone ?? null,
      tier: t.customer.tier,
      externalId: t.customer.externalId ?? null,
    },
    resolution: t.resolution
      ? {
          summary: t.resolution.summary,
          by: t.resolution.by,
          byName: t.resolution.byName ?? null,
          at: t.resolution.at,
        }
      : null,
    externalRef: t.externalRef ?? null,
    createdAt: t.createdAt,
    firstRespondedAt: t.firstRespondedAt,
    resolvedAt: t.resolvedAt,
    slaBreached: t.sla.breached,
    links: linkBase ? { console: `${linkBase.replace(/\/$/, '')}/${t.id}` } : {},
  };
}

async function payloadOf(event: BusEnvelope, deps: DeliveryDeps): Promise<DeliveryPayload> {
  const detail = { ...event.detail };
  if (event['detail-type'] === 'ticket.resolved' && typeof detail.ticketId === 'string') {
    const t = await deps.ticket(detail.ticketId);
    if (t) detail.ticket = ticketSummary(t, deps.ticketLinkBase);
  }
  return { id: event.id, type: event['detail-type'], time: event.time, detail };
}

/**
 * Fans one published event out to the subscriptions it matches.
 * 1. Match the event against every enabled subscription's pattern (the EventBridge matcher).
 * 2. For each match, create the delivery `<event id>.<subscription>` unless it exists (a replay makes none).
 * 3. Try each new delivery at once; what fails waits for the retry schedule.
 */
export async function fanOut(event: BusEnvelope, deps: DeliveryDeps): Promise<{ created: string[] }> {
  const subscriptions = (
    await cachedSubscriptions(deps.subscriptions, deps.subscriptionsCacheMs ?? 0)
  ).filter((s) => {
    if (!s.enabled) return false;
    try {
      return matchesPattern(s.events as EventPattern, event);
    } catch {
      return false;
    }
  });
  if (!subscriptions.length) return { created: [] };
  const payload = await payloadOf(event, deps);
  const created: Delivery[] = [];
  for (const s of subscriptions) {
    const delivery = newDelivery(s.name, payload, deps.clock.now(), deps.retry ?? defaultRetryPolicy);
    if (await deps.deliveries.create(delivery)) created.push(delivery);
    else deps.logger.info('webhooks_out.duplicate_event', { deliveryId: delivery.id });
  }
  await Promise.all(created.map((d) => attemptDelivery(d, deps)));
  return { created: created.map((d) => d.id) };
}

export type AttemptReport = 'delivered' | 'retrying' | 'failed' | 'dead' | 'deferred' | 'skipped';

/**
 * One attempt at a due delivery.
 * 1. Lease it (a conditional write), so two deliverers never send it at once.
 * 2. Ask the endpoint's circuit breaker: while open, defer it (not an attempt) to when a probe may go.
 * 3. Sign `<timestamp>.<body>` with the subscription's secret (the inbound webhooks' HMAC) and POST it.
 * 4. Record the attempt; schedule the retry (back-off, `Retry-After`), or finish it, or dead-letter it.
 * 5. Record the outcome on the breaker (conditional write; a lost race is re-read and applied again).
 */
export async function attemptDelivery(delivery: Delivery, deps: DeliveryDeps): Promise<AttemptReport> {
  const now = deps.clock.now();
  const retry = deps.retry ?? defaultRetryPolicy;
  const policy = deps.breaker ?? defaultBreakerPolicy;
  const log = { deliveryId: delivery.id, subscription: delivery.subscription };
  const leaseMs = deps.leaseMs ?? deps.timeoutMs * 3 + 60_000;
  if (!(await deps.deliveries.lease(delivery, new Date(now.getTime() + leaseMs), now))) {
    return 'skipped';
  }
  const subscription = await deps.subscriptions.get(delivery.subscription);
  if (!subscription) {
    await finish(delivery, 'failed', 'subscription deleted', deps);
    return 'failed';
  }
  if (!subscription.enabled) {
    await defer(delivery, new Date(now.getTime() + 60 * 60_000), 'subscription-disabled', deps);
    return 'deferred';
  }
  const endpoint = endpointKey(subscription.url);
  const breaker = await deps.breakers.get(endpoint);
  const decision = admit(breaker, now, policy);
  if (decision.kind === 'defer') {
    await defer(delivery, new Date(decision.until), decision.reason, deps);
    return 'deferred';
  }
  if (decision.next && !(await deps.breakers.put(endpoint, decision.next, breaker.version))) {
    // Another delivery took the probe first: look again shortly.
    await defer(delivery, new Date(now.getTime() + policy.probeHoldMs), 'probe-in-flight', deps);
    return 'deferred';
  }

  const outcome = await send(subscription, delivery, deps);
  // The attempt is logged at its start; the breaker counts from its end (a cool-down follows the failure).
  const at = deps.clock.now();
  const next = afterAttempt(delivery, outcome, now, (deps.random ?? Math.random)(), retry);
  if (!(await deps.deliveries.save(next, delivery.version))) {
    deps.logger.warn('webhooks_out.delivery_moved', log);
  }
  await recordOnBreaker(endpoint, verdictOf(outcome) === 'delivered', at, policy, deps);
  const last = next.attempts.at(-1);
  deps.logger.info('webhooks_out.attempt', {
    ...log,
    status: next.status,
    statusCode: last?.statusCode,
    durationMs: last?.durationMs,
    error: last?.error,
  });
  if (next.status === 'delivered') deps.metrics.count('WebhookDeliveries');
  else deps.metrics.count('WebhookDeliveryFailures');
  if (next.status === 'dead') deps.metrics.count('WebhookDeliveriesDeadLettered');
  return next.status === 'pending' ? 'retrying' : next.status;
}

async function send(subscription: Subscription, delivery: Delivery, deps: DeliveryDeps) {
  const secret = await deps.secrets.get(subscription.secretRef);
  const timestamp = String(Math.floor(deps.clock.now().getTime() / 1000));
  return deps.sender.post({
    url: subscription.url,
    body: delivery.body,
    timeoutMs: deps.timeoutMs,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Gongdan-Webhooks/1',
      [webhookHeaders.timestamp]: timestamp,
      [webhookHeaders.signature]: signatureHeaderValue(secret, timestamp, delivery.body),
      [webhookHeaders.delivery]: delivery.id,
      'x-gongdan-event': delivery.eventType,
    },
  });
}

async function recordOnBreaker(
  endpoint: string,
  succeeded: boolean,
  at: Date,
  policy: BreakerPolicy,
  deps: DeliveryDeps,
) {
  for (let i = 0; i < 5; i++) {
    const current = await deps.breakers.get(endpoint);
    const next = record(current, succeeded, at, policy);
    if (!changes(current, next)) return;
    if (await deps.breakers.put(endpoint, next, current.version)) {
      if (next.state === 'open' && current.state !== 'open') {
        deps.metrics.count('WebhookCircuitsOpened');
        deps.logger.warn('webhooks_out.circuit_opened', { endpoint, failures: next.failures });
      }
      return;
    }
  }
  deps.logger.warn('webhooks_out.breaker_contended', { endpoint });
}

async function defer(delivery: Delivery, until: Date, reason: string, deps: DeliveryDeps) {
  if (until.getTime() > Date.parse(delivery.deadline)) {
    await finish(delivery, 'dead', `deferred past its deadline (${reason})`, deps);
    deps.metrics.count('WebhookDeliveriesDeadLettered');
    return;
  }
  const next: Delivery = {
    ...delivery,
    nextAttemptAt: until.toISOString(),
    deferredReason: reason,
    version: delivery.version + 1,
  };
  await deps.deliveries.save(next, delivery.version);
}

async function finish(delivery: Delivery, status: 'failed' | 'dead', reason: string, deps: DeliveryDeps) {
  const { nextAttemptAt: _, ...rest } = delivery;
  const next: Delivery = {
    ...rest,
    status,
    deferredReason: reason,
    finishedAt: deps.clock.now().toISOString(),
    version: delivery.version + 1,
  };
  await deps.deliveries.save(next, delivery.version);
}

/** Attempts every delivery due now (the retry schedule's run); stops early when asked. */
export async function deliverDue(
  deps: DeliveryDeps,
  options: { limit?: number; concurrency?: number; shouldStop?: () => boolean } = {},
): Promise<Record<AttemptReport, number>> {
  const report: Record<AttemptReport, number> = {
    delivered: 0,
    retrying: 0,
    failed: 0,
    dead: 0,
    deferred: 0,
    skipped: 0,
  };
  const due = await deps.deliveries.due(deps.clock.now(), options.limit ?? 100);
  const queue = [...due];
  const worker = async () => {
    for (let d = queue.shift(); d; d = queue.shift()) {
      if (options.shouldStop?.()) return;
      try {
        report[await attemptDelivery(d, deps)]++;
      } catch (error) {
        deps.logger.error('webhooks_out.attempt_failed', {
          deliveryId: d.id,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 5 }, worker));
  return report;
}

export async function listDeliveries(
  name: string,
  query: { status?: DeliveryStatus; limit?: number; cursor?: string },
  deps: Pick<DeliveryDeps, 'subscriptions' | 'deliveries'>,
): Promise<DeliveryPage> {
  if (!(await deps.subscriptions.get(name))) throw subscriptionNotFound(name);
  return deps.deliveries.list(name, {
    limit: query.limit ?? 50,
    ...(query.status ? { status: query.status } : {}),
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
}

/** Makes one dead-lettered (or failed) delivery due again now, with a fresh 24-hour window. */
export async function redriveDelivery(
  name: string,
  id: string,
  deps: Pick<DeliveryDeps, 'subscriptions' | 'deliveries' | 'clock' | 'logger' | 'retry'>,
): Promise<Delivery> {
  if (!(await deps.subscriptions.get(name))) throw subscriptionNotFound(name);
  const found = await deps.deliveries.get(name, id);
  if (!found) throw deliveryNotFound(name, id);
  if (found.status !== 'dead' && found.status !== 'failed') throw deliveryNotDead(id, found.status);
  const next = redriven(found, deps.clock.now(), deps.retry ?? defaultRetryPolicy);
  if (!(await deps.deliveries.save(next, found.version))) throw deliveryNotDead(id, 'changing');
  deps.logger.info('webhooks_out.redriven', { deliveryId: id, subscription: name });
  return next;
}

/** Redrives every dead-lettered delivery of a subscription (up to `limit` per call). */
export async function redriveDead(
  name: string,
  deps: Pick<DeliveryDeps, 'subscriptions' | 'deliveries' | 'clock' | 'logger' | 'retry'>,
  limit = 500,
): Promise<{ redriven: number }> {
  if (!(await deps.subscriptions.get(name))) throw subscriptionNotFound(name);
  let count = 0;
  for (const d of await deps.deliveries.dead(name, limit)) {
    if (
      await deps.deliveries.save(redriven(d, deps.clock.now(), deps.retry ?? defaultRetryPolicy), d.version)
    ) {
      count++;
    }
  }
  deps.logger.info('webhooks_out.redriven_all', { subscription: name, count });
  return { redriven: count };
}
