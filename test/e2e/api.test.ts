import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.ts';
import {
  apiClient,
  type DevTokens,
  type RuntimeProcess,
  removeDataDir,
  startRuntimeProcess,
} from './support/runtime-process.ts';

let runtime: RuntimeProcess;
let api: ReturnType<typeof apiClient>;
let tokens: DevTokens;

const tokenOf = (id: string) => tokens.users.find((u) => u.id === id)!.token;
const newTicket = (overrides: Record<string, unknown> = {}) => ({
  subject: '空调不制冷',
  description: '会议室空调开了半小时仍是 28 度',
  priority: 'high',
  customer: { email: `e2e-${randomUUID()}@example.com`, name: '测试客户' },
  ...overrides,
});

beforeAll(async () => {
  runtime = await startRuntimeProcess();
  api = apiClient(runtime.url);
  tokens = (await api<DevTokens>('GET', '/dev/tokens')).body;
});

afterAll(async () => {
  await runtime?.stop();
  if (runtime) removeDataDir(runtime.dataDir);
});

describe('The local runtime over HTTP', () => {
  describe('start-up', () => {
    it('prints its ready line within 60 s', () => {
      expect(runtime.readyMs).toBeLessThan(60_000);
      expect(runtime.output()).toContain(`ready at http://localhost:${runtime.port}`);
    });

    it('answers /health with 200 {"status":"ok"}', async () => {
      const response = await api('GET', '/health');
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('ok');
    });

    it('hands out a signed token per role and per seeded user', async () => {
      for (const role of ['admin', 'supervisor', 'agent', 'integration', 'customer'] as const) {
        expect(tokens[role]).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
      }
      expect(tokens.users.length).toBeGreaterThanOrEqual(8);
      for (const user of tokens.users) {
        expect(user).toEqual({
          id: expect.any(String),
          name: expect.any(String),
          email: expect.stringContaining('@'),
          roles: expect.any(Array),
          token: expect.any(String),
        });
      }
      expect(tokens.users.filter((u) => u.roles.includes('agent')).length).toBeGreaterThanOrEqual(3);
      expect(tokens.users.filter((u) => u.roles.includes('customer')).length).toBeGreaterThanOrEqual(2);
    });

    it('seeds demo tickets so the list is not empty', async () => {
      const response = await api('GET', '/tickets', { token: tokens.agent });
      expect(response.status).toBe(200);
      expect(response.body.items.length).toBeGreaterThanOrEqual(5);
    });
  });

  describe('tickets', () => {
    it('creates a ticket that GET /tickets/{id} (with ETag) and its history return', async () => {
      // Prepare
      const input = newTicket();
      // Act
      const created = await api('POST', '/tickets', { token: tokens.agent, body: input });
      // Assess
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        subject: input.subject,
        status: 'new',
        priority: 'high',
        version: 1,
      });
      expect(created.body.number).toMatch(/^GD-\d{6,}$/);
      expect(created.headers.get('location')).toBe(`/tickets/${created.body.id}`);

      const fetched = await api('GET', `/tickets/${created.body.id}`, { token: tokens.agent });
      expect(fetched.status).toBe(200);
      expect(fetched.headers.get('etag')).toBe('"1"');
      expect(fetched.body).toMatchObject({
        id: created.body.id,
        number: created.body.number,
        customer: input.customer,
      });

      const history = await api('GET', `/tickets/${created.body.id}/history`, { token: tokens.agent });
      expect(history.status).toBe(200);
      // Routing runs on intake: the system's `assigned` event comes with the creation.
      expect(history.body.items.map((e: { type: string }) => e.type)).toEqual([
        'created',
        'assigned',
        'viewed',
      ]);
      expect(history.body.items[0].actor.id).toBe('u-agent-zhang');
    });

    it('answers an illegal transition (new → closed) with 409 naming the allowed ones', async () => {
      const created = await api('POST', '/tickets', { token: tokens.agent, body: newTicket() });
      const response = await api('POST', `/tickets/${created.body.id}/transitions`, {
        token: tokens.agent,
        body: { to: 'closed' },
      });
      expect(response.status).toBe(409);
      expect(response.body.error.code).toBe('TICKET.ILLEGAL_TRANSITION');
      expect(response.body.error.details.allowed).toEqual(['open']);
      expect(response.body.error.message).toContain('open');
    });

    it('answers a change with a stale If-Match with 412', async () => {
      // Prepare: move the ticket on (accepting an unassigned ticket also takes it: two versions)
      const created = await api('POST', '/tickets', { token: tokens.agent, body: newTicket() });
      const path = `/tickets/${created.body.id}/transitions`;
      const accepted = await api('POST', path, {
        token: tokens.agent,
        body: { to: 'open' },
        headers: { 'if-match': '"1"' },
      });
      expect(accepted.status).toBe(200);
      expect(accepted.headers.get('etag')).toBe(`"${accepted.body.version}"`);
      expect(accepted.body.version).toBeGreaterThan(1);
      // Act: a second change that still thinks it is at version 1
      const stale = await api('POST', path, {
        token: tokens.agent,
        body: { to: 'pending' },
        headers: { 'if-match': '"1"' },
      });
      // Assess
      expect(stale.status).toBe(412);
      expect(stale.body.error.code).toBe('TICKET.VERSION_MISMATCH');
    });

    it('answers a body with wrong types with 400 listing each bad field', async () => {
      const response = await api('POST', '/tickets', {
        token: tokens.agent,
        body: { subject: 42, priority: 'asap', customer: { email: 'not-an-email' }, tags: 'x' },
      });
      expect(response.status).toBe(400);
      const paths = response.body.error.details.fields.map((f: { path: string }) => f.path);
      expect(paths).toEqual(expect.arrayContaining(['subject', 'priority', 'customer.email', 'tags']));
    });

    it('answers malformed JSON with 400, not 500', async () => {
      const response = await api('POST', '/tickets', {
        token: tokens.agent,
        rawBody: '{"subject": ',
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('REQUEST.MALFORMED_JSON');
    });

    it('answers a body over the route limit with 413', async () => {
      const response = await api('POST', '/tickets', {
        token: tokens.agent,
        body: newTicket({ description: 'x'.repeat(100 * 1024) }),
      });
      expect(response.status).toBe(413);
      expect(response.body.error.code).toBe('REQUEST.TOO_LARGE');
    });

    it('answers a body over the gateway cap with 413 without reading it all', async () => {
      const response = await api('POST', '/tickets', {
        token: tokens.agent,
        rawBody: new Uint8Array(3 * 1024 * 1024).fill(0x61),
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(413);
      expect(response.body.error.code).toBe('REQUEST.TOO_LARGE');
      // The server is still fine afterwards.
      expect((await api('GET', '/health')).status).toBe(200);
    });

    it('answers 401 without a token, and with a token it did not sign', async () => {
      const missing = await api('GET', '/tickets');
      expect(missing.status).toBe(401);
      expect(missing.body.error.code).toBe('AUTH.MISSING_TOKEN');
      const [header, payload] = tokens.admin.split('.');
      const forged = await api('GET', '/tickets', { token: `${header}.${payload}.c2lnbmF0dXJl` });
      expect(forged.status).toBe(401);
    });

    it('does not show a customer another customer’s ticket (404), and lists only their own', async () => {
      // Prepare: Anna Smith opens a ticket
      const smith = tokens.users.find((u) => u.id === 'c-smith')!;
      const hers = await api('POST', '/tickets', {
        token: smith.token,
        body: { subject: 'Where is my invoice?', description: 'It did not arrive' },
      });
      expect(hers.status).toBe(201);
      expect(hers.body.customer.email).toBe(smith.email);
      // Act: 李小姐 (the default customer) tries to read it and lists tickets
      const li = tokens.users.find((u) => u.id === 'c-li')!;
      const peek = await api('GET', `/tickets/${hers.body.id}`, { token: li.token });
      const history = await api('GET', `/tickets/${hers.body.id}/history`, { token: li.token });
      const list = await api('GET', '/tickets?limit=100', { token: li.token });
      const filtered = await api('GET', `/tickets?customer=${encodeURIComponent(smith.email)}`, {
        token: li.token,
      });
      // Assess
      expect(peek.status).toBe(404);
      expect(peek.body.error.code).toBe('TICKET.NOT_FOUND');
      expect([403, 404]).toContain(history.status);
      expect(list.status).toBe(200);
      expect(list.body.items.length).toBeGreaterThan(0);
      for (const ticket of [...list.body.items, ...(filtered.body.items ?? [])]) {
        expect(ticket.customer.email).toBe(li.email);
      }
      const own = await api('GET', `/tickets/${hers.body.id}`, { token: tokenOf('c-smith') });
      expect(own.status).toBe(200);
    });
  });

  describe('the API Gateway stand-in', () => {
    it('answers an unknown path with 404 ROUTE.NOT_FOUND', async () => {
      const response = await api('GET', '/no/such/route', { token: tokens.admin });
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('ROUTE.NOT_FOUND');
    });

    it('answers a known path with the wrong method with 405 and Allow', async () => {
      const response = await api('DELETE', '/tickets', { token: tokens.admin });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toContain('POST');
      expect(response.body.error.code).toBe('ROUTE.METHOD_NOT_ALLOWED');
    });

    it('passes query strings and path parameters through', async () => {
      const created = await api('POST', '/tickets', {
        token: tokens.agent,
        body: newTicket({ team: 'experts' }),
      });
      const list = await api('GET', '/tickets?team=experts&status=new&limit=100', { token: tokens.agent });
      expect(list.status).toBe(200);
      expect(list.body.items.map((t: { id: string }) => t.id)).toContain(created.body.id);
      const unknown = await api('GET', '/tickets/01ZZZZZZZZZZZZZZZZZZZZZZZZ', { token: tokens.agent });
      expect(unknown.status).toBe(404);
    });
  });

  describe('/dev routes', () => {
    it('shows the outbox as {"messages": [...]}', async () => {
      const response = await api('GET', '/dev/outbox');
      expect(response.status).toBe(200);
      expect(Array.isArray(response.body.messages)).toBe(true);
    });

    it('shows the virtual clock as {"now": ISO}', async () => {
      const before = Date.now();
      const response = await api('GET', '/dev/clock');
      expect(response.status).toBe(200);
      expect(response.body.now).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      // Time scale 1: the virtual clock is (at least) the wall clock.
      expect(Date.parse(response.body.now)).toBeGreaterThanOrEqual(before - 1000);
    });

    it('records published events, e.g. ticket.created with the ticket id', async () => {
      const created = await api('POST', '/tickets', { token: tokens.integration, body: newTicket() });
      // Published by the outbox dispatcher right after the commit, as EventBridge receives it in AWS.
      const event = await eventually(
        async () => {
          const response = await api('GET', '/dev/events');
          return response.body.events.find(
            (e: { detailType: string; detail: { ticketId: string } }) =>
              e.detailType === 'ticket.created' && e.detail.ticketId === created.body.id,
          );
        },
        5000,
        50,
      );
      expect(event).toMatchObject({ source: 'gongdan', detail: { number: created.body.number, version: 1 } });
    });

    it('takes inbound e-mail as raw RFC 822 and answers 202 {ticketId, created}', async () => {
      const response = await api('POST', '/dev/inbound-email', {
        rawBody: `From: a@example.com\r\nSubject: hi\r\nMessage-ID: <${randomUUID()}@example.com>\r\n\r\nhello`,
        headers: { 'content-type': 'message/rfc822' },
      });
      expect(response.status).toBe(202);
      expect(response.body).toMatchObject({ ticketId: expect.any(String), created: true });
    });
  });
});
