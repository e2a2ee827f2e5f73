/**
 * Ticket lists over the sharded indexes on DynamoDB Local:
 * `node --import tsx bench/list-tickets.ts [tickets=3000] [runs=40]`.
 *
 * Writes `tickets` tickets (as the store writes them: five statuses, four priorities, running SLAs),
 * then times each list shape `runs` times and prints p50/p95 latency, the items returned and the items
 * DynamoDB evaluated per call:
 *
 * - all tickets, newest first, a page of 25 (8 shards merged) and the 10th page by cursor;
 * - one status; the active ones (3 statuses × 8 shards);
 * - a search matching nothing (the read budget: an empty page and a cursor after ≤ 1,000 items);
 * - a filter matching a quarter (priority urgent) over all tickets;
 * - `sort=due` over the active tickets;
 * - `listDueTickets` (the SLA reconciler's read of the due index), a page of 500.
 *
 * DynamoDB Local runs on this machine, so the figures show the fan-out's overhead and the budget's
 * bound, not AWS latency (add a few ms per DynamoDB round trip there).
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoTicketStore, ticketItem } from '#shared/adapters/dynamo/dynamo-ticket-store.ts';
import { ticketTable } from '#shared/adapters/dynamo/table-design.ts';
import { ulidGenerator } from '#shared/adapters/ids.ts';
import type { Status } from '#shared/domain/ticket/lifecycle.ts';
import { openTicket, type Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import type { PageRequest, TicketFilter } from '#shared/domain/ticket/ticket.store.ts';
import { ensureTable, localAwsConfig, startDynamoDbLocal } from '../infra/local/dynamodb-local.ts';

const ticketCount = Number(process.argv[2] ?? 3000);
const runs = Number(process.argv[3] ?? 40);
const statuses: Status[] = ['new', 'open', 'pending', 'resolved', 'closed'];
const priorities = ['low', 'normal', 'high', 'urgent'] as const;
const channels = ['web', 'email', 'api', 'phone'] as const;
const start = Date.parse('2026-11-01T00:00:00Z');

function ticketsOf(count: number): Ticket[] {
  const ids = ulidGenerator();
  return Array.from({ length: count }, (_, i) => {
    const created = new Date(start + i * 60_000);
    const status = statuses[(i * 7) % statuses.length]!;
    const active = status === 'new' || status === 'open' || status === 'pending';
    const ticket = openTicket(
      {
        subject: `工单 ${i}：打印机卡纸`,
        description: '二楼打印机一直卡纸，已重启仍然无效。'.repeat(8),
        priority: priorities[i % priorities.length]!,
        tags: [],
        customFields: {},
        customer: { email: `c${i % 500}@example.com`, name: `客户 ${i % 500}`, tier: 'standard' },
      },
      { id: ids.next(), number: 100000 + i },
      { id: 'u-bench', roles: ['agent'], channel: channels[i % channels.length]! },
      created,
    );
    return {
      ...ticket,
      status,
      sla: {
        ...ticket.sla,
        resolutionDueAt: active ? new Date(created.getTime() + 9 * 3_600_000).toISOString() : null,
        timerVersion: active ? 1 : null,
      },
    };
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const ddb = await startDynamoDbLocal();
try {
  const client = new DynamoDBClient(localAwsConfig(ddb.endpoint));
  let scanned = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'QueryCommand')
        scanned += Number((result.output as { ScannedCount?: number }).ScannedCount ?? 0);
      return result;
    },
    { step: 'initialize', name: 'countScanned' },
  );
  const tableName = `bench-${randomUUID()}`;
  await ensureTable(client, ticketTable, tableName);
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const items = ticketsOf(ticketCount).map(ticketItem);
  const writing = Date.now();
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length) {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  }
  console.log(`${ticketCount} tickets written in ${Date.now() - writing} ms; ${runs} runs per shape`);
  const store = dynamoTicketStore(client, tableName);
  const tenthPage = async (filter: TicketFilter, page: PageRequest) => {
    let cursor: string | undefined;
    for (let i = 0; i < 9; i++) cursor = (await store.list(filter, { ...page, cursor })).cursor;
    return cursor;
  };
  const cursor10 = await tenthPage({}, { limit: 25 });

  const shapes: [string, () => Promise<{ items: unknown[] }>][] = [
    ['all, newest first, 25', () => store.list({}, { limit: 25 })],
    [
      'all, 10th page by cursor',
      () => store.list({}, { limit: 25, ...(cursor10 ? { cursor: cursor10 } : {}) }),
    ],
    ['status=open, 25', () => store.list({ status: 'open' }, { limit: 25 })],
    ['active, 25', () => store.list({ active: true }, { limit: 25 })],
    ['search matching nothing', () => store.list({ words: ['不存在的词'] }, { limit: 25 })],
    ['all, filter priority=urgent', () => store.list({ priority: 'urgent' }, { limit: 25 })],
    ['active, sort=due, 25', () => store.list({ active: true }, { limit: 25, order: 'due' })],
    [
      'listDueTickets, 500',
      () =>
        store.listDueTickets({ before: new Date(start + ticketCount * 60_000).toISOString(), budget: 500 }),
    ],
  ];
  console.log('shape                          p50 ms  p95 ms  items  evaluated');
  for (const [name, run] of shapes) {
    const times: number[] = [];
    let returned = 0;
    let evaluated = 0;
    for (let i = 0; i < runs; i++) {
      const before = scanned;
      const t0 = performance.now();
      const page = await run();
      times.push(performance.now() - t0);
      returned = page.items.length;
      evaluated = scanned - before;
    }
    times.sort((a, b) => a - b);
    console.log(
      `${name.padEnd(30)} ${percentile(times, 50).toFixed(1).padStart(6)}  ${percentile(times, 95)
        .toFixed(1)
        .padStart(6)}  ${String(returned).padStart(5)}  ${String(evaluated).padStart(9)}`,
    );
  }
} finally {
  await ddb.stop();
}
