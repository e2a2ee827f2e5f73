import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { localImportFiles } from '#infra/local/import-files.ts';
import { dynamoImportStore } from '#shared/adapters/dynamo/dynamo-import-store.ts';
import type { Actor } from '#shared/domain/actor.ts';
import {
  commitImportChunk,
  type ImportDeps,
  importIssues,
  rerunImport,
  runImport,
  startImport,
} from '#shared/use-cases/import-tickets.ts';
import { listTickets } from '#shared/use-cases/read-tickets.ts';
import { freshTicketDeps, recordingPublisher } from '../support/ticket-fixtures.ts';

const admin: Actor = { id: 'u-admin', name: '管理员', roles: ['admin'], channel: 'api' };
const header = [
  'externalId',
  'subject',
  'status',
  'priority',
  'customerEmail',
  'createdAt',
  'resolvedAt',
  'closedAt',
];

/** A CSV of `count` historical tickets (closed, from 2024), legacy numbers `<prefix>-<n>`. */
function historicalCsv(count: number, prefix = 'OLD') {
  const rows = Array.from({ length: count }, (_, i) => [
    `${prefix}-${i + 1}`,
    `旧工单 ${i + 1}: 打印机卡纸`,
    'closed',
    'normal',
    `c${i + 1}@example.com`,
    '2024-03-01T02:00:00Z',
    '2024-03-02T02:00:00Z',
    '2024-03-03T02:00:00Z',
  ]);
  return Buffer.from(stringify([header, ...rows]));
}

/** The import deps over a fresh table (real store, files under a temp dir); the runner only records. */
async function importWorld(batchSize = 200) {
  const world = await freshTicketDeps(() => new Date('2026-11-20T08:00:00Z'));
  const files = localImportFiles(
    mkdtempSync(join(tmpdir(), 'gongdan-import-')),
    () => 'http://localhost',
  ).files;
  const started: string[] = [];
  const published = recordingPublisher();
  const importing: ImportDeps = {
    ...world.deps,
    imports: dynamoImportStore(world.client, world.tableName),
    importFiles: files,
    importRunner: {
      async start(id, phase) {
        started.push(`${id}:${phase}`);
      },
    },
    importEvents: published,
    importBatchSize: batchSize,
  };
  const doc = DynamoDBDocumentClient.from(world.client);
  /** Every item of one entity in the table. */
  const items = async (entity: string) => {
    const out: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new ScanCommand({
          TableName: world.tableName,
          FilterExpression: 'entity = :e',
          ExpressionAttributeValues: { ':e': entity },
          ConsistentRead: true,
          ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
        }),
      );
      out.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return out;
  };
  /** Uploads `bytes` and runs the import to its end, as the runner would. */
  const runWhole = async (bytes: Buffer, dryRun = false) => {
    const record = await startImport(
      { bytes, fileName: 'legacy.csv', contentType: 'text/csv', dryRun, options: {} },
      admin,
      importing,
    );
    await runImport(record.id, 'check', importing);
    return (await importing.imports.get(record.id))!;
  };
  return { ...world, importing, started, published, items, runWhole };
}

describe('Importing tickets (DynamoDB Local)', () => {
  it('keeps a closed historical ticket as it was: original times and status, no timer, no mail, the legacy number searchable', async () => {
    // Prepare
    const world = await importWorld();
    const csv = Buffer.from(
      stringify([
        header,
        [
          'HD-2024-0007',
          '发票抬头错误',
          'closed',
          'high',
          'li@example.com',
          '2024-05-06T01:02:03Z',
          '2024-05-07T08:00:00Z',
          '2024-05-09T08:00:00Z',
        ],
        ['HD-2024-0008', '网络断线', 'open', 'normal', 'wu@example.com', '2026-11-20T07:00:00Z', '', ''],
      ]),
    );

    // Act
    const record = await world.runWhole(csv);
    await world.drain();

    // Assess
    expect(record).toMatchObject({
      status: 'completed',
      total: 2,
      processed: 2,
      created: 2,
      skipped: 0,
      errorCount: 0,
    });
    const closed = (await world.deps.tickets.getByExternalRef('HD-2024-0007'))!;
    expect(closed).toMatchObject({
      status: 'closed',
      priority: 'high',
      channel: 'import',
      externalRef: 'HD-2024-0007',
      createdAt: '2024-05-06T01:02:03.000Z',
      resolvedAt: '2024-05-07T08:00:00.000Z',
      closedAt: '2024-05-09T08:00:00.000Z',
      updatedAt: '2024-05-09T08:00:00.000Z',
    });
    const history = await world.deps.tickets.history(closed.id);
    expect(history.map((e) => [e.type, e.at, e.data.status])).toEqual([
      ['imported', '2024-05-06T01:02:03.000Z', 'closed'],
    ]);
    const open = (await world.deps.tickets.getByExternalRef('HD-2024-0008'))!;
    // The open one is timed as usual; the closed one starts no timer, and nobody is mailed about either.
    expect(world.timers.inputs.map((i) => i.ticketId)).toEqual([open.id]);
    expect((world.notifier as unknown as { sent: unknown[] }).sent).toEqual([]);
    expect(
      world.events.events.filter((e) => e.name === 'ticket.created').map((e) => e.detail.ticketId),
    ).toEqual([open.id]);
    expect(closed.sla.timerVersion ?? null).toBeNull();
    const found = await listTickets({ q: 'HD-2024-0007', limit: 20 } as never, admin, world.deps);
    expect(found.items.map((t) => t.id)).toEqual([closed.id]);
    const byWord = await listTickets({ q: 'hd-2024-0007 发票', limit: 20 } as never, admin, world.deps);
    expect(byWord.items.map((t) => t.id)).toEqual([closed.id]);
    expect(world.published.events.map((e) => [e.name, e.detail])).toEqual([
      ['import.completed', expect.objectContaining({ importId: record.id, created: 2, skipped: 0 })],
    ]);
  });

  // Two whole commits of 150 rows each: seconds on a quiet machine, up to ten times that when the
  // suite's other files share DynamoDB Local and the two cores (seen in CI).
  it('creates nothing the second time the same file is imported', async () => {
    // Prepare
    const world = await importWorld(50);
    const csv = historicalCsv(120);
    const first = await world.runWhole(csv);

    // Act
    const second = await world.runWhole(csv);

    // Assess
    expect(first).toMatchObject({ status: 'completed', total: 120, created: 120, skipped: 0 });
    expect(second).toMatchObject({ status: 'completed', total: 120, created: 0, skipped: 120 });
    expect(await world.items('ticket')).toHaveLength(120);
    expect(await world.items('ticketref')).toHaveLength(120);
  }, 120_000);

  it('resumes a commit killed midway from its checkpoint, with no duplicate', async () => {
    // Prepare: the process "dies" in the middle of the third chunk (chunks of 50 rows): its first 20
    // tickets are written, then the write of the rest never happens.
    const world = await importWorld(50);
    const csv = historicalCsv(230, 'CRASH');
    const record = await startImport(
      { bytes: csv, fileName: 'legacy.csv', contentType: 'text/csv', dryRun: false, options: {} },
      admin,
      world.importing,
    );
    const store = world.importing.tickets;
    const killed = new AbortController();
    let batches = 0;
    const dying: ImportDeps = {
      ...world.importing,
      tickets: {
        ...store,
        async createMany(writes) {
          if (++batches < 3) return store.createMany(writes);
          await store.createMany(writes.slice(0, 20));
          killed.abort();
          throw new Error('killed');
        },
      },
    };
    await runImport(record.id, 'check', dying, killed.signal);
    const halfway = (await world.importing.imports.get(record.id))!;

    // Act: the next start picks it up, as the local runner's resume does.
    let resumedWrites = 0;
    const resumedDeps: ImportDeps = {
      ...world.importing,
      tickets: {
        ...store,
        async createMany(writes) {
          resumedWrites += writes.length;
          return store.createMany(writes);
        },
      },
    };
    await runImport(record.id, 'commit', resumedDeps);

    // Assess
    expect(halfway).toMatchObject({ status: 'committing', checkpoint: 101, processed: 100, created: 100 });
    expect(halfway.doneChunks).toEqual([0, 1]);
    const done = (await world.importing.imports.get(record.id))!;
    expect(done).toMatchObject({ status: 'completed', total: 230, processed: 230, created: 230, skipped: 0 });
    // The two committed chunks were passed over; the third was written again (its first rows are skips).
    expect(resumedWrites).toBe(130);
    const refs = (await world.items('ticket')).map((t) => t.externalRef);
    expect(refs).toHaveLength(230);
    expect(new Set(refs).size).toBe(230);
  }, 120_000);

  it('replays a chunk without counting it twice', async () => {
    // Prepare
    const world = await importWorld(10);
    const record = await startImport(
      {
        bytes: historicalCsv(10, 'REPLAY'),
        fileName: 'legacy.csv',
        contentType: 'text/csv',
        dryRun: true,
        options: {},
      },
      admin,
      world.importing,
    );
    const rows = Array.from({ length: 3 }, (_, i) => ({
      row: i + 2,
      values: {
        externalId: `REPLAY-${i + 1}`,
        subject: 'x',
        priority: 'normal' as const,
        status: 'closed' as const,
        channel: 'import' as const,
        customer: { tier: 'standard' as const, email: `r${i}@example.com` },
        createdAt: '2024-01-01T00:00:00.000Z',
      },
    }));
    const chunk = { importId: record.id, index: 0, rowCount: 3, lastRow: 4, rows };

    // Act
    await commitImportChunk(chunk, world.importing);
    await commitImportChunk(chunk, world.importing);

    // Assess
    expect(await world.importing.imports.get(record.id)).toMatchObject({
      created: 3,
      processed: 3,
      checkpoint: 4,
    });
    expect(await world.items('ticket')).toHaveLength(3);
  });

  it('writes a chunk of historical tickets in a handful of DynamoDB calls: one for the numbers, one transaction per 20 tickets', async () => {
    // Prepare
    const world = await importWorld(40);
    const record = await startImport(
      {
        bytes: historicalCsv(40, 'CALLS'),
        fileName: 'legacy.csv',
        contentType: 'text/csv',
        dryRun: true,
        options: {},
      },
      admin,
      world.importing,
    );
    const rows = Array.from({ length: 40 }, (_, i) => ({
      row: i + 2,
      values: {
        externalId: `CALLS-${i + 1}`,
        subject: '旧工单',
        priority: 'normal' as const,
        status: 'closed' as const,
        channel: 'import' as const,
        customer: { tier: 'standard' as const, email: `k${i}@example.com` },
        createdAt: '2024-01-01T00:00:00.000Z',
        closedAt: '2024-01-02T00:00:00.000Z',
      },
    }));
    // The SLA configuration is read once per container (cached): as in a warm function.
    await world.deps.sla.config.load();
    const calls: string[] = [];
    world.client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = String((context as { commandName?: string }).commandName ?? '').replace(/Command$/, '');
        const items = (args.input as { TransactItems?: unknown[] }).TransactItems;
        calls.push(items ? `${name}(${items.length})` : name);
        return next(args);
      },
      { step: 'initialize', name: 'countImportCalls' },
    );

    // Act
    await commitImportChunk(
      { importId: record.id, index: 0, rowCount: 40, lastRow: 41, rows },
      world.importing,
    );

    // Assess: 40 tickets × 5 items (ticket, number, `imported`, outbox record, legacy-number key).
    expect(calls.sort()).toEqual([
      'TransactWriteItems(100)',
      'TransactWriteItems(100)',
      'UpdateItem',
      'UpdateItem',
    ]);
    expect(await world.items('ticket')).toHaveLength(40);
  });

  it('checks without writing tickets, keeps every issue for errors.csv and refuses a second commit while one runs', async () => {
    // Prepare
    const world = await importWorld();
    const csv = Buffer.from(
      stringify([
        header,
        [
          'A-1',
          'ok',
          'closed',
          'normal',
          'a@example.com',
          '2024-01-01T00:00:00Z',
          '',
          '2024-01-02T00:00:00Z',
        ],
        ['A-2', 'bad priority', 'closed', 'Hign', 'b@example.com', '2024-01-01T00:00:00Z', '', ''],
        ['A-3', 'bad mail', 'closed', 'normal', 'not-an-address', '2024-01-01T00:00:00Z', '', ''],
      ]),
    );

    // Act
    const checked = await world.runWhole(csv, true);
    const issues = [];
    for await (const issue of importIssues(checked, world.importing)) issues.push(issue);
    await rerunImport(checked.id, 'commit', { options: { applySuggestions: true } }, world.importing);
    const again = expect(
      rerunImport(checked.id, 'commit', { options: {} }, world.importing),
    ).rejects.toMatchObject({
      code: 'IMPORT.BUSY',
    });

    // Assess
    expect(checked).toMatchObject({ status: 'checked', total: 3, processed: 3, created: 0 });
    expect(checked.errors.map((i) => [i.row, i.code])).toEqual([
      [3, 'ENUM_UNKNOWN'],
      [4, 'EMAIL_INVALID'],
    ]);
    expect(issues.map((i) => [i.row, i.code])).toEqual([
      [3, 'ENUM_UNKNOWN'],
      [4, 'EMAIL_INVALID'],
    ]);
    expect(await world.items('ticket')).toHaveLength(0);
    await again;
    expect(world.started).toEqual([`${checked.id}:check`, `${checked.id}:commit`]);
  });
});
