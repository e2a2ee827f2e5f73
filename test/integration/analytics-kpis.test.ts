import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DuckdbReportEngine,
  duckdbReportEngine,
} from '../../shared/adapters/analytics/duckdb-report-engine.ts';
import { kpiReport } from '../../shared/domain/analytics/kpis.ts';
import type { TicketEventRow, TicketFactRow } from '../../shared/domain/analytics/lake-records.ts';
import { endOfBusinessDay } from '../../shared/domain/analytics/report-query.ts';
import { generateHistory, type HistoryOptions, writeHistory } from '../support/analytics-history.ts';

const history: HistoryOptions = { tickets: 4000, days: 70, end: '2026-11-30', seed: 11, slowTeam: 'field' };
const period = { from: '2026-10-01', to: '2026-11-30' };
const now = new Date('2026-12-01T02:00:00Z');

/** The tickets as they stand (highest version), from the generator's own rows. */
function truth(o: HistoryOptions) {
  const latest = new Map<string, TicketFactRow>();
  for (const t of generateHistory(o))
    for (const f of t.facts) {
      const seen = latest.get(f.ticket_id);
      if (!seen || f.version > seen.version) latest.set(f.ticket_id, f);
    }
  return [...latest.values()];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = (s.length - 1) / 2;
  return ((s[Math.floor(m)] as number) + (s[Math.ceil(m)] as number)) / 2;
};

describe('KPIs over a generated history', () => {
  let dir: string;
  let jsonl: DuckdbReportEngine;
  let parquet: DuckdbReportEngine;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gongdan-kpis-'));
    await writeHistory(join(dir, 'jsonl'), { ...history, format: 'jsonl' });
    await writeHistory(join(dir, 'parquet'), { ...history, format: 'parquet' });
    jsonl = duckdbReportEngine({ lakeDir: join(dir, 'jsonl'), format: 'jsonl' });
    parquet = duckdbReportEngine({ lakeDir: join(dir, 'parquet'), format: 'parquet' });
  });
  afterAll(async () => {
    await jsonl?.close();
    await parquet?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('counts exactly the generated tickets per team, and finds the planted slow team', async () => {
    const report = await kpiReport(jsonl, period, ['team'], now, endOfBusinessDay(period.to));
    const tickets = truth(history).filter((f) => f.created_day >= period.from && f.created_day <= period.to);
    const teams = [...new Set(tickets.map((f) => f.team as string))].sort();
    expect(report.rows.map((r) => r.group.team)).toEqual(teams);
    for (const row of report.rows)
      expect(row.volume, `volume of ${row.group.team}`).toBe(
        tickets.filter((f) => f.team === row.group.team).length,
      );
    expect(report.totals.volume).toBe(tickets.length);

    const p50 = (team: string) =>
      report.rows.find((r) => r.group.team === team)?.resolution.p50Business as number;
    const others = teams.filter((t) => t !== 'field').map(p50);
    for (const other of others) {
      expect(p50('field') / other).toBeGreaterThan(2.4);
      expect(p50('field') / other).toBeLessThan(3.6);
    }
    // the SQL's median is the generator's median
    const fieldTruth = tickets.filter((f) => f.team === 'field' && f.resolution_business_s !== null);
    expect(p50('field')).toBeCloseTo(median(fieldTruth.map((f) => f.resolution_business_s as number)), 3);
    // business time is not wall time: nights, weekends and holidays are left out
    for (const row of report.rows) {
      expect(row.resolution.p50Business).toBeLessThan(row.resolution.p50Wall as number);
      expect(row.firstResponse.p50Business).toBeLessThan(row.firstResponse.p50Wall as number);
    }
    expect(report.rows.find((r) => r.group.team === 'field')?.slaCompliance.resolution).toBeLessThan(
      report.rows.find((r) => r.group.team === 'desk')?.slaCompliance.resolution as number,
    );
  });

  it('gives the same answer over parquet, and per week sums to the total', async () => {
    const fromJson = await kpiReport(jsonl, period, ['team', 'week'], now, endOfBusinessDay(period.to));
    const fromParquet = await kpiReport(parquet, period, ['team', 'week'], now, endOfBusinessDay(period.to));
    expect(fromParquet).toEqual(fromJson);
    expect(fromJson.rows.reduce((s, r) => s + r.volume, 0)).toBe(fromJson.totals.volume);
    expect(fromJson.rows.every((r) => /^\d{4}-W\d{2}$/.test(r.group.week ?? ''))).toBe(true);
  });

  it('applies filters to the ticket as it stands', async () => {
    const grouped = await kpiReport(jsonl, period, ['team'], now, endOfBusinessDay(period.to));
    const desk = await kpiReport(
      jsonl,
      { ...period, filters: { team: 'desk' } },
      [],
      now,
      endOfBusinessDay(period.to),
    );
    const { group: _group, ...deskRow } = grouped.rows.find((r) => r.group.team === 'desk') ?? { group: {} };
    expect(desk.totals).toEqual(deskRow);
    const product = await kpiReport(
      jsonl,
      { ...period, filters: { product: '空调', region: '上海市/浦东新区' } },
      [],
      now,
      endOfBusinessDay(period.to),
    );
    const tickets = truth(history).filter(
      (f) =>
        f.created_day >= period.from &&
        f.created_day <= period.to &&
        f.product === '空调' &&
        f.region === '上海市/浦东新区',
    );
    expect(product.totals.volume).toBe(tickets.length);
  });
});

describe('KPI definitions on a hand-made set', () => {
  let dir: string;
  let engine: DuckdbReportEngine;
  const day = '2026-11-10';
  const t0 = Date.parse('2026-11-10T02:00:00Z'); // 10:00 in Shanghai, a Tuesday

  const fact = (id: string, version: number, over: Partial<TicketFactRow>): TicketFactRow => ({
    ticket_id: id,
    number: `GD-${id}`,
    version,
    at_ms: t0 + version * 1000,
    created_ms: t0,
    created_day: day,
    created_week: '2026-W46',
    created_month: '2026-11',
    status: 'open',
    priority: 'normal',
    channel: 'web',
    category: null,
    intent: null,
    team: 'desk',
    agent: 'a1',
    tier: 'standard',
    product: null,
    model: null,
    region: null,
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
    dt: '2026-11-10',
    ...over,
  });
  const event = (
    id: string,
    n: number,
    type: string,
    over: Partial<TicketEventRow> = {},
  ): TicketEventRow => ({
    event_id: `${id}-${n}`,
    ticket_id: id,
    version: n,
    at_ms: t0 + n * 1000,
    type,
    actor_id: 'a1',
    actor_role: 'agent',
    channel: 'web',
    from_status: null,
    to_status: null,
    from_team: null,
    to_team: null,
    agent: 'a1',
    public: type === 'replied' ? true : null,
    dt: '2026-11-10',
    ...over,
  });
  const resolved = {
    status: 'resolved',
    resolved_ms: t0 + 3_600_000,
    resolution_wall_s: 3600,
    resolution_business_s: 3600,
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gongdan-kpi-defs-'));
    const facts: TicketFactRow[] = [
      // T1: an old version in another team (the latest wins), resolved first time, rated 5
      fact('T1', 1, { team: 'field' }),
      fact('T1', 5, {
        ...resolved,
        sla_first_response: 'met',
        sla_resolution: 'met',
        csat: 5,
        first_response_wall_s: 600,
        first_response_business_s: 600,
      }),
      fact('T1', 5, {
        ...resolved,
        sla_first_response: 'met',
        sla_resolution: 'met',
        csat: 5,
        first_response_wall_s: 600,
        first_response_business_s: 600,
      }),
      // T2: two staff replies, first response late, rated 3
      fact('T2', 4, { ...resolved, sla_first_response: 'breached', sla_resolution: 'met', csat: 3 }),
      // T3: reopened, then resolved again late
      fact('T3', 6, { ...resolved, sla_first_response: 'met', sla_resolution: 'breached' }),
      // T4: still open, two transfers; created at t0, so its age at the period's end is known
      fact('T4', 3, { team: 'vip', sla_first_response: 'running' }),
      // T5: another day, outside the period
      fact('T5', 1, { created_day: '2026-11-12', created_ms: t0 + 2 * 86_400_000 }),
    ];
    const events: TicketEventRow[] = [
      event('T1', 1, 'created'),
      event('T1', 2, 'transferred', { from_team: 'field', to_team: 'desk' }),
      event('T1', 3, 'replied'),
      event('T1', 3, 'replied'), // delivered twice
      event('T1', 4, 'replied', { actor_role: 'customer', actor_id: 'c1' }), // the customer's: not a staff reply
      event('T1', 5, 'noted', { public: false }),
      event('T2', 1, 'created'),
      event('T2', 2, 'replied'),
      event('T2', 3, 'replied', { actor_role: 'supervisor' }),
      event('T3', 1, 'created'),
      event('T3', 2, 'replied'),
      event('T3', 4, 'reopened', { actor_role: 'customer' }),
      event('T4', 1, 'created'),
      event('T4', 2, 'transferred'),
      event('T4', 3, 'transferred'),
    ];
    const write = async (table: string, rows: Array<{ dt: string }>) => {
      const byDt = new Map<string, string[]>();
      for (const { dt, ...rest } of rows) byDt.set(dt, [...(byDt.get(dt) ?? []), JSON.stringify(rest)]);
      for (const [dt, lines] of byDt) {
        await mkdir(join(dir, table, `dt=${dt}`), { recursive: true });
        await writeFile(join(dir, table, `dt=${dt}`, 'w-1.jsonl'), `${lines.join('\n')}\n`);
      }
    };
    await write('ticket_facts', facts);
    await write('ticket_events', events);
    engine = duckdbReportEngine({ lakeDir: dir, format: 'jsonl' });
  });
  afterAll(async () => {
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('measures volume, SLA compliance, FCR, reopen rate, transfers, backlog age and CSAT as defined', async () => {
    const to = '2026-11-11';
    const report = await kpiReport(
      engine,
      { from: day, to },
      [],
      new Date('2026-12-01T00:00:00Z'),
      endOfBusinessDay(to),
    );
    const k = report.totals;
    expect(k.volume).toBe(4);
    expect(k.slaCompliance).toEqual({ firstResponse: 2 / 3, resolution: 2 / 3 });
    expect(k.fcr).toBeCloseTo(1 / 3, 10); // T1 only: T2 has two staff replies, T3 was reopened
    expect(k.reopenRate).toBeCloseTo(1 / 3, 10);
    expect(k.transfersPerTicket).toBe(3 / 4);
    expect(k.csat).toBe(4);
    expect(k.csatCount).toBe(2);
    // T4, open: from 10:00 on the 10th to the end of the 11th (Shanghai) = 38 h
    expect(k.backlogAgeP50).toBe(38 * 3600);
    expect(k.resolution.p50Wall).toBe(3600);
    expect(k.firstResponse.p50Wall).toBe(600);
    const byTeam = await kpiReport(
      engine,
      { from: day, to },
      ['team'],
      new Date('2026-12-01T00:00:00Z'),
      endOfBusinessDay(to),
    );
    expect(byTeam.rows.map((r) => [r.group.team, r.volume])).toEqual([
      ['desk', 3],
      ['vip', 1],
    ]);
  });

  it('measures the backlog now when the period has not ended, and null where there is nothing', async () => {
    const now = new Date(t0 + 5 * 3_600_000);
    const report = await kpiReport(engine, { from: day, to: day }, [], now, endOfBusinessDay(day));
    // at now, T1–T3 are resolved (an hour after t0), T4 is open: 5 h old
    expect(report.totals.backlogAgeP50).toBe(5 * 3600);
    const empty = await kpiReport(
      engine,
      { from: '2026-01-01', to: '2026-01-31' },
      ['team'],
      now,
      endOfBusinessDay('2026-01-31'),
    );
    expect(empty.rows).toEqual([]);
    expect(empty.totals).toMatchObject({
      volume: 0,
      fcr: null,
      reopenRate: null,
      transfersPerTicket: null,
      csat: null,
      csatCount: 0,
    });
    expect(empty.totals.resolution.p50Wall).toBeNull();
  });
});
