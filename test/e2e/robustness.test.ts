import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
let ticketId: string;

beforeAll(async () => {
  runtime = await startRuntimeProcess({ args: ['--no-seed'] });
  api = apiClient(runtime.url);
  tokens = (await api<DevTokens>('GET', '/dev/tokens')).body;
  const created = await api('POST', '/tickets', {
    token: tokens.agent,
    body: { subject: 'fuzz target', customer: { email: 'fuzz@example.com' } },
  });
  ticketId = created.body.id;
});

afterAll(async () => {
  await runtime?.stop();
  if (runtime) removeDataDir(runtime.dataDir);
});

const printable = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);

/** Paths near the real ones: real templates with odd ids, odd segments, encodings and query strings. */
const path = fc
  .tuple(
    fc.constantFrom(
      '/tickets',
      '/tickets/{id}',
      '/tickets/{id}/history',
      '/tickets/{id}/messages',
      '/tickets/{id}/transitions',
      '/tickets/{id}/replies',
      '/dev/tokens',
      '/dev/clock',
      '/health',
      '/{id}',
      '/tickets/{id}/{id}',
      '/console/{id}',
      '/console/assets/{id}',
    ),
    fc.oneof(
      fc.constant('TICKET'),
      fc.string({ maxLength: 30 }).map(encodeURIComponent),
      fc.constantFrom('%ZZ', '..', '%00', '%2F', 'GD-000001', '01ZZZZZZZZZZZZZZZZZZZZZZZZ', 'x'.repeat(300)),
    ),
    fc.option(
      fc.dictionary(
        fc.constantFrom('status', 'team', 'limit', 'cursor', 'customer', 'breached', 'assignee', 'x'),
        fc.oneof(printable, fc.constantFrom('-1', '1e9', 'open', 'true', '%', '')),
      ),
      { nil: undefined },
    ),
  )
  .map(([template, id, query]) => {
    const p = template.replaceAll('{id}', id === 'TICKET' ? ticketId : id);
    if (!query) return p;
    const qs = Object.entries(query)
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join('&');
    return `${p}?${qs}`;
  });

const body = fc.oneof(
  fc.constant(undefined),
  fc.json().map((j) => ({ raw: j })),
  fc.string({ maxLength: 200 }).map((s) => ({ raw: s })),
  fc
    .record(
      {
        subject: fc.oneof(fc.string({ maxLength: 250 }), fc.integer(), fc.constant(null)),
        description: fc.oneof(fc.string(), fc.boolean()),
        priority: fc.oneof(fc.constantFrom('low', 'normal', 'high', 'urgent'), fc.string()),
        to: fc.oneof(fc.constantFrom('new', 'open', 'pending', 'resolved', 'closed'), fc.anything()),
        body: fc.oneof(fc.string(), fc.integer()),
        public: fc.anything(),
        customer: fc.oneof(
          fc.record(
            { email: fc.oneof(fc.emailAddress(), fc.string()), tier: fc.string() },
            { requiredKeys: [] },
          ),
          fc.anything(),
        ),
        tags: fc.anything(),
        customFields: fc.anything(),
        location: fc.anything(),
      },
      { requiredKeys: [] },
    )
    .map((r) => ({ raw: JSON.stringify(r) })),
);

const headers = fc.record(
  {
    authorization: fc.oneof(
      fc.constantFrom('admin', 'agent', 'customer', 'integration', 'supervisor').map((r) => `Bearer ${r}`),
      printable,
      fc.constant('Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'),
    ),
    'content-type': fc.oneof(
      fc.constantFrom(
        'application/json',
        'text/plain',
        'application/octet-stream',
        'application/merge-patch+json',
      ),
      printable,
    ),
    'if-match': fc.oneof(fc.constantFrom('"1"', '*', 'W/"2"', '"999999999999999"'), printable),
    'idempotency-key': printable,
    'x-anything': printable,
  },
  { requiredKeys: [] },
);

describe('The local runtime under hostile input', () => {
  it('answers 200 random requests (paths, methods, headers, bodies) without a 5xx', async () => {
    const statuses: number[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
        path,
        headers,
        body,
        async (method, p, h, b) => {
          const withToken = { ...h };
          const role = h.authorization?.match(/^Bearer (admin|agent|customer|integration|supervisor)$/)?.[1];
          if (role) withToken.authorization = `Bearer ${tokens[role as keyof DevTokens]}`;
          const sendBody = b !== undefined && method !== 'GET';
          const response = await fetch(`${runtime.url}${p}`, {
            method,
            headers: withToken,
            ...(sendBody ? { body: b.raw } : {}),
          });
          const text = await response.text();
          statuses.push(response.status);
          expect(response.status, `${method} ${p} → ${response.status} ${text}`).toBeLessThan(500);
          // Pages (the home page, the console's files) are HTML or assets; everything else is JSON.
          // (The path as the server saw it: fetch resolves dot segments, so `/tickets/../..` is `/`.)
          const served = new URL(response.url).pathname;
          const page = /^\/(console(\/|$)|$)/.test(served) && response.status === 200;
          if (!page) {
            expect(() => JSON.parse(text), `${method} ${p} answered non-JSON: ${text}`).not.toThrow();
          }
        },
      ),
      // A path fetch resolves to the home page, found by a run in CI: always tried first.
      { numRuns: 200, examples: [['GET', '/tickets/../..', {}, { raw: '' }]] },
    );
    expect(statuses).toHaveLength(200);
    expect((await api('GET', '/health')).status).toBe(200);
  });

  it('creates exactly one ticket for 100 concurrent POSTs with the same Idempotency-Key', async () => {
    // Prepare
    const email = `idem-${randomUUID()}@example.com`;
    const key = randomUUID();
    const request = { subject: '同一个请求', customer: { email }, priority: 'normal' };
    // Act
    const responses = await Promise.all(
      Array.from({ length: 100 }, () =>
        api('POST', '/tickets', {
          token: tokens.integration,
          body: request,
          headers: { 'idempotency-key': key },
        }),
      ),
    );
    // Assess
    expect(responses.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    const replayed = responses.filter((r) => r.headers.get('idempotent-replayed') === 'true').length;
    expect(replayed).toBe(99);
    const list = await api('GET', `/tickets?customer=${encodeURIComponent(email)}&limit=100`, {
      token: tokens.agent,
    });
    expect(list.body.items).toHaveLength(1);
  });

  it('gives 200 concurrent creates with distinct keys 200 distinct numbers', async () => {
    const email = `many-${randomUUID()}@example.com`;
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        api('POST', '/tickets', {
          token: tokens.integration,
          body: { subject: `批量 ${i}`, customer: { email } },
          headers: { 'idempotency-key': randomUUID() },
        }),
      ),
    );
    expect(responses.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
    expect(new Set(responses.map((r) => r.body.number)).size).toBe(200);
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(200);
  });
});
