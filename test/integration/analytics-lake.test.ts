import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonlLakeSink } from '#shared/adapters/analytics/jsonl-lake-sink.ts';
import type { Actor } from '#shared/domain/actor.ts';
import type { LakeSink, TicketEventRow, TicketFactRow } from '#shared/domain/analytics/lake-records.ts';
import { addReply } from '#shared/use-cases/add-reply.ts';
import { createTicket } from '#shared/use-cases/create-ticket.ts';
import { transitionTicket } from '#shared/use-cases/transition-ticket.ts';
import { freshTicketDeps } from '../support/ticket-fixtures.ts';

/**
 * The analytics reaction on DynamoDB Local with the real use cases: a ticket created, answered, noted and
 * resolved leaves its fact rows and event rows in the lake files, as the local runtime writes them.
 */
const start = new Date('2026-12-07T02:00:00Z'); // Monday 10:00 in Beijing
const staff: Actor = { id: 'u-agent-li', name: '李娜', roles: ['agent'], channel: 'web' };

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Every row of a table in the lake directory, with its partition. */
async function rowsIn<T>(dir: string, table: string): Promise<(T & { dt: string })[]> {
  const rows: (T & { dt: string })[] = [];
  const root = join(dir, table);
  for (const part of await readdir(root)) {
    for (const file of await readdir(join(root, part))) {
      const text = await readFile(join(root, part, file), 'utf8');
      for (const line of text.trim().split('\n')) {
        rows.push({ ...(JSON.parse(line) as T), dt: part.slice('dt='.length) });
      }
    }
  }
  return rows;
}

/** What the report SQL reads: the highest version per ticket, one row per event id. */
const latest = (facts: TicketFactRow[], ticketId: string) =>
  facts.filter((f) => f.ticket_id === ticketId).sort((a, b) => b.version - a.version)[0]!;
const distinct = (events: TicketEventRow[]) => [...new Map(events.map((e) => [e.event_id, e])).values()];

async function world(lake?: (dir: string) => LakeSink) {
  const dir = await mkdtemp(join(tmpdir(), 'lake-it-'));
  dirs.push(dir);
  let now = start;
  const sink = lake ? lake(dir) : jsonlLakeSink({ dir });
  const w = await freshTicketDeps(() => now, { edges: { lake: () => sink } });
  return {
    ...w,
    dir,
    advance(minutes: number) {
      now = new Date(now.getTime() + minutes * 60_000);
    },
  };
}

async function worked(w: Awaited<ReturnType<typeof world>>) {
  const { ticket } = await createTicket(
    {
      subject: '空调不制冷',
      description: '客厅空调开机后只吹风',
      priority: 'high',
      tags: [],
      customFields: {},
      team: 'field',
      customer: { email: 'wang@example.com', name: '王先生', tier: 'vip' },
    },
    staff,
    w.deps,
  );
  await w.drain();
  w.advance(30);
  await addReply(ticket.id, { body: '您好，我们已安排工程师。', public: true }, staff, undefined, w.deps);
  await w.drain();
  w.advance(5);
  await addReply(ticket.id, { body: '备件需要从仓库调拨', public: false }, staff, undefined, w.deps);
  await w.drain();
  w.advance(85);
  if ((await w.deps.tickets.get(ticket.id))?.status === 'new') {
    await transitionTicket(ticket.id, { to: 'open' }, staff, undefined, w.deps);
  }
  await w.drain();
  const resolved = await transitionTicket(
    ticket.id,
    { to: 'resolved', reason: '已更换电容', summary: '已更换启动电容，制冷恢复' },
    staff,
    undefined,
    w.deps,
  );
  await w.drain();
  return resolved.ticket;
}

describe('The analytics reaction (shared/reactions/analytics.ts)', () => {
  it('appends the fact and the events of a created, answered and resolved ticket to the lake', async () => {
    // Prepare
    const w = await world();

    // Act
    const ticket = await worked(w);

    // Assess: the ticket as it stands
    const facts = await rowsIn<TicketFactRow>(w.dir, 'ticket_facts');
    const fact = latest(facts, ticket.id);
    expect(fact).toMatchObject({
      ticket_id: ticket.id,
      number: ticket.number,
      version: ticket.version,
      status: 'resolved',
      priority: 'high',
      team: 'field',
      tier: 'vip',
      channel: 'web',
      created_day: '2026-12-07',
      created_week: '2026-W50',
      created_month: '2026-12',
      first_response_wall_s: 30 * 60,
      resolution_wall_s: 120 * 60,
      dt: '2026-12-07',
    });
    // Each change, dispatched as it committed, wrote the ticket at its version: 1 … the last
    expect([...new Set(facts.map((f) => f.version))].sort((a, b) => a - b)).toEqual(
      Array.from({ length: ticket.version }, (_, i) => i + 1),
    );

    // …and its history, one row per audit event of each change
    const events = distinct(await rowsIn<TicketEventRow>(w.dir, 'ticket_events'));
    const history = (await w.deps.tickets.history(ticket.id)).filter((e) => e.type !== 'viewed');
    expect(events.map((e) => e.event_id).sort()).toEqual(history.map((e) => e.id).sort());
    const byType = (type: string) => events.filter((e) => e.type === type);
    expect(byType('created')[0]).toMatchObject({ to_status: 'new', to_team: 'field', actor_id: staff.id });
    expect(byType('replied').map((e) => e.public)).toEqual([true]);
    expect(byType('noted').map((e) => e.public)).toEqual([false]);
    expect(byType('transitioned').at(-1)).toMatchObject({ to_status: 'resolved', actor_role: 'agent' });
  });

  it('appends the same rows again when a change is dispatched twice, which the dedupe rule absorbs', async () => {
    // Prepare
    const w = await world();
    const ticket = await worked(w);
    const before = {
      facts: await rowsIn<TicketFactRow>(w.dir, 'ticket_facts'),
      events: await rowsIn<TicketEventRow>(w.dir, 'ticket_events'),
    };

    // Act: every record of the ticket delivered again (a stream redelivery)
    const records = (await w.outboxOf(ticket.id)).map((o) => o.record);
    await w.dispatcher.dispatchAll(
      records.map((record) => ({ ref: { ticketId: record.ticketId, recordId: record.id }, record })),
    );

    // Assess
    const facts = await rowsIn<TicketFactRow>(w.dir, 'ticket_facts');
    const events = await rowsIn<TicketEventRow>(w.dir, 'ticket_events');
    expect(facts.length).toBeGreaterThan(before.facts.length);
    expect(events.length).toBe(before.events.length * 2);
    expect(latest(facts, ticket.id)).toEqual(latest(before.facts, ticket.id));
    expect(
      distinct(events)
        .map((e) => e.event_id)
        .sort(),
    ).toEqual(
      distinct(before.events)
        .map((e) => e.event_id)
        .sort(),
    );
  });

  it('is tried again when the lake refuses rows, and the rows arrive', async () => {
    // Prepare: a sink that fails its first put
    let failures = 1;
    const w = await world((dir) => {
      const files = jsonlLakeSink({ dir });
      return {
        async put(rows) {
          if (failures-- > 0) throw new Error('lake unavailable');
          await files.put(rows);
        },
      };
    });

    // Act
    const { ticket } = await createTicket(
      {
        subject: '打印机卡纸',
        description: '',
        priority: 'normal',
        tags: [],
        customFields: {},
        customer: { email: 'zhao@example.com', tier: 'standard' },
      },
      staff,
      w.deps,
    );
    await w.drain();

    // Assess
    const [stored] = await w.outboxOf(ticket.id);
    expect(stored!.reactions.analytics).toMatchObject({ status: 'done', attempts: 2 });
    const facts = await rowsIn<TicketFactRow>(w.dir, 'ticket_facts');
    expect(facts.map((f) => [f.ticket_id, f.version])).toEqual([[ticket.id, 1]]);
  });
});
