import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '#shared/domain/intake/webhook.ts';
import { eventually } from './support/eventually.ts';
import { type RuntimeSuite, runtimeSuite } from './support/runtime-process.ts';
import { type Receiver, startReceiver } from './support/webhook-receiver.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field and asserted on.
type Json = any;

const secret = 'whsec_e2e_0123456789abcdef';
const docs = readFileSync(resolve(import.meta.dirname, '../../docs/integrations.md'), 'utf8');

/** The fenced code block of `language` in docs/integrations.md's "Outbound webhooks" section, as printed. */
function documented(language: 'js' | 'python'): string {
  const section = docs.slice(docs.indexOf('## Outbound webhooks'));
  const match = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(section);
  if (!match) throw new Error(`no ${language} block in docs/integrations.md`);
  return match[1]!;
}

const subscribe = (rt: RuntimeSuite, name: string, body: Json) =>
  rt.api<Json>('PUT', `/integrations/webhooks/${name}`, { token: rt.tokens.admin, body });

const deliveries = async (rt: RuntimeSuite, name: string, status?: string): Promise<Json[]> => {
  const res = await rt.api<Json>(
    'GET',
    `/integrations/webhooks/${name}/deliveries?limit=200${status ? `&status=${status}` : ''}`,
    { token: rt.tokens.admin },
  );
  expect(res.status).toBe(200);
  return res.body.deliveries;
};

const createTicket = async (rt: RuntimeSuite, subject: string) => {
  const res = await rt.api<Json>('POST', '/tickets', {
    token: rt.tokens.agent,
    body: { subject, description: 'e2e', customer: { email: 'li.lei@example.com', name: 'Li Lei' } },
  });
  expect(res.status).toBe(201);
  return res.body;
};

const ms = (iso: string) => Date.parse(iso);

describe('Outbound webhooks over real HTTP (local runtime, real time)', () => {
  const rt = runtimeSuite();
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  it('refuses bad subscriptions with field-level 400s, admins only, and never shows the secret', async () => {
    const good = { url: receiver.url('/crm'), events: { 'detail-type': ['ticket.created'] }, secret };
    const remote = await subscribe(rt, 'bad-url', { ...good, url: 'http://crm.example.com/hook' });
    expect(remote.status).toBe(400);
    expect(remote.body.error.details.fields[0].path).toBe('url');
    const pattern = await subscribe(rt, 'bad-pattern', {
      ...good,
      events: { 'detail-type': [{ prefix: 5 }] },
    });
    expect(pattern.status).toBe(400);
    expect(pattern.body.error.details.fields[0].path).toMatch(/^events\.detail-type/);
    const short = await subscribe(rt, 'bad-secret', { ...good, secret: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error.details.fields[0].path).toBe('secret');
    const { secret: _omitted, ...withoutSecret } = good;
    const noSecret = await subscribe(rt, 'no-secret', withoutSecret);
    expect(noSecret.status).toBe(400);
    expect(noSecret.body.error.details.fields).toEqual([
      expect.objectContaining({ path: 'secret', message: 'A new subscription needs a secret' }),
    ]);
    const limit = await rt.api<Json>('GET', '/integrations/webhooks/crm/deliveries?limit=5000', {
      token: rt.tokens.admin,
    });
    expect(limit.status).toBe(400);
    const name = await subscribe(rt, 'Bad_Name', good);
    expect(name.status).toBe(400);
    const agent = await rt.api<Json>('PUT', '/integrations/webhooks/crm', {
      token: rt.tokens.agent,
      body: good,
    });
    expect(agent.status).toBe(403);

    const created = await subscribe(rt, 'crm', { ...good, description: 'CRM cases' });
    expect(created.status).toBe(201);
    const again = await subscribe(rt, 'crm', { ...good, description: 'CRM cases' });
    expect(again.status).toBe(200);
    const one = await rt.api<Json>('GET', '/integrations/webhooks/crm', { token: rt.tokens.admin });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ name: 'crm', secretHint: '••••cdef', enabled: true, version: 2 });
    expect(one.body.circuit).toMatchObject({ state: 'closed', failures: 0 });
    const list = await rt.api<Json>('GET', '/integrations/webhooks', { token: rt.tokens.admin });
    expect(list.body.subscriptions.map((s: Json) => s.name)).toContain('crm');
    for (const body of [created.body, one.body, list.body]) {
      expect(JSON.stringify(body)).not.toContain(secret);
      expect(JSON.stringify(body)).not.toContain('secretRef');
    }
    // Not in the table's files either, nor in the logs; the local secret store is readable by its owner only.
    const dbDir = join(rt.dataDir, 'dynamodb');
    for (const f of readdirSync(dbDir)) {
      if (statSync(join(dbDir, f)).isFile())
        expect(readFileSync(join(dbDir, f)).includes(secret)).toBe(false);
    }
    expect(rt.runtime.output()).not.toContain(secret);
    const store = join(rt.dataDir, 'webhooks', 'outbound-secrets.json');
    expect(statSync(store).mode & 0o077).toBe(0);
    expect(readFileSync(store, 'utf8')).toContain(secret);
  });

  it('signs each delivery so the documented Node and Python recipes and the inbound check verify it', async () => {
    await subscribe(rt, 'crm', {
      url: receiver.url('/crm'),
      events: { 'detail-type': ['ticket.created'], detail: { subject: [{ prefix: '[sig]' }] } },
      secret,
    });
    await subscribe(rt, 'resolved-only', {
      url: receiver.url('/resolved'),
      events: { 'detail-type': ['ticket.resolved'] },
      secret,
    });
    const ticket = await createTicket(rt, '[sig] 打印机卡纸');
    const got = await eventually(
      async () =>
        receiver.at('/crm').find((r) => JSON.parse(r.body.toString()).detail.ticketId === ticket.id),
      15_000,
    );
    const payload = JSON.parse(got.body.toString('utf8'));
    expect(payload).toMatchObject({
      type: 'ticket.created',
      detail: { ticketId: ticket.id, number: ticket.number },
    });
    expect(Object.keys(payload).sort()).toEqual(['detail', 'id', 'time', 'type']);
    expect(got.headers['x-gongdan-delivery']).toBe(`${payload.id}.crm`);
    expect(got.headers['content-type']).toBe('application/json');

    // The inbound webhooks' own check accepts it (same functions), and refuses a tampered body.
    expect(
      verifyWebhookSignature({ headers: got.headers, body: got.body }, [secret], new Date()),
    ).toMatchObject({
      timestamp: Number(got.headers['x-gongdan-timestamp']),
    });
    expect(() =>
      verifyWebhookSignature(
        { headers: got.headers, body: Buffer.from(`${got.body} `) },
        [secret],
        new Date(),
      ),
    ).toThrow();

    // The Node recipe, exactly as docs/integrations.md prints it.
    const dir = mkdtempSync(join(tmpdir(), 'gongdan-recipe-'));
    writeFileSync(join(dir, 'verify.mjs'), documented('js'));
    const { verifyGongdan } = await import(pathToFileURL(join(dir, 'verify.mjs')).href);
    expect(verifyGongdan(secret, got.headers, got.body)).toBe(true);
    expect(verifyGongdan('another-secret-0123456789', got.headers, got.body)).toBe(false);
    expect(verifyGongdan(secret, got.headers, Buffer.concat([got.body, Buffer.from(' ')]))).toBe(false);

    // The Python recipe, as printed, run by python3 on the same bytes.
    writeFileSync(join(dir, 'verify.py'), documented('python'));
    writeFileSync(join(dir, 'body.bin'), got.body);
    const run = (key: string) =>
      execFileSync(
        'python3',
        [
          '-c',
          'import json,sys; sys.path.insert(0, sys.argv[1]); from verify import verify_gongdan; ' +
            'print(verify_gongdan(sys.argv[2], json.loads(sys.argv[3]), open(sys.argv[1] + "/body.bin", "rb").read()))',
          dir,
          key,
          JSON.stringify(got.headers),
        ],
        { encoding: 'utf8' },
      ).trim();
    expect(run(secret)).toBe('True');
    expect(run('another-secret-0123456789')).toBe('False');

    // The pattern decides: the ticket.resolved subscription got nothing for a created ticket.
    expect(receiver.at('/resolved').some((r) => r.body.toString().includes(ticket.id))).toBe(false);
    const log = await deliveries(rt, 'crm', 'delivered');
    const mine = log.find((d) => d.eventId === payload.id);
    expect(mine).toMatchObject({ status: 'delivered', eventType: 'ticket.created' });
    expect(mine.attempts).toHaveLength(1);
    expect(mine.attempts[0]).toMatchObject({ statusCode: 200 });
    expect(mine.attempts[0].durationMs).toBeGreaterThanOrEqual(0);
    expect(mine.body).toBeUndefined();
  });

  it('carries the ticket summary on ticket.resolved for a CRM write-back', async () => {
    const ticket = await createTicket(rt, '[crm] 复印机不出纸');
    const opened = await rt.api<Json>('POST', `/tickets/${ticket.id}/transitions`, {
      token: rt.tokens.agent,
      body: { to: 'open' },
    });
    expect(opened.status).toBe(200);
    const resolved = await rt.api<Json>('POST', `/tickets/${ticket.id}/transitions`, {
      token: rt.tokens.agent,
      body: { to: 'resolved', summary: '更换了搓纸轮，测试正常。' },
    });
    expect(resolved.status).toBe(200);
    const got = await eventually(
      async () => receiver.at('/resolved').find((r) => r.body.toString('utf8').includes(ticket.id)),
      15_000,
    );
    const payload = JSON.parse(got.body.toString('utf8'));
    expect(payload.type).toBe('ticket.resolved');
    expect(payload.detail.ticket).toMatchObject({
      id: ticket.id,
      number: ticket.number,
      subject: '[crm] 复印机不出纸',
      status: 'resolved',
      customer: { email: 'li.lei@example.com', name: 'Li Lei' },
      resolution: { summary: '更换了搓纸轮，测试正常。' },
      createdAt: ticket.createdAt,
    });
    expect(payload.detail.ticket.resolvedAt).toBe(payload.detail.resolvedAt);
    expect(payload.detail.ticket.links.console).toMatch(new RegExp(`/console/tickets/${ticket.id}$`));
  });

  it('makes no second delivery when the same event reaches the bus again', async () => {
    const ticket = await createTicket(rt, '[sig] 重放测试');
    const first = await eventually(
      async () => receiver.at('/crm').find((r) => r.body.toString().includes(ticket.id)),
      15_000,
    );
    const event = JSON.parse(first.body.toString('utf8'));
    // Replay it twice, as a redelivered batch would: same id, same source and detail.
    for (let i = 0; i < 2; i++) {
      const put = await rt.api<Json>('POST', '/dev/events', {
        body: { source: 'gongdan', 'detail-type': event.type, detail: event.detail, id: event.id },
      });
      expect(put.status).toBe(202);
    }
    // A later event proves the bus has moved on past the replays before counting.
    const later = await createTicket(rt, '[sig] 之后');
    await eventually(
      async () => receiver.at('/crm').find((r) => r.body.toString().includes(later.id)),
      15_000,
    );
    const ids = receiver.at('/crm').map((r) => r.headers['x-gongdan-delivery']);
    expect(ids.filter((id) => id === `${event.id}.crm`)).toHaveLength(1);
    expect((await deliveries(rt, 'crm')).filter((d) => d.eventId === event.id)).toHaveLength(1);
  });

  it('stops delivering to a disabled subscription, and forgets a deleted one with its secret', async () => {
    const replaced = 'whsec_replaced_secret_0001';
    const store = join(rt.dataDir, 'webhooks', 'outbound-secrets.json');
    const saved = await subscribe(rt, 'crm', {
      url: receiver.url('/crm'),
      events: { 'detail-type': ['ticket.created'], detail: { subject: [{ prefix: '[sig]' }] } },
      secret: replaced,
      enabled: false,
    });
    expect(saved.body).toMatchObject({ enabled: false, secretHint: '••••0001' });
    expect(readFileSync(store, 'utf8')).toContain(replaced);
    const ticket = await createTicket(rt, '[sig] 停用后');
    const marker = await createTicket(rt, '[crm] marker');
    await eventually(
      async () =>
        (await rt.api<Json>('GET', '/dev/events')).body.events.find(
          (e: Json) => e.detail.ticketId === marker.id,
        ),
      10_000,
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.at('/crm').some((r) => r.body.toString().includes(ticket.id))).toBe(false);
    const deleted = await rt.api<Json>('DELETE', '/integrations/webhooks/crm', { token: rt.tokens.admin });
    expect(deleted.status).toBe(204);
    expect((await rt.api<Json>('GET', '/integrations/webhooks/crm', { token: rt.tokens.admin })).status).toBe(
      404,
    );
    expect(readFileSync(store, 'utf8')).not.toContain(replaced);
  });
});

// One virtual hour per real second: a day of retries in about 24 s. The per-attempt timeout is real time.
describe('Outbound webhook retries, dead letters and the circuit breaker (--time-scale 3600)', () => {
  const rt = runtimeSuite({ args: ['--time-scale', '3600'], env: { WEBHOOKS_OUT_TIMEOUT_MS: '1000' } });
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  const sub = async (name: string, tag: string) => {
    const res = await subscribe(rt, name, {
      url: receiver.url(`/${name}`),
      events: { 'detail-type': ['ticket.created'], detail: { subject: [{ prefix: `[${tag}]` }] } },
      secret,
    });
    expect(res.status).toBe(201);
  };
  const finished = (name: string, count: number, status: string, within: number) =>
    eventually(async () => {
      const log = await deliveries(rt, name);
      return log.length === count && log.every((d) => d.status === status) ? log : undefined;
    }, within);

  it('retries a 500 with exponential back-off until the receiver answers 2xx', async () => {
    receiver.on('/flaky', (_r, n) => ({ status: n <= 4 ? 500 : 200 }));
    await sub('flaky', 'flaky');
    await createTicket(rt, '[flaky] 重试');
    const [d] = await finished('flaky', 1, 'delivered', 30_000);
    expect(d.attempts.map((a: Json) => a.statusCode)).toEqual([500, 500, 500, 500, 200]);
    expect(d.attempts[0].error).toBe('http 500');
    // Each wait is at least half its step (30 s, 1, 2, 4 min): retrying at once would fail this.
    const gaps = d.attempts.slice(1).map((a: Json, i: number) => ms(a.at) - ms(d.attempts[i].at));
    gaps.forEach((gap: number, i: number) => {
      expect(gap, `gap ${i + 1}`).toBeGreaterThanOrEqual(15_000 * 2 ** i);
    });
    expect(receiver.at('/flaky')).toHaveLength(5);
    const ids = new Set(receiver.at('/flaky').map((r) => r.headers['x-gongdan-delivery']));
    expect(ids.size).toBe(1);
  });

  it('honours Retry-After and retries a timed-out attempt', async () => {
    receiver.on('/busy', (_r, n) =>
      n === 1 ? { status: 503, headers: { 'retry-after': '1800' } } : { status: 200 },
    );
    receiver.on('/slow', (_r, n) => (n === 1 ? { status: 200, delayMs: 2500 } : { status: 200 }));
    await sub('busy', 'busy');
    await sub('slow', 'slow');
    await createTicket(rt, '[busy] 忙');
    await createTicket(rt, '[slow] 慢');
    const [busy] = await finished('busy', 1, 'delivered', 30_000);
    expect(busy.attempts.map((a: Json) => a.statusCode)).toEqual([503, 200]);
    expect(ms(busy.attempts[1].at) - ms(busy.attempts[0].at)).toBeGreaterThanOrEqual(1_800_000);
    const [slow] = await finished('slow', 1, 'delivered', 30_000);
    expect(slow.attempts[0]).toMatchObject({ error: 'timeout' });
    expect(slow.attempts[0].statusCode).toBeUndefined();
    expect(slow.attempts[0].durationMs).toBeGreaterThanOrEqual(900);
    expect(slow.attempts[0].durationMs).toBeLessThan(2500);
    expect(slow.attempts[1]).toMatchObject({ statusCode: 200 });
  });

  it('dead-letters after 24 hours of failures, and a redrive delivers with the same id', async () => {
    let up = false;
    receiver.on('/down', () => ({ status: up ? 204 : 500 }));
    await sub('down', 'down');
    await createTicket(rt, '[down] 一');
    await createTicket(rt, '[down] 二');
    const dead = await finished('down', 2, 'dead', 90_000);
    for (const d of dead) {
      const span = ms(d.finishedAt) - ms(d.createdAt);
      expect(span).toBeGreaterThan(23 * 3600_000);
      // No attempt starts after the 24 hours (the last one's own duration, a few real ms, is virtual minutes).
      expect(ms(d.attempts.at(-1).at) - ms(d.createdAt)).toBeLessThanOrEqual(24 * 3600_000);
      // Backed off, not hammered: a few dozen attempts in a day, the last ones at least half an hour apart.
      expect(d.attempts.length).toBeGreaterThan(8);
      expect(d.attempts.length).toBeLessThan(60);
      const last = d.attempts.slice(-3).map((a: Json) => ms(a.at));
      expect(last[2] - last[1]).toBeGreaterThanOrEqual(30 * 60_000);
      expect(last[1] - last[0]).toBeGreaterThanOrEqual(30 * 60_000);
    }
    expect(await deliveries(rt, 'down', 'dead')).toHaveLength(2);

    up = true;
    const [one, two] = dead;
    const notDead = await rt.api<Json>('POST', `/integrations/webhooks/down/deliveries/nope.down/redrive`, {
      token: rt.tokens.admin,
    });
    expect(notDead.status).toBe(404);
    const redriven = await rt.api<Json>('POST', `/integrations/webhooks/down/deliveries/${one.id}/redrive`, {
      token: rt.tokens.admin,
    });
    expect(redriven.status).toBe(202);
    expect(redriven.body).toMatchObject({ id: one.id, status: 'pending', redriven: 1 });
    await eventually(async () => {
      const d = (await deliveries(rt, 'down')).find((x) => x.id === one.id);
      return d?.status === 'delivered' ? d : undefined;
    }, 20_000);
    const again = await rt.api<Json>('POST', `/integrations/webhooks/down/deliveries/${one.id}/redrive`, {
      token: rt.tokens.admin,
    });
    expect(again.status).toBe(409);
    const all = await rt.api<Json>('POST', '/integrations/webhooks/down/dead-letters/redrive', {
      token: rt.tokens.admin,
    });
    expect(all.body).toEqual({ redriven: 1 });
    await finished('down', 2, 'delivered', 20_000);
    const okIds = receiver
      .at('/down')
      .filter(
        (r) => r.headers['x-gongdan-delivery'] === two.id || r.headers['x-gongdan-delivery'] === one.id,
      );
    expect(new Set(okIds.map((r) => r.headers['x-gongdan-delivery']))).toEqual(new Set([one.id, two.id]));
  });

  it('opens the circuit after 5 failures, defers deliveries while open, and closes on a good probe', async () => {
    let healthy = false;
    receiver.on('/breaker', () => ({ status: healthy ? 200 : 500 }));
    await sub('breaker', 'breaker');
    for (let i = 1; i <= 6; i++) await createTicket(rt, `[breaker] ${i}`);
    const open = await eventually(async () => {
      const s = (await rt.api<Json>('GET', '/integrations/webhooks/breaker', { token: rt.tokens.admin }))
        .body;
      return s.circuit.state === 'open' ? s : undefined;
    }, 20_000);
    expect(open.circuit.failures).toBeGreaterThanOrEqual(5);
    expect(ms(open.circuit.until) - ms(open.circuit.openedAt)).toBe(5 * 60_000);
    // Let it stay broken for a couple of virtual hours: only probes, one per cool-down, reach the receiver.
    await new Promise((r) => setTimeout(r, 2500));
    const deferredSeen = (await deliveries(rt, 'breaker')).filter((d) => d.status === 'pending');
    expect(deferredSeen).toHaveLength(6);
    const starts = (await deliveries(rt, 'breaker'))
      .flatMap((d) => d.attempts.map((a: Json) => ms(a.at)))
      .sort((a, b) => a - b);
    // Once it opened, only probes. Attempts admitted while it was still closed (the first ones, and a
    // retry that came due before the fifth failure was recorded) started before it opened.
    const afterOpen = starts.filter((t) => t > ms(open.circuit.openedAt));
    expect(afterOpen.length).toBeGreaterThan(3);
    afterOpen.slice(1).forEach((t, i) => {
      expect(t - afterOpen[i]!, `probe ${i + 1}`).toBeGreaterThanOrEqual(5 * 60_000);
    });

    healthy = true;
    const log = await finished('breaker', 6, 'delivered', 30_000);
    for (const d of log) expect(d.attempts.at(-1).statusCode).toBe(200);
    const closed = (await rt.api<Json>('GET', '/integrations/webhooks/breaker', { token: rt.tokens.admin }))
      .body;
    expect(closed.circuit).toMatchObject({ state: 'closed', failures: 0 });
    // Deferred, not dropped: every delivery reached the receiver in the end, each once with a 200.
    const ok = receiver.at('/breaker').slice(-6);
    expect(new Set(ok.map((r) => r.headers['x-gongdan-delivery'])).size).toBe(6);
  });

  it('lists the retry job among the local jobs', async () => {
    const jobs = (await rt.api<Json>('GET', '/dev/jobs')).body;
    expect(JSON.stringify(jobs)).toContain('webhooks-out-retry');
    const run = await rt.api<Json>('POST', '/dev/jobs/webhooks-out-retry');
    expect(run.status).toBeLessThan(300);
  });
});
