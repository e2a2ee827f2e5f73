import { describe, expect, it } from 'vitest';
import { DomainError } from '#shared/domain/errors.ts';
import { inMemoryIntakeLedger } from '#shared/domain/intake/intake-ledger.ts';
import {
  type AlertTicket,
  alertKey,
  mapWebhookPayload,
  planAlert,
  readPath,
  resolveValue,
  signatureHeaderValue,
  WebhookMapping,
  WebhookSourceConfig,
} from '#shared/domain/intake/webhook.ts';
import { ingestWebhook, type WebhookIntakePorts } from '#shared/domain/intake/webhook-intake.ts';
import type { Status } from '#shared/domain/ticket/lifecycle.ts';
import { formatTicketNumber } from '#shared/domain/ticket/ticket.entity.ts';

const now = new Date('2026-11-20T08:00:00Z');
const secret = 'whsec_grafana';

/** A Grafana/Alertmanager-style payload. */
const alert = (over: Record<string, unknown> = {}) => ({
  status: 'firing',
  fingerprint: 'c0ffee42',
  labels: { alertname: 'DiskFull', instance: 'db-1', severity: 'critical', team: 'dba' },
  annotations: { summary: 'Disk on db-1 is 97% full', runbook: 'https://wiki.example/disk' },
  startsAt: '2026-11-20T07:59:00Z',
  ...over,
});

const grafana = WebhookSourceConfig.parse({
  source: 'grafana',
  secretRef: '/gongdan/webhooks/grafana',
  mapping: {
    subject: { template: '[{{labels.severity}}] {{labels.alertname}} on {{labels.instance}}' },
    description: '/annotations/summary',
    priority: { path: 'labels.severity', map: { critical: 'urgent', warning: 'high', info: 'low' } },
    category: { value: 'monitoring' },
    team: 'labels.team',
    customer: { email: { value: 'ops@example.com' }, name: { value: 'Ops on call' } },
    customFields: { runbook: 'annotations.runbook', instance: '/labels/instance' },
    tags: ['alert'],
  },
  alert: { fingerprint: 'fingerprint', resolvedWhen: { path: 'status', equals: ['resolved'] } },
});

const crm = WebhookSourceConfig.parse({
  source: 'crm',
  secretRef: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:crm',
  deliveryId: { path: 'event.id' },
  mapping: {
    subject: 'case.title',
    description: { path: 'case.body', default: '' },
    priority: { path: 'case.priority', map: { P1: 'urgent', P2: 'high' }, default: 'normal' },
    customer: { email: 'case.contact.email', name: 'case.contact.name', externalId: 'case.contact.id' },
    customFields: { crmCaseId: 'case.id' },
  },
});

/** A source with no alert de-duplication and the delivery id in its header. */
const forms = WebhookSourceConfig.parse({
  source: 'forms',
  secretRef: '/gongdan/webhooks/forms',
  mapping: { subject: 'title', customer: { email: 'email' } },
});

interface OpenedTicket {
  id: string;
  number: string;
  status: Status;
  customFields: Record<string, unknown>;
  subject: string;
  priority: string;
  key: string | null;
  notes: string[];
}

/** An in-memory desk behind the webhook ports (no mocks: it behaves as the wiring will). */
function fakeHooks() {
  let next = 500;
  let clock = now;
  const ledger = inMemoryIntakeLedger();
  const opened: OpenedTicket[] = [];
  const claims = new Map<string, string>();
  const ports: WebhookIntakePorts = {
    sources: { get: (s) => ({ grafana, crm })[s] ?? null },
    secrets: { forSource: async () => [secret] },
    ledger,
    clock: { now: () => clock },
    logger: { info() {}, warn() {}, error() {} },
    alerts: {
      async latestByKey(key): Promise<AlertTicket | null> {
        return [...opened].reverse().find((t) => t.key === key) ?? null;
      },
    },
    tickets: {
      async open({ ticket, idempotencyKey, alertKey: key }) {
        const claimed = claims.get(idempotencyKey);
        if (claimed)
          return { ticketId: claimed, number: opened.find((t) => t.id === claimed)!.number, created: false };
        const n = next++;
        opened.push({
          id: `T${n}`,
          number: formatTicketNumber(n),
          status: 'new',
          customFields: { ...ticket.customFields },
          subject: ticket.subject,
          priority: ticket.priority,
          key,
          notes: [],
        });
        claims.set(idempotencyKey, `T${n}`);
        return { ticketId: `T${n}`, number: formatTicketNumber(n), created: true };
      },
      async recordAlertRepeat({ ticketId, count, lastSeenAt }) {
        const t = opened.find((x) => x.id === ticketId)!;
        t.customFields.alertCount = count;
        t.customFields.alertLastSeenAt = lastSeenAt;
      },
      async noteAlertCleared({ ticketId, at }) {
        opened.find((x) => x.id === ticketId)!.notes.push(`cleared ${at}`);
      },
    },
  };
  return {
    ports,
    opened,
    tick(seconds: number) {
      clock = new Date(clock.getTime() + seconds * 1000);
    },
  };
}

/** A delivery signed as a sender would sign it, at the fake's current time unless told otherwise. */
const deliver = (
  source: string,
  payload: unknown,
  opts: { delivery?: string; at?: Date; key?: string } = {},
) => {
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor((opts.at ?? now).getTime() / 1000));
  return {
    source,
    body,
    headers: {
      'x-gongdan-timestamp': timestamp,
      'x-gongdan-signature': signatureHeaderValue(opts.key ?? secret, timestamp, body),
      ...(opts.delivery ? { 'x-gongdan-delivery': opts.delivery } : {}),
    },
  };
};

describe('readPath() and resolveValue()', () => {
  const payload = { a: { 'b/c': [{ d: 1 }, { d: 'two' }] }, e: { f: null } };

  it('reads JSON pointers (with ~1 and ~0 escapes) and dotted paths with indices', () => {
    expect(readPath(payload, '/a/b~1c/1/d')).toBe('two');
    expect(readPath({ 'x.y': { z: 1 } }, '/x.y/z')).toBe(1);
    expect(readPath({ items: [{ name: 'n' }] }, 'items[0].name')).toBe('n');
    expect(readPath({ items: [{ name: 'n' }] }, 'items.0.name')).toBe('n');
    expect(readPath(payload, 'e.f.g')).toBeUndefined();
  });

  it('never walks into inherited properties', () => {
    expect(readPath({}, '__proto__')).toBeUndefined();
    expect(readPath({}, 'constructor.name')).toBeUndefined();
  });

  it('fills templates, falls back to defaults, and turns objects into JSON', () => {
    expect(resolveValue({ template: '{{ a.b/c }} x {{missing}}' }, { a: { 'b/c': 'v' } })).toBe('v x ');
    expect(resolveValue({ path: 'missing', default: 'n/a' }, {})).toBe('n/a');
    expect(resolveValue({ value: 3 }, {})).toBe(3);
    expect(resolveValue('e', payload)).toBe('{"f":null}');
  });
});

describe('WebhookSourceConfig', () => {
  it('rejects a value source naming both a path and a constant, and unknown keys', () => {
    expect(
      WebhookMapping.safeParse({ subject: { path: 'a', value: 'b' }, customer: { email: 'e' } }).success,
    ).toBe(false);
    expect(
      WebhookSourceConfig.safeParse({ ...grafana, secret: 'inline secrets are not configuration' }).success,
    ).toBe(false);
    expect(WebhookSourceConfig.safeParse({ ...grafana, source: 'Bad Name' }).success).toBe(false);
  });

  it('defaults the tolerance to five minutes and the delivery id to a header', () => {
    expect(grafana.toleranceSeconds).toBe(300);
    expect(grafana.deliveryId).toEqual({ header: 'x-gongdan-delivery' });
  });
});

describe('mapWebhookPayload()', () => {
  it('maps subject, description, priority through its table, category, team, customer and custom fields', () => {
    expect(mapWebhookPayload(alert(), grafana.mapping)).toEqual({
      subject: '[critical] DiskFull on db-1',
      description: 'Disk on db-1 is 97% full',
      priority: 'urgent',
      category: 'monitoring',
      team: 'dba',
      customer: { email: 'ops@example.com', name: 'Ops on call', tier: 'standard' },
      customFields: { runbook: 'https://wiki.example/disk', instance: 'db-1' },
      tags: ['alert'],
    });
  });

  it('leaves out customer fields the payload does not have, instead of setting them to undefined', () => {
    // DynamoDB's marshaller refuses undefined inside the stored customer (a 500 on the first alert).
    const ticket = mapWebhookPayload(alert(), grafana.mapping);
    expect(Object.keys(ticket.customer).sort()).toEqual(['email', 'name', 'tier']);
    expect(Object.values(ticket.customer)).not.toContain(undefined);
  });

  it('falls back to the default priority for a value the table does not know', () => {
    const ticket = mapWebhookPayload(
      alert({ labels: { alertname: 'X', severity: 'weird' } }),
      grafana.mapping,
    );
    expect(ticket.priority).toBe('normal');
  });

  it('cuts an overlong subject to fit instead of refusing the alert', () => {
    const ticket = mapWebhookPayload(
      alert({ labels: { alertname: 'A'.repeat(500), severity: 'info' } }),
      grafana.mapping,
    );
    expect(ticket.subject).toHaveLength(200);
  });

  it('refuses a payload that gives no subject or no valid customer e-mail, naming the fields', () => {
    let error: unknown;
    try {
      mapWebhookPayload({ case: { contact: { email: 'not-an-address' } } }, crm.mapping);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'WEBHOOK.MAPPING_FAILED', kind: 'unprocessable' });
    const paths = (error as DomainError).details!.fields as { path: string }[];
    expect(paths.map((f) => f.path).sort()).toEqual(['customer.email', 'subject']);
  });
});

describe('planAlert()', () => {
  const open = (status: Status, count = 3): AlertTicket => ({
    id: 'T1',
    number: 'GD-000001',
    status,
    customFields: { alertCount: count },
  });
  const firing = { source: 'grafana', fingerprint: 'c0ffee42', resolved: false };

  it('counts a repeat on the open ticket instead of opening another', () => {
    expect(planAlert(firing, open('open'), now)).toEqual({
      kind: 'repeat',
      ticketId: 'T1',
      number: 'GD-000001',
      count: 4,
      lastSeenAt: '2026-11-20T08:00:00.000Z',
    });
  });

  it('opens a new ticket once the last one is resolved, keyed by the ticket before it', () => {
    expect(planAlert(firing, open('resolved'), now)).toMatchObject({
      kind: 'open',
      customFields: {
        alertFingerprint: 'c0ffee42',
        alertCount: 1,
        alertFirstSeenAt: '2026-11-20T08:00:00.000Z',
      },
      idempotencyKey: 'alert:grafana:c0ffee42:after:T1',
    });
    expect(planAlert(firing, null, now)).toMatchObject({
      kind: 'open',
      idempotencyKey: 'alert:grafana:c0ffee42:after:none',
    });
  });

  it('notes the all-clear on the open ticket and ignores it when nothing is open', () => {
    expect(planAlert({ ...firing, resolved: true }, open('pending'), now)).toEqual({
      kind: 'clear',
      ticketId: 'T1',
      number: 'GD-000001',
    });
    expect(planAlert({ ...firing, resolved: true }, open('closed'), now).kind).toBe('ignore');
  });

  it('hashes a long fingerprint into a bounded key', () => {
    expect(alertKey('grafana', 'x'.repeat(500))).toMatch(/^alert:grafana:sha256:[0-9a-f]{64}$/);
  });
});

describe('ingestWebhook()', () => {
  it('opens a ticket from a validly signed delivery', async () => {
    const hooks = fakeHooks();
    const payload = {
      event: { id: 'evt-1' },
      case: {
        id: 'C-77',
        title: 'Order 1234 never arrived',
        priority: 'P2',
        contact: { email: 'li@example.com', name: '李' },
      },
    };
    const result = await ingestWebhook(deliver('crm', payload), hooks.ports);
    expect(result).toMatchObject({
      outcome: 'created',
      created: true,
      ticketId: 'T500',
      number: 'GD-000500',
    });
    expect(hooks.opened[0]).toMatchObject({
      subject: 'Order 1234 never arrived',
      priority: 'high',
      customFields: { crmCaseId: 'C-77' },
    });
  });

  it('refuses a bad signature and changes nothing', async () => {
    const hooks = fakeHooks();
    await expect(
      ingestWebhook(deliver('grafana', alert(), { key: 'guessed' }), hooks.ports),
    ).rejects.toMatchObject({
      code: 'WEBHOOK.SIGNATURE_INVALID',
    });
    expect(hooks.opened).toHaveLength(0);
  });

  it('refuses a stale timestamp and changes nothing', async () => {
    const hooks = fakeHooks();
    const old = new Date(now.getTime() - 6 * 60_000);
    await expect(ingestWebhook(deliver('grafana', alert(), { at: old }), hooks.ports)).rejects.toMatchObject({
      code: 'WEBHOOK.TIMESTAMP_STALE',
    });
    expect(hooks.opened).toHaveLength(0);
  });

  it('refuses an unknown source and a body that is not a JSON object', async () => {
    const hooks = fakeHooks();
    await expect(ingestWebhook(deliver('nobody', alert()), hooks.ports)).rejects.toMatchObject({
      code: 'WEBHOOK.UNKNOWN_SOURCE',
      kind: 'not_found',
    });
    await expect(ingestWebhook(deliver('grafana', [1, 2]), hooks.ports)).rejects.toMatchObject({
      code: 'WEBHOOK.PAYLOAD_INVALID',
    });
  });

  it('answers a replayed delivery with the first result and changes nothing', async () => {
    const hooks = fakeHooks();
    const delivery = deliver('grafana', alert(), { delivery: 'dlv-1' });
    const first = await ingestWebhook(delivery, hooks.ports);
    const replay = await ingestWebhook(delivery, hooks.ports);
    expect(replay).toEqual({ outcome: 'duplicate', ticketId: first.ticketId, number: null, created: false });

    // The sender's retry: same delivery id, re-signed a minute later.
    hooks.tick(60);
    const retry = await ingestWebhook(
      deliver('grafana', alert(), { delivery: 'dlv-1', at: new Date(now.getTime() + 60_000) }),
      hooks.ports,
    );
    expect(retry.outcome).toBe('duplicate');
    // A captured request replayed under a made-up delivery id: same signature.
    const forged = { ...delivery, headers: { ...delivery.headers, 'x-gongdan-delivery': 'dlv-forged' } };
    expect((await ingestWebhook(forged, hooks.ports)).outcome).toBe('duplicate');

    expect(hooks.opened).toHaveLength(1);
    expect(hooks.opened[0]!.customFields.alertCount).toBe(1);
  });

  it('lets concurrent copies of one signed body open one ticket, and a waiting copy take over a failed one', async () => {
    // Prepare: the first copy to open a ticket fails once (a fault), the next ones succeed
    const hooks = fakeHooks();
    const open = hooks.ports.tickets.open;
    let failures = 1;
    hooks.ports.tickets.open = async (request) => {
      await new Promise((r) => setTimeout(r, 20));
      if (failures-- > 0) throw new Error('table unavailable');
      return open(request);
    };
    hooks.ports.sources = { get: (s) => (s === 'forms' ? forms : null) };
    const body = { title: 'Refund please', email: 'a@example.com' };
    const copies = Array.from({ length: 5 }, (_, i) => deliver('forms', body, { delivery: `copy-${i}` }));

    // Act
    const answers = await Promise.allSettled(copies.map((c) => ingestWebhook(c, hooks.ports)));

    // Assess: one failed with the fault, one opened the ticket, the rest answer it as duplicates
    expect(answers.filter((a) => a.status === 'rejected')).toHaveLength(1);
    const done = answers.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    expect(done.filter((a) => a.created)).toHaveLength(1);
    const ticketId = done.find((a) => a.created)!.ticketId;
    for (const answer of done.filter((a) => !a.created)) {
      expect(answer).toMatchObject({ outcome: 'duplicate', ticketId });
    }
    expect(hooks.opened).toHaveLength(1);
  });

  it('updates the open ticket when the same alert fires again, instead of opening another', async () => {
    const hooks = fakeHooks();
    const first = await ingestWebhook(deliver('grafana', alert(), { delivery: 'a1' }), hooks.ports);
    hooks.tick(120);
    const again = await ingestWebhook(
      deliver('grafana', alert(), { delivery: 'a2', at: new Date(now.getTime() + 120_000) }),
      hooks.ports,
    );
    const other = await ingestWebhook(
      deliver('grafana', alert({ fingerprint: 'beef' }), {
        delivery: 'a3',
        at: new Date(now.getTime() + 120_000),
      }),
      hooks.ports,
    );

    expect(first).toMatchObject({ outcome: 'created', ticketId: 'T500' });
    expect(again).toMatchObject({ outcome: 'alert_repeated', ticketId: 'T500', created: false });
    expect(other).toMatchObject({ outcome: 'created', ticketId: 'T501' });
    expect(hooks.opened[0]!.customFields).toMatchObject({
      alertFingerprint: 'c0ffee42',
      alertCount: 2,
      alertFirstSeenAt: '2026-11-20T08:00:00.000Z',
      alertLastSeenAt: '2026-11-20T08:02:00.000Z',
    });
  });

  it('notes the all-clear on the open alert ticket and opens a fresh one when the alert returns after resolution', async () => {
    const hooks = fakeHooks();
    await ingestWebhook(deliver('grafana', alert(), { delivery: 'b1' }), hooks.ports);
    const cleared = await ingestWebhook(
      deliver('grafana', alert({ status: 'resolved' }), { delivery: 'b2' }),
      hooks.ports,
    );
    expect(cleared).toMatchObject({ outcome: 'alert_cleared', ticketId: 'T500' });
    expect(hooks.opened[0]!.notes).toHaveLength(1);

    hooks.opened[0]!.status = 'resolved';
    hooks.tick(3600);
    const later = new Date(now.getTime() + 3_600_000);
    const back = await ingestWebhook(deliver('grafana', alert(), { delivery: 'b3', at: later }), hooks.ports);
    expect(back).toMatchObject({ outcome: 'created', ticketId: 'T501' });
  });

  it('counts a copy that lost the race to open the alert ticket as a repeat', async () => {
    const hooks = fakeHooks();
    const racing = hooks.ports.alerts.latestByKey;
    // The first lookup misses the winner's ticket, as a concurrent request would.
    let calls = 0;
    hooks.ports.alerts.latestByKey = async (key) => (calls++ === 0 ? null : racing(key));
    await hooks.ports.tickets.open({
      ticket: { ...mapWebhookPayload(alert(), grafana.mapping), customFields: { alertCount: 1 } },
      idempotencyKey: 'alert:grafana:c0ffee42:after:none',
      alertKey: alertKey('grafana', 'c0ffee42'),
    });
    const result = await ingestWebhook(deliver('grafana', alert(), { delivery: 'c2' }), hooks.ports);
    expect(result).toMatchObject({ outcome: 'alert_repeated', ticketId: 'T500' });
    expect(hooks.opened).toHaveLength(1);
  });

  it('requires the delivery id where the source says it is', async () => {
    const hooks = fakeHooks();
    const payload = { case: { title: 't', contact: { email: 'li@example.com' } } };
    await expect(ingestWebhook(deliver('crm', payload), hooks.ports)).rejects.toMatchObject({
      code: 'WEBHOOK.DELIVERY_ID_MISSING',
    });
  });
});
