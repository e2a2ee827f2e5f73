import { type FieldIssue, validationError } from '../domain/errors.ts';
import type { Clock, Logger } from '../domain/ports.ts';
import type { Breaker } from '../domain/webhooks-out/circuit-breaker.ts';
import { endpointKey } from '../domain/webhooks-out/delivery.ts';
import {
  type Subscription,
  type SubscriptionInput,
  SubscriptionName,
  type SubscriptionView,
  secretHint,
  subscriptionNotFound,
  subscriptionVersionMismatch,
  urlProblem,
} from '../domain/webhooks-out/subscription.ts';
import { forgetSubscriptions } from '../domain/webhooks-out/subscription-cache.ts';
import type {
  BreakerStore,
  DeliveryStore,
  SubscriptionSecrets,
  SubscriptionStore,
} from '../domain/webhooks-out/webhooks-out.ports.ts';

/** What managing subscriptions takes. */
export interface SubscriptionDeps {
  subscriptions: SubscriptionStore;
  secrets: SubscriptionSecrets;
  breakers: BreakerStore;
  deliveries: DeliveryStore;
  clock: Clock;
  logger: Logger;
  /** Plain http to a loopback address is accepted (the local runtime only). */
  allowLoopbackHttp: boolean;
}

/** A subscription as the API shows it, with its endpoint's circuit breaker. */
export type SubscriptionWithCircuit = SubscriptionView & {
  circuit: Pick<Breaker, 'state' | 'failures' | 'until' | 'openedAt'>;
};

const view = (s: Subscription): SubscriptionView => {
  const { secretRef: _, ...rest } = s;
  return rest;
};

function checkName(name: string) {
  const parsed = SubscriptionName.safeParse(name);
  if (!parsed.success) {
    throw validationError('The subscription name is not valid', [
      { path: 'name', message: parsed.error.issues[0]?.message ?? 'invalid' },
    ]);
  }
}

/**
 * Creates or replaces a subscription.
 * 1. Check the name and the URL (https; http to loopback only where allowed).
 * 2. Store a new secret in the secret store (never in the table), keep its reference and a hint;
 *    without one, keep the current secret.
 * 3. Write the subscription on condition of the version read (a concurrent edit is a 409).
 */
export async function putSubscription(
  name: string,
  input: SubscriptionInput,
  deps: SubscriptionDeps,
): Promise<{ subscription: SubscriptionView; created: boolean }> {
  checkName(name);
  const issues: FieldIssue[] = [];
  const problem = urlProblem(input.url, { allowLoopbackHttp: deps.allowLoopbackHttp });
  if (problem) issues.push({ path: 'url', message: problem });
  const current = await deps.subscriptions.get(name);
  if (!input.secret && !current)
    issues.push({ path: 'secret', message: 'A new subscription needs a secret' });
  if (issues.length) throw validationError('The subscription is not valid', issues);

  // Without a new secret the current one stays (an admin toggling `enabled` need not know it).
  const secretRef = input.secret ? await deps.secrets.put(name, input.secret) : current!.secretRef;
  const now = deps.clock.now().toISOString();
  const next: Subscription = {
    name,
    url: input.url,
    events: input.events,
    ...(input.description ? { description: input.description } : {}),
    enabled: input.enabled,
    secretRef,
    secretHint: input.secret ? secretHint(input.secret) : current!.secretHint,
    createdAt: current?.createdAt ?? now,
    updatedAt: now,
    version: (current?.version ?? 0) + 1,
  };
  const saved = await deps.subscriptions.put(next, current?.version ?? 0);
  forgetSubscriptions(deps.subscriptions);
  if (!saved) {
    if (secretRef !== current?.secretRef) await deps.secrets.delete(secretRef);
    throw subscriptionVersionMismatch(name);
  }
  // A store that keeps each value under a new reference (the local one) drops the replaced value.
  if (current && current.secretRef !== secretRef) await deps.secrets.delete(current.secretRef);
  deps.logger.info('webhooks_out.subscription_saved', { subscription: name, enabled: next.enabled });
  return { subscription: view(next), created: !current };
}

async function withCircuit(s: Subscription, deps: SubscriptionDeps): Promise<SubscriptionWithCircuit> {
  const b = await deps.breakers.get(endpointKey(s.url));
  return {
    ...view(s),
    circuit: {
      state: b.state,
      failures: b.failures,
      ...(b.until ? { until: b.until } : {}),
      ...(b.openedAt ? { openedAt: b.openedAt } : {}),
    },
  };
}

export async function getSubscription(
  name: string,
  deps: SubscriptionDeps,
): Promise<SubscriptionWithCircuit> {
  checkName(name);
  const found = await deps.subscriptions.get(name);
  if (!found) throw subscriptionNotFound(name);
  return withCircuit(found, deps);
}

export async function listSubscriptions(deps: SubscriptionDeps): Promise<SubscriptionWithCircuit[]> {
  const all = await deps.subscriptions.list();
  return Promise.all(all.map((s) => withCircuit(s, deps)));
}

/**
 * Deletes a subscription and its secret. Its delivery log stays until it expires; deliveries still
 * pending fail with "subscription deleted" when they come due.
 */
export async function deleteSubscription(name: string, deps: SubscriptionDeps): Promise<void> {
  checkName(name);
  const found = await deps.subscriptions.get(name);
  if (!found) throw subscriptionNotFound(name);
  await deps.subscriptions.delete(name);
  forgetSubscriptions(deps.subscriptions);
  await deps.secrets.delete(found.secretRef);
  deps.logger.info('webhooks_out.subscription_deleted', { subscription: name });
}
