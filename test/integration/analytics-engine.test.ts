import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DuckdbReportEngine,
  duckdbReportEngine,
} from '../../shared/adapters/analytics/duckdb-report-engine.ts';
import { distinctEvents, dtPrune, latestFacts, sqlString } from '../../shared/domain/analytics/sql.ts';
import { generateHistory, type HistoryOptions, writeHistory } from '../support/analytics-history.ts';

const history: HistoryOptions = {
  tickets: 1500,
  days: 42,
  end: '2026-11-30',
  seed: 7,
  slowTeam: 'field',
  duplicateRate: 0.03,
};

describe('DuckDB report engine over the lake', () => {
  let dir: string;
  const engines: DuckdbReportEngine[] = [];
  const open = (lakeDir: string, format: 'jsonl' | 'parquet') => {
    const engine = duckdbReportEngine({ lakeDir, format });
    engines.push(engine);
    return engine;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gongdan-engine-'));
    await writeHistory(join(dir, 'jsonl'), { ...history, format: 'jsonl' });
    await writeHistory(join(dir, 'parquet'), { ...history, format: 'parquet' });
  });
  afterAll(async () => {
    for (const e of engines) await e.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads jsonl and parquet alike, deduplicated, with BIGINTs as numbers', async () => {
    const truthFacts = new Map<string, number>();
    const truthEvents = new Set<string>();
    let rows = 0;
    for (const t of generateHistory(history)) {
      rows += t.facts.length;
      for (const f of t.facts)
        truthFacts.set(f.ticket_id, Math.max(truthFacts.get(f.ticket_id) ?? 0, f.version));
      for (const e of t.events) truthEvents.add(e.event_id);
    }
    const sql = `WITH f AS (${latestFacts()}), e AS (${distinctEvents()})
      SELECT (SELECT count(*) FROM ticket_facts) AS raw, (SELECT count(*) FROM f) AS tickets,
             (SELECT sum(version) FROM f) AS versions, (SELECT count(*) FROM e) AS events,
             (SELECT max(created_ms) FROM f) AS latest, (SELECT min(dt) FROM f) AS first_dt`;
    const [fromJson] = await open(join(dir, 'jsonl'), 'jsonl').query(sql);
    const [fromParquet] = await open(join(dir, 'parquet'), 'parquet').query(sql);
    expect(fromJson).toEqual(fromParquet);
    expect(fromJson?.raw).toBe(rows);
    expect(fromJson?.tickets).toBe(truthFacts.size);
    expect(fromJson?.versions).toBe([...truthFacts.values()].reduce((a, b) => a + b, 0));
    expect(fromJson?.events).toBe(truthEvents.size);
    expect(typeof fromJson?.latest).toBe('number');
    expect(fromJson?.first_dt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('prunes by dt and runs the Trino macros', async () => {
    const engine = open(join(dir, 'parquet'), 'parquet');
    const [row] = await engine.query(
      `WITH f AS (${latestFacts(dtPrune('2026-11-20'))}) SELECT count(*) AS n, approx_percentile(resolution_wall_s, 0.5) AS p50 FROM f WHERE created_day >= '2026-11-20'`,
    );
    let truth = 0;
    for (const t of generateHistory(history))
      if (t.facts[0]?.created_day && t.facts[0].created_day >= '2026-11-20') truth++;
    expect(row?.n).toBe(truth);
    expect(row?.p50).toBeGreaterThan(0);
  });

  it('gives empty views over an empty or missing lake, and sees files written later', async () => {
    const lake = join(dir, 'later');
    const engine = open(lake, 'jsonl');
    expect(await engine.query('SELECT count(*) AS n FROM ticket_facts')).toEqual([{ n: 0 }]);
    await mkdir(join(lake, 'ticket_events', 'dt=2026-12-01'), { recursive: true });
    expect(await engine.query('SELECT count(*) AS n FROM ticket_events')).toEqual([{ n: 0 }]);
    const [ticket] = generateHistory({ ...history, tickets: 1, days: 1, duplicateRate: 0 });
    const event = ticket?.events[0];
    if (!event) throw new Error('no event generated');
    const { dt: _dt, ...line } = event;
    await writeFile(join(lake, 'ticket_events', 'dt=2026-12-01', 'w-1.jsonl'), `${JSON.stringify(line)}\n`);
    expect(await engine.query('SELECT event_id, dt, at_ms FROM ticket_events')).toEqual([
      { event_id: event.event_id, dt: '2026-12-01', at_ms: event.at_ms },
    ]);
  });

  it('looks at the files again when they go away (compaction, an emptied lake)', async () => {
    const lake = join(dir, 'emptied');
    const engine = open(lake, 'jsonl');
    const [ticket] = generateHistory({ ...history, tickets: 1, days: 1, duplicateRate: 0 });
    const fact = ticket?.facts[0];
    if (!fact) throw new Error('no fact generated');
    const { dt: _dt, ...line } = fact;
    const partition = join(lake, 'ticket_facts', 'dt=2026-12-01');
    await mkdir(partition, { recursive: true });
    await writeFile(join(partition, 'w-1.jsonl'), `${JSON.stringify(line)}\n`);
    expect(await engine.query('SELECT count(*) AS n FROM ticket_facts')).toEqual([{ n: 1 }]);
    await rm(join(lake, 'ticket_facts'), { recursive: true });
    expect(await engine.query('SELECT count(*) AS n FROM ticket_facts')).toEqual([{ n: 0 }]);
  });

  it('quotes strings once, through sqlString', async () => {
    const engine = open(join(dir, 'later'), 'jsonl');
    const nasty = "O'Brien'); DROP TABLE x; --";
    expect(await engine.query(`SELECT ${sqlString(nasty)} AS v`)).toEqual([{ v: nasty }]);
    expect(() => sqlString('a\u0000b')).toThrow();
  });
});
