import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonlLakeSink } from '#shared/adapters/analytics/jsonl-lake-sink.ts';
import type { TicketEventRow, TicketFactRow } from '#shared/domain/analytics/lake-records.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lake-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const eventRow = (i: number, day = '2026-12-07'): TicketEventRow => ({
  event_id: `E${i}`,
  ticket_id: `T${i % 5}`,
  version: 1 + (i % 3),
  at_ms: Date.parse(`${day}T02:00:00Z`) + i,
  type: 'replied',
  actor_id: 'desk-1',
  actor_role: 'agent',
  channel: 'web',
  from_status: null,
  to_status: null,
  from_team: null,
  to_team: null,
  agent: 'desk-1',
  public: i % 2 === 0,
  dt: day,
});

const factRow = (version: number): TicketFactRow => ({
  ticket_id: 'T1',
  number: 'GD-000001',
  version,
  at_ms: Date.parse('2026-12-08T23:59:00Z'),
  created_ms: Date.parse('2026-12-08T01:00:00Z'),
  created_day: '2026-12-08',
  created_week: '2026-W50',
  created_month: '2026-12',
  status: 'open',
  priority: 'normal',
  channel: 'web',
  category: null,
  intent: null,
  team: 'desk',
  agent: null,
  tier: 'standard',
  product: '空调',
  model: null,
  region: '北京市/朝阳区',
  parent_id: null,
  first_response_ms: null,
  resolved_ms: null,
  closed_ms: null,
  first_response_wall_s: null,
  first_response_business_s: null,
  resolution_wall_s: null,
  resolution_business_s: null,
  sla_first_response: 'running',
  sla_resolution: 'running',
  csat: null,
  dt: '2026-12-08',
});

/** Every line of every file of a table, parsed, with the partition of its file. */
async function linesIn(table: string) {
  const out: { dt: string; file: string; row: Record<string, unknown> }[] = [];
  const root = join(dir, table);
  for (const part of await readdir(root).catch(() => [] as string[])) {
    for (const file of await readdir(join(root, part))) {
      const text = await readFile(join(root, part, file), 'utf8');
      expect(text.endsWith('\n'), file).toBe(true);
      for (const line of text.slice(0, -1).split('\n')) {
        out.push({ dt: part, file, row: JSON.parse(line) as Record<string, unknown> });
      }
    }
  }
  return out;
}

describe('jsonlLakeSink()', () => {
  it('writes rows as JSON lines under <table>/dt=<UTC day>/<writer>-<seq>.jsonl, without dt', async () => {
    // Prepare
    const sink = jsonlLakeSink({ dir });

    // Act
    await sink.put({ ticket_facts: [factRow(1)], ticket_events: [eventRow(1), eventRow(2, '2026-12-09')] });

    // Assess
    const facts = await linesIn('ticket_facts');
    expect(facts).toEqual([{ dt: 'dt=2026-12-08', file: 'local-0000000000.jsonl', row: expect.any(Object) }]);
    expect(facts[0]!.row).not.toHaveProperty('dt');
    expect(facts[0]!.row).toMatchObject({ ticket_id: 'T1', product: '空调', region: '北京市/朝阳区' });
    const events = await linesIn('ticket_events');
    expect(events.map((e) => [e.dt, e.row.event_id])).toEqual([
      ['dt=2026-12-07', 'E1'],
      ['dt=2026-12-09', 'E2'],
    ]);
  });

  it('shares one file among the puts that arrive while a write is under way', async () => {
    const sink = jsonlLakeSink({ dir });
    await Promise.all(Array.from({ length: 20 }, (_, i) => sink.put({ ticket_events: [eventRow(i)] })));
    const events = await linesIn('ticket_events');
    expect(events.map((e) => e.row.event_id).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `E${i}`).sort(),
    );
    // The first put is written alone; the other 19 waited and went together
    expect(new Set(events.map((e) => e.file)).size).toBe(2);
  });

  it('merges small files so a partition holds a bounded number, losing no row', async () => {
    // Prepare
    const sink = jsonlLakeSink({ dir, maxSmallFiles: 4 });

    // Act: 30 changes one after another, each its own file before merging
    for (let i = 0; i < 30; i++) await sink.put({ ticket_events: [eventRow(i)] });

    // Assess
    const files = await readdir(join(dir, 'ticket_events', 'dt=2026-12-07'));
    expect(files.length).toBeLessThanOrEqual(5);
    const ids = (await linesIn('ticket_events')).map((e) => e.row.event_id);
    expect(new Set(ids).size).toBe(30);
    expect(ids).toHaveLength(30);
  });

  it('never lets a reader see part of a line while it writes and merges', async () => {
    // Prepare
    const sink = jsonlLakeSink({ dir, maxSmallFiles: 3 });
    const partition = join(dir, 'ticket_events', 'dt=2026-12-07');
    await mkdir(partition, { recursive: true });
    let writing = true;
    let reads = 0;
    const reader = (async () => {
      while (writing) {
        for (const file of await readdir(partition)) {
          // A file merged away between listing and reading is gone: that is not a torn line
          const text = await readFile(join(partition, file), 'utf8').catch(() => null);
          if (text === null) continue;
          reads++;
          expect(text.endsWith('\n')).toBe(true);
          for (const line of text.slice(0, -1).split('\n')) JSON.parse(line);
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();

    // Act
    for (let i = 0; i < 60; i++) {
      await Promise.all([
        sink.put({ ticket_events: [eventRow(i * 2)] }),
        sink.put({ ticket_events: [eventRow(i * 2 + 1)] }),
      ]);
    }
    writing = false;
    await reader;

    // Assess
    expect(reads).toBeGreaterThan(0);
    expect(new Set((await linesIn('ticket_events')).map((e) => e.row.event_id)).size).toBe(120);
    expect(await readdir(join(dir, '.tmp'))).toEqual([]);
  });

  it('goes on numbering after a restart and clears what a killed writer left half-written', async () => {
    // Prepare: a first run's file, and a temporary file a killed run left behind
    await jsonlLakeSink({ dir }).put({ ticket_events: [eventRow(1)] });
    await writeFile(join(dir, '.tmp', 'local-999-0.tmp'), '{"event_id":"E-half');

    // Act
    await jsonlLakeSink({ dir }).put({ ticket_events: [eventRow(2)] });

    // Assess
    expect((await readdir(join(dir, 'ticket_events', 'dt=2026-12-07'))).sort()).toEqual([
      'local-0000000000.jsonl',
      'local-0000000001.jsonl',
    ]);
    expect(await readdir(join(dir, '.tmp'))).toEqual([]);
  });
});
