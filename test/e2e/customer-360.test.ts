import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localConnectorSecrets } from '#infra/local/customer360.ts';
import {
  apiClient,
  type DevTokens,
  type RuntimeProcess,
  removeDataDir,
  startRuntimeProcess,
} from './support/runtime-process.ts';

/**
 * Customer 360 over HTTP against the local runtime, with a real HTTP server standing in for the CRM
 * (node:http on 127.0.0.1, started here): each customer id makes it answer one way — well, slowly,
 * failing once, failing always, with broken JSON, with the wrong shape — and it counts the calls.
 */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
type Json = any;

let runtime: RuntimeProcess;
let api: ReturnType<typeof apiClient>;
let tokens: DevTokens;
let crm: Server;
let crmUrl: string;
const calls = new Map<string, number>();
const crmToken = `crm-${randomUUID()}`;

const goodAnswer = (id: string) => ({
  id,
  name: 'Hualian Plaza',
  contract: { validUntil: '2027-03-31', annualFee: 128000 },
  repairs: [
    { date: '2026-11-18', summary: 'Door belt replaced' },
    { date: '2026-08-02', summary: 'Lighting circuit repaired' },
  ],
});

/** The CRM stand-in: `/customers/{id}` answers by the id's prefix; `/contracts?customer=` is the ERP's. */
function startCrm(): Promise<void> {
  crm = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const id = decodeURIComponent(url.pathname.split('/').pop() ?? '');
    const key = url.pathname.startsWith('/erp') ? `erp:${url.searchParams.get('customer')}` : id;
    const n = (calls.get(key) ?? 0) + 1;
    calls.set(key, n);
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    };
    if (req.headers.authorization !== `Bearer ${crmToken}`) return send(401, '{"error":"unauthorized"}');
    if (key.startsWith('erp:'))
      return send(200, JSON.stringify({ contracts: [{ no: 'E-1', until: '2026-12-31' }] }));
    if (id.startsWith('OK-')) return send(200, JSON.stringify(goodAnswer(id)));
    if (id.startsWith('SLOW-')) {
      const timer = setTimeout(() => send(200, JSON.stringify(goodAnswer(id))), 3000);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    if (id.startsWith('FLAKY-'))
      return n === 1 ? send(500, '{"error":"busy"}') : send(200, JSON.stringify(goodAnswer(id)));
    if (id.startsWith('DOWN-')) return send(500, '{"error":"down"}');
    if (id.startsWith('BADJSON-')) return send(200, '{"contract": {"validUntil": "2027-03-31"');
    if (id.startsWith('LIST-')) return send(200, JSON.stringify([goodAnswer(id)]));
    if (id.startsWith('NOPATH-'))
      return send(200, JSON.stringify({ id, name: 'No contract here', repairs: [] }));
    return send(404, '{"error":"unknown"}');
  });
  return new Promise((resolve) =>
    crm.listen(0, '127.0.0.1', () => {
      crmUrl = `http://127.0.0.1:${(crm.address() as AddressInfo).port}`;
      resolve();
    }),
  );
}

const field = (en: string, path: string, format: string, extra: object = {}) => ({
  label: { zh: en, en },
  path,
  format,
  ...extra,
});

const config = () => ({
  ticketExternalIdSystem: 'crm',
  connectors: [
    {
      name: 'crm',
      title: { zh: '客户关系管理', en: 'CRM' },
      system: 'crm',
      baseUrl: `${crmUrl}/crm`,
      path: '/customers/{externalId}',
      timeoutMs: 500,
      retries: 1,
      cacheTtlSeconds: 300,
      auth: { header: 'Authorization', scheme: 'Bearer', secretRef: 'stub-crm' },
      fields: [
        field('Customer', 'name', 'text'),
        field('Contract valid until', 'contract.validUntil', 'date'),
        field('Annual fee', 'contract.annualFee', 'money', { currency: 'CNY' }),
        field('Past repairs', 'repairs[].[date, summary]', 'list'),
      ],
    },
    {
      name: 'erp-contracts',
      title: { zh: 'ERP 合同', en: 'ERP contracts' },
      system: 'erp',
      baseUrl: `${crmUrl}/erp`,
      path: '/contracts?customer={externalId}',
      auth: { header: 'Authorization', scheme: 'Bearer', secretRef: 'stub-crm' },
      fields: [field('Contracts', 'contracts[].[no, until]', 'list')],
    },
  ],
});

beforeAll(async () => {
  await startCrm();
  runtime = await startRuntimeProcess({ args: ['--no-seed'] });
  api = apiClient(runtime.url);
  tokens = (await api<DevTokens>('GET', '/dev/tokens')).body;
  const file = localConnectorSecrets(runtime.dataDir).file;
  const secrets = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(file, JSON.stringify({ ...secrets, 'stub-crm': crmToken }));
  const put = await api('PUT', '/config/connectors', { token: tokens.admin, body: config() });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
});

afterAll(async () => {
  await runtime?.stop();
  if (runtime) removeDataDir(runtime.dataDir);
  await new Promise((r) => crm?.close(r));
});

/** A ticket for a new customer with `externalId` in the CRM (or none). */
async function ticketFor(externalId?: string, contact: { email?: string; phone?: string } = {}) {
  const email = contact.email ?? (contact.phone ? undefined : `c360-${randomUUID().slice(0, 8)}@example.com`);
  const created = await api('POST', '/tickets', {
    token: tokens.agent,
    body: {
      subject: 'Lift 3 stuck between floors',
      description: 'Passengers trapped, please send an engineer',
      customer: {
        ...(email ? { email } : {}),
        ...contact,
        name: 'Mr Huang',
        ...(externalId ? { externalId } : {}),
      },
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as string;
}

const panel = async (ticketId: string, query = '') =>
  api('GET', `/tickets/${ticketId}/customer-360${query}`, { token: tokens.agent });
const source = (body: Json, name: string) => body.sources.find((s: Json) => s.name === name);

describe('GET /tickets/{id}/customer-360', () => {
  it("shows the CRM's contract validity and past repairs, formatted, with the auth header from the secret", async () => {
    // Prepare
    const id = await ticketFor('OK-1');

    // Act
    const response = await panel(id);

    // Assess
    expect(response.status).toBe(200);
    expect(response.body.customer).toMatchObject({ name: 'Mr Huang', externalIds: { crm: 'OK-1' } });
    const crmSource = source(response.body, 'crm');
    expect(crmSource).toMatchObject({ status: 'ok', cached: false, title: { en: 'CRM' } });
    expect(crmSource.fields.map((f: Json) => [f.label.en, f.format, f.value])).toEqual([
      ['Customer', 'text', 'Hualian Plaza'],
      ['Contract valid until', 'date', '2027-03-31'],
      ['Annual fee', 'money', 128000],
      ['Past repairs', 'list', ['2026-11-18 · Door belt replaced', '2026-08-02 · Lighting circuit repaired']],
    ]);
    expect(Date.parse(crmSource.fetchedAt)).not.toBeNaN();
  });

  it('keeps a good answer per customer: the second call is served from the cache, a refresh asks again', async () => {
    // Prepare
    const id = await ticketFor('OK-cache');
    await panel(id);

    // Act
    const second = await panel(id);
    const callsAfterSecond = calls.get('OK-cache');
    const refreshed = await panel(id, '?refresh=true');

    // Assess
    expect(source(second.body, 'crm')).toMatchObject({ status: 'ok', cached: true });
    expect(callsAfterSecond).toBe(1);
    expect(source(refreshed.body, 'crm')).toMatchObject({ status: 'ok', cached: false });
    expect(calls.get('OK-cache')).toBe(2);
  });

  it('reports a source that does not answer in time as timeout, after one retry, and still shows the others', async () => {
    // Prepare: the ERP knows this customer, through a mapping by e-mail.
    const email = `slow-${randomUUID().slice(0, 8)}@example.com`;
    const id = await ticketFor('SLOW-1', { email });
    const mapped = await api('PUT', '/customers/mappings', {
      token: tokens.integration,
      body: { mappings: [{ customer: { email }, system: 'erp', externalId: 'E-77' }] },
    });
    expect(mapped.status).toBe(200);

    // Act
    const started = Date.now();
    const response = await panel(id);

    // Assess
    expect(response.status).toBe(200);
    expect(source(response.body, 'crm')).toMatchObject({
      status: 'timeout',
      fields: [],
      message: 'No answer within 500 ms (2 tries)',
    });
    expect(calls.get('SLOW-1')).toBe(2);
    expect(source(response.body, 'erp-contracts')).toMatchObject({
      status: 'ok',
      fields: [{ value: ['E-1 · 2026-12-31'] }],
    });
    // Both sources were asked at once: two 500 ms tries, not three sources' worth in a row.
    expect(Date.now() - started).toBeLessThan(2900);
  });

  it('retries a 500 once and shows the answer of the second try', async () => {
    // Prepare
    const id = await ticketFor('FLAKY-1');

    // Act
    const response = await panel(id);

    // Assess
    expect(source(response.body, 'crm')).toMatchObject({ status: 'ok', fields: expect.any(Array) });
    expect(calls.get('FLAKY-1')).toBe(2);
  });

  it('reports a source failing twice as error, and does not keep the failure', async () => {
    // Prepare
    const id = await ticketFor('DOWN-1');

    // Act
    const first = await panel(id);
    const second = await panel(id);

    // Assess
    expect(source(first.body, 'crm')).toMatchObject({
      status: 'error',
      message: 'Answered HTTP 500 (2 tries)',
    });
    expect(source(second.body, 'crm')).toMatchObject({ status: 'error', cached: false });
    expect(calls.get('DOWN-1')).toBe(4);
  });

  it.each([
    ['broken JSON', 'BADJSON-1', 'The answer is not JSON'],
    ['a list instead of an object', 'LIST-1', 'The answer is a list, not a JSON object'],
    [
      'an object without the contract',
      'NOPATH-1',
      'Contract valid until: the answer has nothing at `contract.validUntil`',
    ],
  ])('reports an answer with %s as malformed, with a clear message', async (_, externalId, message) => {
    // Prepare
    const id = await ticketFor(externalId);

    // Act
    const response = await panel(id);

    // Assess
    expect(response.status).toBe(200);
    expect(source(response.body, 'crm')).toMatchObject({ status: 'malformed', fields: [], message });
    expect(calls.get(externalId)).toBe(1);
  });

  it('reports each source the customer has no id in as not_mapped, and asks none of them', async () => {
    // Prepare
    const id = await ticketFor(undefined);
    const before = [...calls.values()].reduce((a, b) => a + b, 0);

    // Act
    const response = await panel(id);

    // Assess
    expect(response.body.sources.map((s: Json) => [s.name, s.status])).toEqual([
      ['crm', 'not_mapped'],
      ['erp-contracts', 'not_mapped'],
    ]);
    expect(source(response.body, 'crm').message).toContain('PUT /customers/mappings');
    expect([...calls.values()].reduce((a, b) => a + b, 0)).toBe(before);
  });

  it('finds a customer known by phone only through a mapping stored for their number', async () => {
    // Prepare
    const phone = `+86 139 ${String(Date.now()).slice(-4)} ${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
    const id = await ticketFor(undefined, { phone });
    const mapped = await api('PUT', '/customers/mappings', {
      token: tokens.admin,
      body: {
        mappings: [{ customer: { phone: phone.replace(/ /g, '') }, system: 'crm', externalId: 'OK-phone' }],
      },
    });

    // Act
    const response = await panel(id);

    // Assess
    expect(mapped.body).toEqual({ stored: 1, items: 1 });
    expect(response.body.customer.externalIds).toEqual({ crm: 'OK-phone' });
    expect(source(response.body, 'crm')).toMatchObject({ status: 'ok' });
  });

  it('is for staff only', async () => {
    // Prepare
    const id = await ticketFor('OK-1');

    // Act
    const asIntegration = await api('GET', `/tickets/${id}/customer-360`, { token: tokens.integration });

    // Assess
    expect(asIntegration.status).toBe(403);
  });
});

describe('PUT /config/connectors', () => {
  it('refuses a bad configuration with a 400 naming each bad field, and keeps the one stored', async () => {
    // Prepare
    const bad = config();
    bad.connectors[0]!.baseUrl = 'http://crm.example.com';
    bad.connectors[0]!.timeoutMs = 60_000;
    bad.connectors[0]!.fields[1]!.path = 'contract.[';
    bad.connectors[1]!.path = '/contracts?customer={email}';

    // Act
    const refused = await api('PUT', '/config/connectors', { token: tokens.admin, body: bad });
    const stored = await api('GET', '/config/connectors', { token: tokens.admin });

    // Assess
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('REQUEST.INVALID');
    const paths = refused.body.error.details.fields.map((f: Json) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['connectors.0.timeoutMs', 'connectors.1.path']));
    expect(stored.body.connectors[0].baseUrl).toBe(`${crmUrl}/crm`);

    // Act: the schema passes; what this runtime will not call or read is refused next.
    const schemaOk = config();
    schemaOk.connectors[0]!.baseUrl = 'http://crm.example.com';
    schemaOk.connectors[0]!.fields[1]!.path = 'contract.[';
    const refusedAgain = await api('PUT', '/config/connectors', { token: tokens.admin, body: schemaOk });

    // Assess
    expect(refusedAgain.status).toBe(400);
    expect(refusedAgain.body.error.details.fields).toEqual([
      expect.objectContaining({ path: 'connectors.0.baseUrl', code: 'url_refused' }),
      expect.objectContaining({ path: 'connectors.0.fields.1.path', code: 'bad_path' }),
    ]);
  });

  it('stores a configuration by version: a stale If-Match is a 412', async () => {
    // Prepare
    const current = await api('GET', '/config/connectors', { token: tokens.admin });

    // Act
    const stale = await api('PUT', '/config/connectors', {
      token: tokens.admin,
      body: config(),
      headers: { 'if-match': `"${current.body.version - 1}"` },
    });
    const fresh = await api('PUT', '/config/connectors', {
      token: tokens.admin,
      body: config(),
      headers: { 'if-match': current.headers.get('etag')! },
    });

    // Assess
    expect(stale.status).toBe(412);
    expect(fresh.status).toBe(200);
    expect(fresh.body.version).toBe(current.body.version + 1);
  });

  it('is for admins only', async () => {
    expect((await api('GET', '/config/connectors', { token: tokens.agent })).status).toBe(403);
    expect(
      (await api('PUT', '/config/connectors', { token: tokens.supervisor, body: config() })).status,
    ).toBe(403);
  });
});

describe('PUT /customers/mappings', () => {
  it('refuses a mapping without an e-mail or phone, naming the row', async () => {
    // Act
    const response = await api('PUT', '/customers/mappings', {
      token: tokens.integration,
      body: {
        mappings: [
          { customer: { email: 'ok@example.com' }, system: 'crm', externalId: 'A' },
          { customer: {}, system: 'CRM!', externalId: '' },
        ],
      },
    });

    // Assess
    expect(response.status).toBe(400);
    const paths = response.body.error.details.fields.map((f: Json) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining(['mappings.1.customer.email', 'mappings.1.system', 'mappings.1.externalId']),
    );
  });
});
