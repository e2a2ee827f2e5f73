/**
 * Ticket export (docs/export.md) on DynamoDB Local: `node --import tsx bench/export.ts [tickets=100000]`.
 *
 * Writes `tickets` tickets straight into the table (batch writes, as the store lays them out), then
 * exports them all — the same use case and writers `GET /tickets/export` and `POST /exports` run, paging
 * through the list 100 at a time — once as CSV and once as XLSX, each in its own process so one's memory
 * does not colour the other's, and prints rows/s, the file size and the peak RSS (sampled every 20 ms).
 * The file goes to a counting sink: the figures are the export's, not a disk's.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoTicketStore, ticketItem } from '#shared/adapters/dynamo/dynamo-ticket-store.ts';
import { ticketTable } from '#shared/adapters/dynamo/table-design.ts';
import { ulidGenerator } from '#shared/adapters/ids.ts';
import type { Status } from '#shared/domain/ticket/lifecycle.ts';
import { openTicket, type Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import type { TicketDeps } from '#shared/use-cases/deps.ts';
import { type ExportFormat, exportFile, exportTickets } from '#shared/use-cases/export-tickets.ts';
import { ensureTable, localAwsConfig, startDynamoDbLocal } from '../infra/local/dynamodb-local.ts';

const statuses: Status[] = ['new', 'open', 'pending', 'resolved', 'closed'];
const priorities = ['low', 'normal', 'high', 'urgent'] as const;
const channels = ['web', 'email', 'api', 'phone'] as const;
const start = Date.parse('2026-01-01T00:00:00Z');

function ticketOf(i: number, ids: ReturnType<typeof ulidGenerator>): Ticket {
  const created = new Date(start + i * 60_000);
  const ticket = openTicket(
    {
      subject: i % 50 === 0 ? `=HYPERLINK("http://x") 工单 ${i}` : `工单 ${i}：打印机卡纸，二楼`,
      description: '二楼打印机一直卡纸，已重启仍然无效。'.repeat(4),
      priority: priorities[i % priorities.length]!,
      tags: [],
      customFields: {},
      customer: {
        email: `c${i % 5000}@example.com`,
        name: `客户 ${i % 5000}`,
        phone: `+86 138 ${String(i % 10000).padStart(4, '0')} 0000`,
        tier: 'standard',
      },
    },
    { id: ids.next(), number: 100000 + i },
    { id: 'u-bench', roles: ['agent'], channel: channels[i % channels.length]! },
    created,
  );
  return { ...ticket, status: statuses[(i * 7) % statuses.length]!, externalRef: `OLD-${i}` };
}

/** Child mode: export every ticket of the table once in `format`, print one line of figures. */
async function runExport(endpoint: string, tableName: string, format: ExportFormat) {
  const client = new DynamoDBClient(localAwsConfig(endpoint));
  const deps = { tickets: dynamoTicketStore(client, tableName) } as unknown as TicketDeps;
  const admin = { id: 'u-bench', roles: ['admin'] as const, channel: 'web' as const };
  let peak = process.memoryUsage().rss;
  const baseline = peak;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const counter = { rows: 0 };
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done();
    },
  });
  const t0 = performance.now();
  await pipeline(
    exportFile(exportTickets({ format, locale: 'zh' }, admin as never, deps), format, 'zh', counter),
    sink,
  );
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  console.log(
    `${format.padEnd(5)} ${String(counter.rows).padStart(7)} rows  ${seconds.toFixed(1).padStart(6)} s  ${Math.round(
      counter.rows / seconds,
    )
      .toString()
      .padStart(
        6,
      )} rows/s  file ${mb(bytes).padStart(6)} MB  peak RSS ${mb(peak)} MB (at start ${mb(baseline)} MB)`,
  );
}

if (process.argv[2] === '--child') {
  await runExport(process.argv[3]!, process.argv[4]!, process.argv[5] as ExportFormat);
} else {
  const ticketCount = Number(process.argv[2] ?? 100_000);
  const ddb = await startDynamoDbLocal();
  try {
    const client = new DynamoDBClient(localAwsConfig(ddb.endpoint));
    const tableName = `bench-${randomUUID()}`;
    await ensureTable(client, ticketTable, tableName);
    const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    const ids = ulidGenerator();
    const writing = Date.now();
    // Four batch writers at a time: DynamoDB Local takes them in parallel.
    const writeBatch = async (from: number) => {
      let requests = Array.from({ length: Math.min(25, ticketCount - from) }, (_, k) => ({
        PutRequest: { Item: ticketItem(ticketOf(from + k, ids)) },
      }));
      while (requests.length) {
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
      }
    };
    for (let i = 0; i < ticketCount; i += 100) {
      await Promise.all([0, 25, 50, 75].filter((k) => i + k < ticketCount).map((k) => writeBatch(i + k)));
    }
    console.log(`${ticketCount} tickets written in ${((Date.now() - writing) / 1000).toFixed(1)} s`);
    for (const format of ['csv', 'xlsx'] as const) {
      const result = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'bench/export.ts', '--child', ddb.endpoint, tableName, format],
        { stdio: 'inherit' },
      );
      if (result.status !== 0) process.exitCode = 1;
    }
  } finally {
    await ddb.stop();
  }
}
