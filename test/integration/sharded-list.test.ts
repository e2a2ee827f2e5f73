import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoTicketStore, ticketItem } from '#shared/adapters/dynamo/dynamo-ticket-store.ts';
import { DomainError } from '#shared/domain/errors.ts';
import type { Status } from '#shared/domain/ticket/lifecycle.ts';
import type { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import type { PageRequest, TicketFilter } from '#shared/domain/ticket/ticket.store.ts';
import { createTicket } from '#shared/use-cases/create-ticket.ts';
import { ListQuery } from '#shared/use-cases/read-tickets.ts';
import { agent, freshTable, freshTicketDeps } from '../support/ticket-fixtures.ts';

const statuses: Status[] = ['new', 'open', 'pending', 'resolved', 'closed'];
const priorities = ['low', 'normal', 'high', 'urgent'] as const;
const base = Date.parse('2026-11-01T00:00:00Z');

/** A realistic ticket (made by the create use case once) to clone: what the store itself writes. */
async function templateTicket(): Promise<Ticket> {
  const { deps } = await freshTicketDeps();
  const { ticket } = await createTicket(
    {
      subject: '打印机卡纸',
      description: '二楼打印机一直卡纸',
      priority: 'normal',
      tags: [],
      customFields: {},
      customer: { email: 'zhou@example.com', name: '周先生', tier: 'standard' },
    },
    agent,
    deps,
  );
  return ticket;
}

/**
 * `count` tickets over every status and priority. Creation times repeat (every third ticket shares its
 * second with the one before), so the order must break ties by id as the index does.
 */
function tickets(template: Ticket, count: number, prefix: string): Ticket[] {
  return Array.from({ length: count }, (_, i) => {
    const status = statuses[(i * 7) % statuses.length]!;
    const createdAt = new Date(base + Math.floor(i - (i % 3 === 2 ? 1 : 0)) * 60_000).toISOString();
    const active = status === 'new' || status === 'open' || status === 'pending';
    const due = new Date(base + ((i * 37) % count) * 3_600_000 + 86_400_000).toISOString();
    return {
      ...template,
      id: `${prefix}${String(i).padStart(26 - prefix.length, '0')}`, // as long as a ULID
      number: `GD-${String(100000 + i).padStart(6, '0')}`,
      subject: `工单 ${i}`,
      status,
      priority: priorities[i % priorities.length]!,
      createdAt,
      updatedAt: createdAt,
      sla: {
        ...template.sla,
        resolutionDueAt: active ? due : null,
        paused: status === 'pending' && i % 2 === 0,
        timerVersion: active ? 1 : null,
      },
    };
  });
}

async function writeItems(doc: DynamoDBDocumentClient, tableName: string, items: Record<string, unknown>[]) {
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length) {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  }
}

/** A table holding `list`, and a store over a client that counts the items each request evaluated. */
async function worldOf(list: Ticket[], toItem: (t: Ticket) => Record<string, unknown> = ticketItem) {
  const { client, tableName } = await freshTable();
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  await writeItems(doc, tableName, list.map(toItem));
  const reads = { scanned: 0, queries: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'QueryCommand') {
        reads.queries++;
        reads.scanned += Number((result.output as { ScannedCount?: number }).ScannedCount ?? 0);
      }
      return result;
    },
    { step: 'initialize', name: 'countScanned' },
  );
  return { client, tableName, doc, reads, store: dynamoTicketStore(client, tableName) };
}

/** Every page of a list, following cursors; each page's items and how many items it evaluated. */
async function allPages(
  world: Awaited<ReturnType<typeof worldOf>>,
  filter: TicketFilter,
  page: PageRequest,
  maxPages = 500,
) {
  const pages: { ids: string[]; scanned: number; cursor?: string }[] = [];
  let cursor: string | undefined;
  do {
    const before = world.reads.scanned;
    const result = await world.store.list(filter, { ...page, ...(cursor ? { cursor } : {}) });
    cursor = result.cursor;
    pages.push({
      ids: result.items.map((t) => t.id),
      scanned: world.reads.scanned - before,
      ...(cursor ? { cursor } : {}),
    });
  } while (cursor && pages.length < maxPages);
  return pages;
}

const newestFirst = (a: Ticket, b: Ticket) =>
  a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1;

const errorOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
};

describe('Sharded hot indexes (against DynamoDB Local)', () => {
  let template: Ticket;
  let set: Ticket[];
  let world: Awaited<ReturnType<typeof worldOf>>;
  beforeAll(async () => {
    template = await templateTicket();
    set = tickets(template, 400, '01KSHARD');
    world = await worldOf(set);
  });

  describe('ticketItem()', () => {
    it('spreads byCreated, byStatus and byDue over every shard, a ticket always on the same one', async () => {
      // Prepare
      const indexShards = 8;
      // Act
      const items = set.map(ticketItem);
      // Assess
      const all = new Map<string, number>();
      for (const item of items) all.set(String(item.gsAll), (all.get(String(item.gsAll)) ?? 0) + 1);
      expect([...all.keys()].sort()).toEqual(
        Array.from({ length: indexShards }, (_, s) => `TICKETS#${s}`).sort(),
      );
      for (const count of all.values()) expect(count).toBeGreaterThan(400 / indexShards / 2);
      for (const [i, item] of items.entries()) {
        const shard = String(item.gsAll).split('#')[1];
        expect(item.gsStatus).toBe(`STATUS#${set[i]!.status}#${shard}`);
        if (item.gsDue) expect(item.gsDue).toBe(`DUE#${shard}`);
        expect(ticketItem({ ...set[i]!, status: 'closed' }).gsAll).toBe(item.gsAll);
      }
      expect(new Set(items.map((i) => i.gsDue).filter(Boolean)).size).toBe(indexShards);
    });
  });

  describe('list()', () => {
    it('lists every ticket newest first, exactly in the unsharded order, each once across cursor pages', async () => {
      for (const limit of [25, 7, 100]) {
        // Act
        const pages = await allPages(world, {}, { limit });
        // Assess
        expect(pages.flatMap((p) => p.ids)).toEqual([...set].sort(newestFirst).map((t) => t.id));
        expect(pages.slice(0, -1).every((p) => p.ids.length === limit)).toBe(true);
      }
    });

    it('lists oldest first, and one status or the active ones, in the unsharded order', async () => {
      const oldest = await allPages(world, {}, { limit: 30, order: 'oldest' });
      expect(oldest.flatMap((p) => p.ids)).toEqual(
        [...set]
          .sort(newestFirst)
          .reverse()
          .map((t) => t.id),
      );
      for (const status of statuses) {
        const pages = await allPages(world, { status }, { limit: 20 });
        expect(pages.flatMap((p) => p.ids)).toEqual(
          set
            .filter((t) => t.status === status)
            .sort(newestFirst)
            .map((t) => t.id),
        );
      }
      const active = await allPages(world, { active: true, priority: 'urgent' }, { limit: 10 });
      // 24 lanes (3 statuses × 8 shards): every position still fits the API's cursor parameter.
      for (const page of active) if (page.cursor) ListQuery.parse({ cursor: page.cursor });
      expect(active.flatMap((p) => p.ids)).toEqual(
        set
          .filter((t) => ['new', 'open', 'pending'].includes(t.status) && t.priority === 'urgent')
          .sort(newestFirst)
          .map((t) => t.id),
      );
    });

    it('refuses a tampered or foreign cursor as invalid input on the cursor field (a 400)', async () => {
      // Prepare
      const first = await world.store.list({}, { limit: 10 });
      const key = JSON.parse(Buffer.from(first.cursor!, 'base64url').toString('utf8'));
      const lanes = key.s as unknown[];
      expect(lanes).toHaveLength(8);
      const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const tampered = [
        'nonsense',
        encode(null),
        encode({ ...key, q: 'deadbeef' }),
        encode({ ...key, s: lanes.slice(1) }),
        encode({ ...key, s: lanes.map(() => 'somewhere') }),
        encode({ ...key, s: lanes.map(() => ({ pk: 'TICKET#x', sk: 'TICKET' })) }),
        encode({ ...key, s: lanes.map(() => 2) }),
      ];
      for (const cursor of tampered) {
        // Act
        const error = await errorOf(world.store.list({}, { limit: 10, cursor }));
        // Assess
        expect(error).toMatchObject({
          kind: 'invalid',
          details: { fields: [expect.objectContaining({ path: 'cursor' })] },
        });
      }
      // A cursor of one query does not continue another.
      const error = await errorOf(world.store.list({ status: 'open' }, { limit: 10, cursor: first.cursor! }));
      expect(error.kind).toBe('invalid');
    });
  });

  describe('listDueTickets()', () => {
    it('reads the running SLAs due by an instant across the shards, in due order, paged', async () => {
      // Prepare
      const before = new Date(base + 200 * 3_600_000).toISOString();
      const expected = set
        .filter((t) => ['new', 'open', 'pending'].includes(t.status) && !t.sla.paused)
        .filter((t) => t.sla.resolutionDueAt! <= before)
        .sort((a, b) =>
          a.sla.resolutionDueAt === b.sla.resolutionDueAt
            ? a.id.localeCompare(b.id)
            : a.sla.resolutionDueAt! < b.sla.resolutionDueAt!
              ? -1
              : 1,
        );
      expect(expected.length).toBeGreaterThan(20);
      // Act
      const seen: { id: string; version: number; resolutionDueAt: string; timerVersion: number | null }[] =
        [];
      let cursor: string | undefined;
      do {
        const page = await world.store.listDueTickets({ before, budget: 15, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(15);
        seen.push(...page.items);
        cursor = page.cursor;
      } while (cursor);
      // Assess
      expect(seen.map((t) => t.id)).toEqual(expected.map((t) => t.id));
      // A budget below the shard count still moves on every call (each shard reads at least one).
      const small: string[] = [];
      let pages = 0;
      cursor = undefined;
      do {
        const page = await world.store.listDueTickets({ before, budget: 3, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(3);
        small.push(...page.items.map((t) => t.id));
        cursor = page.cursor;
      } while (cursor && ++pages < 1000);
      expect(small).toEqual(expected.map((t) => t.id));
      expect(seen[0]).toEqual({
        id: expected[0]!.id,
        number: expected[0]!.number,
        status: expected[0]!.status,
        version: expected[0]!.version,
        resolutionDueAt: expected[0]!.sla.resolutionDueAt,
        timerVersion: 1,
      });
    });
  });

  describe('the read budget', () => {
    let big: Awaited<ReturnType<typeof worldOf>>;
    beforeAll(async () => {
      big = await worldOf(tickets(template, 3000, '01KBUDGET'));
    });

    it('answers a search matching nothing in 3,000 tickets with an empty page and a cursor, reading at most 1,000', async () => {
      // Act
      const pages = await allPages(big, { words: ['不存在的词'] }, { limit: 25 });
      // Assess
      expect(pages.length).toBeGreaterThanOrEqual(3);
      expect(pages[0]).toMatchObject({ ids: [], cursor: expect.any(String) });
      for (const page of pages) {
        expect(page.ids).toEqual([]);
        expect(page.scanned).toBeLessThanOrEqual(1000);
      }
      expect(pages.reduce((n, p) => n + p.scanned, 0)).toBe(3000);
    });

    it('bounds a search within one status, and a rare match still comes back in order, once', async () => {
      const rare = await allPages(
        big,
        { status: 'open', priority: 'urgent', channel: 'phone' },
        { limit: 25 },
      );
      expect(rare.flatMap((p) => p.ids)).toEqual([]);
      for (const page of rare) expect(page.scanned).toBeLessThanOrEqual(1000);
      const some = await allPages(big, { words: ['工单 29'] }, { limit: 5 });
      for (const page of some) expect(page.scanned).toBeLessThanOrEqual(1000);
      const ids = some.flatMap((p) => p.ids);
      expect(ids.length).toBe(111); // 工单 29, 290–299, 2900–2999
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('bounds a due-ordered list with a filter matching nothing', async () => {
      const before = big.reads.scanned;
      const page = await big.store.list({ words: ['不存在的词'] }, { limit: 25, order: 'due' });
      expect(page.items).toEqual([]);
      expect(big.reads.scanned - before).toBeLessThanOrEqual(2000);
    });
  });

  describe('migrateIndexes()', () => {
    it('rewrites tickets stored with the unsharded keys, resumably, and changes nothing when run again', async () => {
      // Prepare: items as the code before sharding wrote them, and a non-ticket item that must stay.
      const old = tickets(template, 120, '01KOLDKEY');
      const legacy = await worldOf(old, (t) => {
        const item = ticketItem(t);
        return {
          ...item,
          gsAll: 'TICKETS',
          gsStatus: `STATUS#${t.status}`,
          ...(item.gsDue ? { gsDue: 'DUE' } : {}),
        };
      });
      await legacy.doc.send(
        new BatchWriteCommand({
          RequestItems: {
            [legacy.tableName]: [
              { PutRequest: { Item: { pk: 'TICKET#x', sk: 'OUTBOX#1', entity: 'outbox', gsDue: 'OUTBOX' } } },
            ],
          },
        }),
      );
      const before = await legacy.store.list({}, { limit: 100 });
      expect(before.items.length).toBeLessThan(old.length);

      // Act: one page at a time, as if interrupted after the first.
      const { indexMigrationKey, migrateIndexes } = await import('#shared/adapters/dynamo/index-backfill.ts');
      const first = await migrateIndexes(legacy.client, legacy.tableName, { pageSize: 50, maxPages: 1 });
      expect(first.done).toBe(false);
      const rest = await migrateIndexes(legacy.client, legacy.tableName, { pageSize: 50 });
      const again = await migrateIndexes(legacy.client, legacy.tableName, { pageSize: 50, force: true });

      // Assess
      expect(rest.done).toBe(true);
      expect(first.updated + rest.updated).toBe(old.length);
      expect(again).toMatchObject({ done: true, updated: 0 });
      const { Items = [] } = await legacy.doc.send(new ScanCommand({ TableName: legacy.tableName }));
      const hot = (item: Record<string, unknown>) =>
        ['gsAll', 'gsStatus', 'gsDue', 'gsDueAt'].map((k) => item[k]);
      for (const item of Items.filter((i) => i.entity === 'ticket')) {
        expect(hot(item)).toEqual(hot(ticketItem(old.find((t) => t.id === item.id)!)));
      }
      expect(Items.find((i) => i.entity === 'outbox')?.gsDue).toBe('OUTBOX');
      const pages = await allPages(legacy, {}, { limit: 50 });
      expect(pages.flatMap((p) => p.ids)).toEqual([...old].sort(newestFirst).map((t) => t.id));
      const marker = await legacy.doc.send(
        new GetCommand({ TableName: legacy.tableName, Key: indexMigrationKey, ConsistentRead: true }),
      );
      expect(marker.Item).toMatchObject({ status: 'done' });
    });
  });
});
