import type { Subscription } from './subscription.ts';
import type { SubscriptionStore } from './webhooks-out.ports.ts';

const listed = new WeakMap<SubscriptionStore, { at: number; list: Promise<Subscription[]> }>();

/**
 * The subscriptions fan-out matches an event against, read at most once per `ttlMs` of real time per
 * store (0: every time). Every published event is fanned out, so without it each event costs a Query.
 * A subscription saved or deleted through the same store is seen at once (`forgetSubscriptions`); in
 * AWS, where another function saves it, the fan-out function sees it within `ttlMs`.
 */
export function cachedSubscriptions(store: SubscriptionStore, ttlMs: number): Promise<Subscription[]> {
  if (ttlMs <= 0) return store.list();
  const now = Date.now();
  const hit = listed.get(store);
  if (hit && now - hit.at < ttlMs) return hit.list;
  const list = store.list();
  listed.set(store, { at: now, list });
  list.catch(() => {
    if (listed.get(store)?.list === list) listed.delete(store);
  });
  return list;
}

/** Drops what fan-out remembers of `store`'s subscriptions (after a save or a delete). */
export function forgetSubscriptions(store: SubscriptionStore): void {
  listed.delete(store);
}
