import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.ts';
import {
  apiClient,
  type DevTokens,
  type RuntimeProcess,
  removeDataDir,
  startRuntimeProcess,
  tempDataDir,
} from './support/runtime-process.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, asserted field by field
type Json = Record<string, any>;

let runtime: RuntimeProcess;
let api: ReturnType<typeof apiClient>;
let tokens: DevTokens;

const header = ['externalId', 'subject', 'status', 'priority', 'customerEmail', 'createdAt', 'closedAt'];
const csvOf = (rows: string[][]) => Buffer.from(stringify([header, ...rows]));
/** `count` closed tickets from the old desk, legacy numbers `<prefix>-<n>`. */
const historical = (prefix: string, count: number) =>
  csvOf(
    Array.from({ length: count }, (_, i) => [
      `${prefix}-${i + 1}`,
      `旧系统工单 ${i + 1}`,
      'closed',
      'normal',
      `old${i + 1}@example.com`,
      '2025-02-03 09:30',
      '2025-02-04 18:00',
    ]),
  );

const upload = (body: Uint8Array, query: string, contentType = 'text/csv') =>
  api('POST', `/imports?${query}`, {
    token: tokens.admin,
    rawBody: body,
    headers: { 'content-type': contentType },
  });

/** Polls the import until it is no longer checking or committing. */
const settled = (id: string) =>
  eventually(
    async () => {
      const r = await api('GET', `/imports/${id}`, { token: tokens.admin });
      return ['checked', 'completed', 'failed'].includes(r.body.status) ? (r.body as Json) : undefined;
    },
    120_000,
    100,
  );

const importCount = async () =>
  (await api('GET', '/imports', { token: tokens.admin })).body.items.length as number;

beforeAll(async () => {
  runtime = await startRuntimeProcess({ env: { IMPORT_BATCH_SIZE: '50' } });
  api = apiClient(runtime.url);
  tokens = (await api<DevTokens>('GET', '/dev/tokens')).body;
});

afterAll(async () => {
  await runtime?.stop();
  if (runtime) removeDataDir(runtime.dataDir);
});

describe('Imports over HTTP (docs/import.md)', () => {
  it('pre-checks a raw CSV upload (dryRun) and reports each bad row with its suggestion, writing no ticket', async () => {
    // Prepare
    const csv = csvOf([
      ['DRY-1', '打印机卡纸', 'closed', 'high', 'a@example.com', '2025-01-21 09:05', '2025-01-22 10:00'],
      ['DRY-2', '网络断线', 'closed', 'Hign', 'b@example.com', '2025-01-21 09:05', '2025-01-22 10:00'],
    ]);

    // Act
    const started = await upload(csv, 'dryRun=true&fileName=legacy.csv');
    const report = await settled(started.body.importId);
    const search = await api('GET', '/tickets?q=DRY-1', { token: tokens.admin });

    // Assess
    expect(started.status).toBe(202);
    expect(report).toMatchObject({
      status: 'checked',
      dryRun: true,
      fileName: 'legacy.csv',
      format: 'csv',
      encoding: 'UTF-8',
      total: 2,
      processed: 2,
      created: 0,
      errorCount: 1,
    });
    expect(report.errors).toEqual([
      expect.objectContaining({ row: 3, column: 'priority', code: 'ENUM_UNKNOWN', suggestion: 'high' }),
    ]);
    expect(search.body.items).toEqual([]);
  });

  it('commits a multipart upload with its options, shows progress moving, and finds the legacy number', async () => {
    // Prepare
    const form = new FormData();
    form.append('file', new Blob([historical('MP', 600)], { type: 'text/csv' }), '旧工单.csv');
    form.append('options', JSON.stringify({ applySuggestions: true }));

    // Act
    const response = await fetch(`${runtime.url}/imports?dryRun=false`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.admin}` },
      body: form,
    });
    const { importId } = (await response.json()) as Json;
    const seen: Json[] = [];
    const done = await eventually(
      async () => {
        const r = await api('GET', `/imports/${importId}`, { token: tokens.admin });
        seen.push(r.body);
        return r.body.status === 'completed' || r.body.status === 'failed' ? (r.body as Json) : undefined;
      },
      180_000,
      50,
    );
    const search = await api('GET', '/tickets?q=MP-417', { token: tokens.admin });

    // Assess
    expect(response.status).toBe(202);
    expect(done).toMatchObject({
      status: 'completed',
      fileName: '旧工单.csv',
      total: 600,
      processed: 600,
      created: 600,
    });
    expect(done.options).toEqual({ applySuggestions: true });
    const moving = seen.filter((s) => s.status === 'committing' && s.processed > 0 && s.processed < 600);
    expect(moving.length).toBeGreaterThan(0);
    expect(
      moving.some((s) => s.progress.rowsPerSecond > 0 && typeof s.progress.etaSeconds === 'number'),
    ).toBe(true);
    expect(search.body.items).toHaveLength(1);
    expect(search.body.items[0]).toMatchObject({
      externalRef: 'MP-417',
      status: 'closed',
      channel: 'import',
      createdAt: '2025-02-03T01:30:00.000Z',
    });
  });

  it('creates nothing when the same file is imported again', async () => {
    // Prepare
    const csv = historical('TWICE', 30);
    const first = await settled((await upload(csv, 'dryRun=false')).body.importId);

    // Act
    const second = await settled((await upload(csv, 'dryRun=false')).body.importId);

    // Assess
    expect(first).toMatchObject({ status: 'completed', created: 30, skipped: 0 });
    expect(second).toMatchObject({ status: 'completed', created: 0, skipped: 30 });
  });

  it('serves errors.csv with every issue (BOM, row, code, suggestion) and lists the import', async () => {
    // Prepare
    const rows = Array.from({ length: 3 }, (_, i) => [
      `ERR-${i}`,
      's',
      'closed',
      'Hign',
      'x@example.com',
      '2025-01-01',
      '',
    ]);
    const { importId } = (await upload(csvOf(rows), 'dryRun=true')).body;
    await settled(importId);

    // Act
    const response = await fetch(`${runtime.url}/imports/${importId}/errors.csv`, {
      headers: { authorization: `Bearer ${tokens.admin}` },
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    const list = await api('GET', '/imports', { token: tokens.admin });

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    for (const row of ['2', '3', '4']) expect(text).toMatch(new RegExp(`^${row},.*ENUM_UNKNOWN.*high`, 'm'));
    expect(list.body.items[0]).toMatchObject({ id: importId, status: 'checked' });
    expect(list.body.items[0].errors).toBeUndefined();
  });

  it('hands out a template that checks clean, in CSV and XLSX', async () => {
    for (const format of ['csv', 'xlsx'] as const) {
      // Act
      const response = await fetch(`${runtime.url}/imports/template?format=${format}&locale=zh`, {
        headers: { authorization: `Bearer ${tokens.admin}` },
      });
      const bytes = new Uint8Array(await response.arrayBuffer());
      const type =
        format === 'csv' ? 'text/csv' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
      const report = await settled(
        (await upload(bytes, `dryRun=true&fileName=template.${format}`, type)).body.importId,
      );

      // Assess
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain(type);
      expect(report).toMatchObject({ status: 'checked', format, total: 1, errorCount: 0 });
    }
  });

  it('saves a mapping and uses it by name', async () => {
    // Prepare
    const csv = Buffer.from(
      stringify([
        ['旧单号', '标题x', '状态', '邮箱', '建单'],
        ['MAP-1', 's', 'closed', 'm@example.com', '2025-01-01'],
      ]),
    );
    const mapping = {
      旧单号: 'externalId',
      标题x: 'subject',
      状态: 'status',
      邮箱: 'customerEmail',
      建单: 'createdAt',
    };

    // Act
    const saved = await api('PUT', `/imports/mappings/${encodeURIComponent('旧系统')}`, {
      token: tokens.admin,
      body: { mapping },
    });
    const listed = await api('GET', '/imports/mappings', { token: tokens.admin });
    const report = await settled(
      (await upload(csv, `dryRun=true&mappingName=${encodeURIComponent('旧系统')}`)).body.importId,
    );

    // Assess
    expect(saved.status).toBe(200);
    expect(listed.body.items).toContainEqual({ name: '旧系统', mapping });
    expect(report).toMatchObject({ status: 'checked', total: 1, errorCount: 0, mapping });
  });

  describe('bad input gets a clear 4xx and nothing is imported', () => {
    it.each([
      [
        'a binary file',
        Buffer.from([0x00, 0x01, 0x02, 0xff, 0x00, 0x89, 0x50, 0x4e, 0x47]),
        '',
        'application/octet-stream',
        415,
        'IMPORT.BINARY_FILE',
      ],
      ['an empty file', Buffer.alloc(0), '', 'text/csv', 400, 'IMPORT.EMPTY_FILE'],
      [
        'a mapping to an unknown field',
        historical('UNK', 2),
        `&mapping=${encodeURIComponent(JSON.stringify({ subject: 'headline' }))}`,
        'text/csv',
        400,
        'IMPORT.UNKNOWN_FIELD',
      ],
      [
        'a file over 50 MiB',
        Buffer.alloc(50 * 1024 * 1024 + 1, 0x61),
        '',
        'text/csv',
        413,
        'IMPORT.TOO_LARGE',
      ],
      ['a PDF', Buffer.from('%PDF-1.4'), '', 'application/pdf', 415, 'IMPORT.UNSUPPORTED_TYPE'],
    ])('%s', async (_name, body, extra, type, status, code) => {
      // Prepare
      const before = await importCount();

      // Act
      const response = await upload(body, `dryRun=false${extra}`, type);

      // Assess
      expect(response.status).toBe(status);
      expect(response.body.error).toMatchObject({ code, message: expect.any(String) });
      expect(await importCount()).toBe(before);
    });

    it('refuses staff other than admins', async () => {
      const response = await upload(historical('AGENT', 1), 'dryRun=true');
      const asAgent = await api('POST', '/imports?dryRun=true', {
        token: tokens.agent,
        rawBody: historical('AGENT', 1),
        headers: { 'content-type': 'text/csv' },
      });
      expect(response.status).toBe(202);
      expect(asAgent.status).toBe(403);
    });
  });
});

describe('An import whose runtime is killed midway (docs/import.md, "Resume")', () => {
  it('goes on from its checkpoint when the runtime starts again, with no duplicate', async () => {
    // Prepare: a second runtime on its own data dir, killed with SIGKILL while it commits.
    const dataDir = tempDataDir();
    let first: RuntimeProcess | undefined = await startRuntimeProcess({
      dataDir,
      env: { IMPORT_BATCH_SIZE: '50' },
    });
    const call = apiClient(first.url);
    const admin = (await call<DevTokens>('GET', '/dev/tokens')).body.admin;
    const started = await call('POST', '/imports?dryRun=false', {
      token: admin,
      rawBody: historical('KILL', 2000),
      headers: { 'content-type': 'text/csv' },
    });
    const id = started.body.importId as string;
    const halfway = await eventually(
      async () => {
        const r = await call('GET', `/imports/${id}`, { token: admin });
        return r.body.status === 'committing' && r.body.processed >= 200 ? (r.body as Json) : undefined;
      },
      120_000,
      50,
    );
    await first.stop('SIGKILL');
    first = undefined;

    // Act
    const second = await startRuntimeProcess({ dataDir, env: { IMPORT_BATCH_SIZE: '50' } });
    try {
      const again = apiClient(second.url);
      const token = (await again<DevTokens>('GET', '/dev/tokens')).body.admin;
      const done = await eventually(
        async () => {
          const r = await again('GET', `/imports/${id}`, { token });
          return r.body.status === 'completed' || r.body.status === 'failed' ? (r.body as Json) : undefined;
        },
        240_000,
        200,
      );
      const found = await Promise.all(
        [1, 177, 950, 1999, 2000].map(
          async (n) => (await again('GET', `/tickets?q=KILL-${n}`, { token })).body.items.length,
        ),
      );

      // Assess
      expect(halfway.processed).toBeLessThan(2000);
      expect(done).toMatchObject({
        status: 'completed',
        total: 2000,
        processed: 2000,
        created: 2000,
        skipped: 0,
      });
      expect(found).toEqual([1, 1, 1, 1, 1]);
      expect(second.output()).toContain('import.resumed');
    } finally {
      await second.stop();
      removeDataDir(dataDir);
    }
  });
});
