import { describe, expect, it } from 'vitest';
import type { Subscription } from '#shared/domain/webhooks-out/subscription.ts';
import { cachedSubscriptions, forgetSubscriptions } from '#shared/domain/webhooks-out/subscription-cache.ts';
import type { SubscriptionStore } from '#shared/domain/webhooks-out/webhooks-out.ports.ts';

/** A store that counts its lists and can be told to fail the next one. */
function countingStore() {
  const state = { lists: 0, fail: false, items: [] as Subscription[] };
  const store: SubscriptionStore = {
    get: async () => null,
    async list() {
      state.lists += 1;
      if (state.fail) throw new Error('throttled');
      return [...state.items];
    },
    put: async () => true,
    delete: async () => {},
  };
  return { store, state };
}

describe('The fan-out subscription cache', () => {
  it('reads the store once within the time to live, and again after forgetSubscriptions()', async () => {
    // Prepare
    const { store, state } = countingStore();
    // Act
    await cachedSubscriptions(store, 60_000);
    await cachedSubscriptions(store, 60_000);
    const listsBeforeForget = state.lists;
    forgetSubscriptions(store);
    await cachedSubscriptions(store, 60_000);
    // Assess
    expect(listsBeforeForget).toBe(1);
    expect(state.lists).toBe(2);
  });

  it('reads the store every time with a time to live of 0', async () => {
    // Prepare
    const { store, state } = countingStore();
    // Act
    await cachedSubscriptions(store, 0);
    await cachedSubscriptions(store, 0);
    // Assess
    expect(state.lists).toBe(2);
  });

  it('keeps no failed read: the next call reads the store again', async () => {
    // Prepare
    const { store, state } = countingStore();
    state.fail = true;
    // Act
    await expect(cachedSubscriptions(store, 60_000)).rejects.toThrow('throttled');
    await new Promise((resolve) => setImmediate(resolve));
    state.fail = false;
    const list = await cachedSubscriptions(store, 60_000);
    // Assess
    expect(list).toEqual([]);
    expect(state.lists).toBe(2);
  });
});
