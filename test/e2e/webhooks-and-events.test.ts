import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localWebhookFiles } from '#infra/local/channels.ts';
import { signatureHeaderValue } from '#shared/domain/intake/webhook.ts';
import { eventually } from './support/eventually.ts';
import {
  apiClient,
  type DevTokens,
  type RuntimeProcess,
  removeDataDir,
  startRuntimeProcess,
} from './support/runtime-process.ts';

/**
 * `POST /hooks/{source}` and EventBridge intake over HTTP against the local runtime, with the demo
 * sources it writes to its data dir on first start (`monitoring` de-duplicates alerts, `crm` opens a
 * ticket per delivery) and their secrets from `webhooks/secrets.json`.
 */
let runtime: RuntimeProcess;
let api: ReturnType<typeof apiClient>;
let tokens: DevTokens;
let secrets: Record<string, string[]>;

// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
type Json = any;

beforeAll(async () => {
  runtime = await startRuntimeProcess({ args: ['--no-seed'] });
  api = apiClient(runtime.url);
  tokens = (await api<DevTokens>('GET', '/dev/tokens')).body;
  secrets = JSON.parse(readFileSync(localWebhookFiles(runtime.dataDir).secrets, 'utf8'));
});

afterAll(async () => {
  await runtime?.stop();
  if (runtime) removeDataDir(runtime.dataDir);
});

/** Seconds since the epoch on the runtime's (virtual) clock. */
const now = async () => Math.floor(Date.parse((await api('GET', '/dev/clock')).body.now) / 1000);

async function hook(
  source: string,
  payload: unknown,
  options: { delivery?: string; timestamp?: number; secret?: string; signature?: string } = {},
) {
  const body = JSON.stringify(payload);
  const timestamp = String(options.timestamp ?? (await now()));
  const secret = options.secret ?? secrets[`local/webhooks/${source}`]![0]!;
  return api('POST', `/hooks/${source}`, {
    rawBody: body,
    headers: {
      'content-type': 'application/json',
      'x-gongdan-timestamp': timestamp,
      'x-gongdan-signature': options.signature ?? signatureHeaderValue(secret, timestamp, body),
      'x-gongdan-delivery': options.delivery ?? randomUUID(),
    },
  });
}

const crmCase = () => ({
  caseId: `C-${randomUUID().slice(0, 6)}`,
  subject: '合同续签咨询',
  description: '客户询问明年的维保合同',
  priority: 'high',
  customer: { email: `crm-${randomUUID().slice(0, 8)}@example.com`, name: '钱先生', id: 'CRM-7' },
});

const ticket = async (id: string) =>
  (await api('GET', `/tickets/${id}`, { token: tokens.agent })).body as Json;

describe('POST /hooks/{source}', () => {
  it('opens a ticket from a validly signed delivery, mapped by the source configuration', async () => {
    // Prepare
    const payload = crmCase();

    // Act
    const response = await hook('crm', payload);

    // Assess
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      outcome: 'created',
      created: true,
      number: expect.stringMatching(/^GD-/),
    });
    expect(await ticket(response.body.ticketId)).toMatchObject({
      subject: '合同续签咨询',
      description: '客户询问明年的维保合同',
      priority: 'high',
      channel: 'webhook',
      createdBy: 'webhook:crm',
      customer: { email: payload.customer.email, name: '钱先生', externalId: 'CRM-7' },
      customFields: { crmCase: payload.caseId },
    });
  });

  it('refuses a bad signature, a missing one and a wrong secret with 401', async () => {
    const payload = crmCase();
    const bad = await hook('crm', payload, { signature: `sha256=${'0'.repeat(64)}` });
    const wrongSecret = await hook('crm', payload, { secret: 'whsec_not_the_right_one_at_all' });
    const missing = await api('POST', '/hooks/crm', { body: payload });
    expect([bad.status, wrongSecret.status, missing.status]).toEqual([401, 401, 401]);
    expect(bad.body.error.code).toBe('WEBHOOK.SIGNATURE_INVALID');
    expect(wrongSecret.body.error.code).toBe('WEBHOOK.SIGNATURE_INVALID');
    expect(missing.body.error.code).toBe('WEBHOOK.SIGNATURE_MISSING');
  });

  it('refuses an authentic delivery whose timestamp is more than 5 minutes off', async () => {
    const stale = await hook('crm', crmCase(), { timestamp: (await now()) - 301 });
    const ahead = await hook('crm', crmCase(), { timestamp: (await now()) + 400 });
    expect(stale.status).toBe(401);
    expect(stale.body.error.code).toBe('WEBHOOK.TIMESTAMP_STALE');
    expect(ahead.body.error.code).toBe('WEBHOOK.TIMESTAMP_STALE');
  });

  it('answers a replayed delivery with the first result and opens nothing more', async () => {
    // Prepare
    const payload = crmCase();
    const delivery = randomUUID();
    // The first delivery's own timestamp and signature are what a capture carries: signing the body
    // again at a later second would make a different request, not a replay of this one.
    const sentAt = await now();
    const first = await hook('crm', payload, { delivery, timestamp: sentAt });
    const body = JSON.stringify(payload);
    const timestamp = String(sentAt);
    const signature = signatureHeaderValue(secrets['local/webhooks/crm']![0]!, timestamp, body);

    // Act: the sender's retry (same delivery id, signed again), and a capture replayed under a new id
    const retry = await hook('crm', payload, { delivery });
    const captured = await api('POST', '/hooks/crm', {
      rawBody: body,
      headers: {
        'x-gongdan-timestamp': timestamp,
        'x-gongdan-signature': signature,
        'x-gongdan-delivery': delivery,
      },
    });
    const renamed = await api('POST', '/hooks/crm', {
      rawBody: body,
      headers: {
        'x-gongdan-timestamp': timestamp,
        'x-gongdan-signature': signature,
        'x-gongdan-delivery': randomUUID(),
      },
    });

    // Assess
    for (const replay of [retry, captured, renamed]) {
      expect(replay.status).toBe(200);
      expect(replay.body).toMatchObject({
        outcome: 'duplicate',
        ticketId: first.body.ticketId,
        created: false,
      });
    }
    const list = await api('GET', `/tickets?customer=${encodeURIComponent(payload.customer.email)}`, {
      token: tokens.agent,
    });
    expect(list.body.items).toHaveLength(1);
  });

  it('opens one ticket for ten copies of one signed body sent at once under different delivery ids', async () => {
    // Prepare: one capture, fired ten times in parallel, each copy under a delivery id of its own
    const payload = crmCase();
    const sentAt = await now();

    // Act
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => hook('crm', payload, { delivery: randomUUID(), timestamp: sentAt })),
    );

    // Assess: exactly one created it; every other copy is a 200 duplicate naming that ticket
    const created = answers.filter((a) => a.status === 201);
    expect(created).toHaveLength(1);
    const ticketId = created[0]!.body.ticketId;
    for (const answer of answers.filter((a) => a.status !== 201)) {
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ outcome: 'duplicate', ticketId, created: false });
    }
    const list = await api('GET', `/tickets?customer=${encodeURIComponent(payload.customer.email)}`, {
      token: tokens.agent,
    });
    expect(list.body.items.map((t: Json) => t.id)).toEqual([ticketId]);
  });

  it('updates the open ticket of a repeated alert (count, last seen) instead of opening another', async () => {
    // Prepare
    const fingerprint = `fp-${randomUUID().slice(0, 8)}`;
    // Each notification differs (its own id), as monitoring systems send them; an identical body in
    // the same second would be a replay of one delivery.
    const alert = (status: 'firing' | 'resolved') => ({
      status,
      notificationId: randomUUID(),
      fingerprint,
      labels: { alertname: 'DiskFull', instance: 'db-1', severity: 'critical' },
      annotations: { summary: '/var is 97% full' },
    });

    // Act
    const first = await hook('monitoring', alert('firing'));
    const second = await hook('monitoring', alert('firing'));
    const third = await hook('monitoring', alert('firing'));
    const cleared = await hook('monitoring', alert('resolved'));

    // Assess
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ outcome: 'created' });
    expect(second.body).toMatchObject({ outcome: 'alert_repeated', ticketId: first.body.ticketId });
    expect(third.body).toMatchObject({ outcome: 'alert_repeated', ticketId: first.body.ticketId });
    expect(cleared.body).toMatchObject({ outcome: 'alert_cleared', ticketId: first.body.ticketId });
    const opened = await ticket(first.body.ticketId);
    expect(opened).toMatchObject({
      subject: '[critical] DiskFull on db-1',
      priority: 'urgent',
      tags: ['alert'],
      customFields: { alertFingerprint: fingerprint, alertCount: 3, instance: 'db-1' },
    });
    expect(opened.customFields.alertLastSeenAt >= opened.customFields.alertFirstSeenAt).toBe(true);
    const notes = (await api('GET', `/tickets/${first.body.ticketId}/messages`, { token: tokens.agent })).body
      .items;
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ public: false, body: expect.stringContaining('resolved') });
  });

  it('opens a new ticket when the alert fires again after its ticket was resolved', async () => {
    // Prepare
    const fingerprint = `fp-${randomUUID().slice(0, 8)}`;
    const firing = () => ({
      status: 'firing',
      notificationId: randomUUID(),
      fingerprint,
      labels: { alertname: 'Down', instance: 'web-2', severity: 'warning' },
    });
    const first = await hook('monitoring', firing());
    for (const to of ['open', 'resolved']) {
      await api('POST', `/tickets/${first.body.ticketId}/transitions`, {
        token: tokens.agent,
        body: { to, ...(to === 'resolved' ? { summary: '已处理 / Done' } : {}) },
      });
    }

    // Act
    const again = await hook('monitoring', firing());

    // Assess
    expect(again.status).toBe(201);
    expect(again.body.ticketId).not.toBe(first.body.ticketId);
    expect((await ticket(again.body.ticketId)).customFields.alertCount).toBe(1);
  });

  it('answers an unknown source with 404 and a body that is not JSON with 400', async () => {
    expect((await hook('nobody', {}, { secret: 'whsec_0123456789abcdef' })).status).toBe(404);
    const timestamp = String(await now());
    const response = await api('POST', '/hooks/crm', {
      rawBody: 'not json',
      headers: {
        'x-gongdan-timestamp': timestamp,
        'x-gongdan-signature': signatureHeaderValue(
          secrets['local/webhooks/crm']![0]!,
          timestamp,
          'not json',
        ),
      },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('WEBHOOK.PAYLOAD_INVALID');
  });
});

describe('EventBridge intake (the same rule on the local bus)', () => {
  it('opens a ticket for ticket.create.requested once, and updates it by external reference', async () => {
    // Prepare
    const email = `erp-${randomUUID().slice(0, 8)}@example.com`;
    const order = randomUUID().slice(0, 8);
    const create = {
      source: 'erp.orders',
      'detail-type': 'ticket.create.requested',
      detail: {
        requestId: `order-${order}-late`,
        ticket: { subject: `订单 ${order} 延迟`, priority: 'high', customer: { email, name: '李女士' } },
        externalRef: { system: 'erp', id: order },
      },
    };

    // Act: the producer sends it twice (its own retry), then asks for a change
    await api('POST', '/dev/events', { body: create });
    await api('POST', '/dev/events', { body: create });
    const list = await eventually(
      async () => {
        const items = (await api('GET', `/tickets?customer=${email}`, { token: tokens.agent })).body.items;
        return items.length ? items : undefined;
      },
      6_000,
      100,
    );
    await api('POST', '/dev/events', {
      body: {
        source: 'erp.orders',
        'detail-type': 'ticket.update.requested',
        detail: {
          requestId: `order-${order}-note`,
          ticket: { externalRef: { system: 'erp', id: order } },
          changes: {
            priority: 'urgent',
            comment: { body: '承运商已确认丢件', public: false },
            tags: { add: ['lost'] },
          },
        },
      },
    });
    const updated = await eventually(
      async () => {
        const t = await ticket(list[0].id);
        return t.priority === 'urgent' ? t : undefined;
      },
      6_000,
      100,
    );

    // Assess
    await new Promise((r) => setTimeout(r, 200));
    expect((await api('GET', `/tickets?customer=${email}`, { token: tokens.agent })).body.items).toHaveLength(
      1,
    );
    expect(updated).toMatchObject({
      channel: 'event',
      createdBy: 'event:erp.orders',
      tags: ['lost'],
      customFields: { externalSystem: 'erp', externalId: order },
    });
    const notes = (await api('GET', `/tickets/${updated.id}/messages`, { token: tokens.agent })).body.items;
    expect(notes.map((m: Json) => [m.body, m.public])).toEqual([['承运商已确认丢件', false]]);
  });

  it('ignores request events that claim to come from Gongdan itself', async () => {
    const email = `loop-${randomUUID().slice(0, 8)}@example.com`;
    await api('POST', '/dev/events', {
      body: {
        source: 'gongdan',
        'detail-type': 'ticket.create.requested',
        detail: { ticket: { subject: 'loop', customer: { email } } },
      },
    });
    await new Promise((r) => setTimeout(r, 300));
    expect((await api('GET', `/tickets?customer=${email}`, { token: tokens.agent })).body.items).toHaveLength(
      0,
    );
  });
});
