import { describe, expect, it } from 'vitest';
import { webhooksOutHandler } from '#functions/webhooks-out/task.ts';
import {
  dynamoBreakerStore,
  dynamoDeliveryStore,
  dynamoSubscriptionStore,
} from '#shared/adapters/dynamo/dynamo-webhooks-out-store.ts';
import { noMetrics, silentLogger } from '#shared/domain/ports.ts';
import { closedBreaker } from '#shared/domain/webhooks-out/circuit-breaker.ts';
import { newDelivery } from '#shared/domain/webhooks-out/delivery.ts';
import type { SignedPost, SubscriptionSecrets } from '#shared/domain/webhooks-out/webhooks-out.ports.ts';
import { deliverDue, fanOut, type WebhooksOutDeps } from '#shared/use-cases/webhook-deliveries.ts';
import { putSubscription } from '#shared/use-cases/webhook-subscriptions.ts';
import { freshTable } from '../support/ticket-fixtures.ts';

const t0 = new Date('2026-03-01T00:00:00Z');
const payload = (id: string) => ({
  id,
  type: 'ticket.created',
  time: t0.toISOString(),
  detail: { ticketId: id },
});

function memorySecrets(): SubscriptionSecrets {
  const values = new Map<string, string>();
  let n = 0;
  return {
    async put(_name, secret) {
      const ref = `mem:${++n}`;
      values.set(ref, secret);
      return ref;
    },
    async get(ref) {
      return values.get(ref) ?? '';
    },
    async delete(ref) {
      values.delete(ref);
    },
  };
}

describe('Outbound webhook deliveries in the ticket table', () => {
  it('creates a delivery once: the same event and subscription again is refused', async () => {
    const { client, tableName } = await freshTable();
    const store = dynamoDeliveryStore(client, tableName);
    const d = newDelivery('crm', payload('01A'), t0);
    const candidates = [d, d, { ...d, body: '{}' }];
    const results = await Promise.all(candidates.map((c) => store.create(c)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await store.get('crm', '01A.crm'))?.body).toBe(candidates[results.indexOf(true)]!.body);
    // Another subscription is another delivery of the same event.
    expect(await store.create(newDelivery('erp', payload('01A'), t0))).toBe(true);
  });

  it('saves only from the version read, and lets one deliverer at a time lease a delivery', async () => {
    const { client, tableName } = await freshTable();
    const store = dynamoDeliveryStore(client, tableName);
    const d = newDelivery('crm', payload('01B'), t0);
    await store.create(d);
    const leases = await Promise.all(
      [1, 2, 3].map(() => store.lease(d, new Date(t0.getTime() + 60_000), t0)),
    );
    expect(leases.filter(Boolean)).toHaveLength(1);
    // An expired lease can be taken again.
    expect(await store.lease(d, new Date(t0.getTime() + 120_000), new Date(t0.getTime() + 61_000))).toBe(
      true,
    );
    const next = { ...d, status: 'delivered' as const, version: 2 };
    expect(await store.save(next, 1)).toBe(true);
    expect(await store.save({ ...next, status: 'failed', version: 2 }, 1)).toBe(false);
    expect((await store.get('crm', d.id))?.status).toBe('delivered');
    // A delivered one is no longer due, nor leasable.
    expect(await store.due(new Date(t0.getTime() + 3_600_000), 10)).toEqual([]);
    expect(await store.lease(next, new Date(t0.getTime() + 999_000), new Date(t0.getTime() + 900_000))).toBe(
      false,
    );
  });

  it('finds due deliveries by time and lists the log newest first with a status filter and a cursor', async () => {
    const { client, tableName } = await freshTable();
    const store = dynamoDeliveryStore(client, tableName);
    for (let i = 0; i < 5; i++) {
      const d = newDelivery('crm', payload(`01C${i}`), new Date(t0.getTime() + i * 1000));
      await store.create(i % 2 ? { ...d, status: 'dead', nextAttemptAt: undefined } : d);
    }
    const due = await store.due(new Date(t0.getTime() + 2500), 10);
    expect(due.map((d) => d.eventId)).toEqual(['01C0', '01C2']);
    const page = await store.list('crm', { limit: 2 });
    expect(page.items.map((d) => d.eventId)).toEqual(['01C4', '01C3']);
    const rest = await store.list('crm', { limit: 10, cursor: page.cursor! });
    expect(rest.items.map((d) => d.eventId)).toEqual(['01C2', '01C1', '01C0']);
    expect((await store.list('crm', { limit: 10, status: 'dead' })).items.map((d) => d.eventId)).toEqual([
      '01C3',
      '01C1',
    ]);
    expect((await store.dead('crm', 10)).length).toBe(2);
    // A cursor of another partition is ignored rather than followed.
    const forged = Buffer.from(JSON.stringify({ pk: 'TICKET#x', sk: 'TICKET' })).toString('base64url');
    expect((await store.list('crm', { limit: 10, cursor: forged })).items).toHaveLength(5);
  });

  it('writes the circuit breaker only from the version read', async () => {
    const { client, tableName } = await freshTable();
    const breakers = dynamoBreakerStore(client, tableName);
    expect(await breakers.get('e1')).toEqual(closedBreaker);
    const first = { state: 'closed' as const, failures: 1, version: 1 };
    const racing = await Promise.all([breakers.put('e1', first, 0), breakers.put('e1', first, 0)]);
    expect(racing.filter(Boolean)).toHaveLength(1);
    expect(await breakers.put('e1', { ...first, failures: 2, version: 2 }, 0)).toBe(false);
    expect(await breakers.put('e1', { ...first, failures: 2, version: 2 }, 1)).toBe(true);
    expect(await breakers.get('e1')).toMatchObject({ failures: 2, version: 2 });
  });

  it('sends a due delivery once when two deliverers run at the same moment', async () => {
    const { client, tableName } = await freshTable();
    const sent: SignedPost[] = [];
    const deps: WebhooksOutDeps = {
      subscriptions: dynamoSubscriptionStore(client, tableName),
      deliveries: dynamoDeliveryStore(client, tableName),
      breakers: dynamoBreakerStore(client, tableName),
      secrets: memorySecrets(),
      sender: {
        async post(request) {
          sent.push(request);
          await new Promise((r) => setTimeout(r, 30));
          return { kind: 'answer', statusCode: sent.length === 1 ? 500 : 200, durationMs: 30 };
        },
      },
      clock: { now: () => t0 },
      logger: silentLogger,
      metrics: noMetrics,
      ticket: async () => null,
      ticketLinkBase: 'https://desk.example.com/tickets',
      timeoutMs: 1000,
      allowLoopbackHttp: false,
    };
    await putSubscription(
      'crm',
      {
        url: 'https://crm.example.com/hook',
        events: { source: ['gongdan'] },
        secret: 's'.repeat(20),
        enabled: true,
      },
      deps,
    );
    const event = {
      id: '01D',
      source: 'gongdan',
      'detail-type': 'ticket.created',
      time: t0.toISOString(),
      detail: {},
    };
    // The first attempt (from the fan-out) fails; a replay of the event makes no second delivery.
    await Promise.all([fanOut(event, deps), fanOut(event, deps)]);
    expect(sent).toHaveLength(1);
    const later = { ...deps, clock: { now: () => new Date(t0.getTime() + 3_600_000) } };
    const reports = await Promise.all([deliverDue(later), deliverDue(later), deliverDue(later)]);
    expect(sent).toHaveLength(2);
    expect(reports.reduce((n, r) => n + r.delivered, 0)).toBe(1);
    expect(sent[1]!.headers['x-gongdan-delivery']).toBe('01D.crm');
    expect((await deps.deliveries.get('crm', '01D.crm'))?.attempts.map((a) => a.statusCode)).toEqual([
      500, 200,
    ]);
  });

  it('runs as the Lambda: events from the queue fan out (a bad record reported alone), the schedule retries', async () => {
    const { client, tableName } = await freshTable();
    let now = t0;
    let answer = 503;
    const deps: WebhooksOutDeps = {
      subscriptions: dynamoSubscriptionStore(client, tableName),
      deliveries: dynamoDeliveryStore(client, tableName),
      breakers: dynamoBreakerStore(client, tableName),
      secrets: memorySecrets(),
      sender: { post: async () => ({ kind: 'answer', statusCode: answer, durationMs: 1 }) },
      clock: { now: () => now },
      logger: silentLogger,
      metrics: noMetrics,
      ticket: async () => null,
      ticketLinkBase: '',
      timeoutMs: 1000,
      allowLoopbackHttp: false,
    };
    await putSubscription(
      'erp',
      {
        url: 'https://erp.example.com/in',
        events: { 'detail-type': ['ticket.created'] },
        secret: 'e'.repeat(20),
        enabled: true,
      },
      deps,
    );
    const handler = webhooksOutHandler(() => deps);
    const context = { getRemainingTimeInMillis: () => 60_000 };
    const envelope = (id: string) =>
      JSON.stringify({
        id,
        source: 'gongdan',
        'detail-type': 'ticket.created',
        time: t0.toISOString(),
        detail: {},
      });
    const sqs = {
      Records: [
        { messageId: 'm1', body: envelope('01E1') },
        { messageId: 'm2', body: 'not json' },
        { messageId: 'm3', body: envelope('01E2') },
      ],
    };
    const out = await handler(sqs as never, context as never);
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    expect((await deps.deliveries.list('erp', { limit: 10 })).items.map((d) => d.status)).toEqual([
      'pending',
      'pending',
    ]);
    answer = 200;
    now = new Date(t0.getTime() + 3_600_000);
    const report = await handler({ id: 'tick', 'detail-type': 'Scheduled Event' } as never, context as never);
    expect(report).toMatchObject({ delivered: 2 });
  });
});
