import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DuckdbReportEngine,
  duckdbReportEngine,
} from '#shared/adapters/analytics/duckdb-report-engine.ts';
import { bottlenecksFrom, bottlenecksSql } from '#shared/domain/analytics/bottlenecks.ts';
import { breakdownFrom, breakdownSql, previousPeriod } from '#shared/domain/analytics/breakdown.ts';
import type { TicketEventRow, TicketFactRow } from '#shared/domain/analytics/lake-records.ts';
import { writeHistory } from '../support/analytics-history.ts';

/**
 * Bottlenecks and drill-down on a hand-made lake whose stays and shares can be stated exactly
 * (docs/analytics.md, "Bottlenecks", "Drill-down"), through the DuckDB engine over JSONL files.
 */
const H = 3_600_000;
/** 2026-12-01 10:00 in Asia/Shanghai. */
const t0 = Date.parse('2026-12-01T02:00:00Z');
const dtOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function fact(id: string, createdMs: number, over: Partial<TicketFactRow> = {}): TicketFactRow {
  const day = new Date(createdMs + 8 * H).toISOString().slice(0, 10);
  return {
    ticket_id: id,
    number: `N-${id}`,
    version: 1,
    at_ms: createdMs,
    created_ms: createdMs,
    created_day: day,
    created_week: '2026-W49',
    created_month: day.slice(0, 7),
    status: 'open',
    priority: 'normal',
    channel: 'phone',
    category: null,
    intent: null,
    team: 'desk',
    agent: null,
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
    sla_first_response: null,
    sla_resolution: null,
    csat: null,
    dt: dtOf(createdMs),
    ...over,
  };
}

let seq = 0;
function ev(ticket: string, at: number, type: string, over: Partial<TicketEventRow> = {}): TicketEventRow {
  seq++;
  return {
    event_id: `e${String(seq).padStart(4, '0')}`,
    ticket_id: ticket,
    version: seq,
    at_ms: at,
    type,
    actor_id: 'a1',
    actor_role: 'agent',
    channel: 'console',
    from_status: null,
    to_status: null,
    from_team: null,
    to_team: null,
    agent: null,
    public: null,
    dt: dtOf(at),
    ...over,
  };
}
const move = (ticket: string, at: number, from: string, to: string) =>
  ev(ticket, at, to === 'open' && from === 'resolved' ? 'reopened' : 'transitioned', {
    from_status: from,
    to_status: to,
  });

async function writeLake(dir: string, facts: TicketFactRow[], events: TicketEventRow[]) {
  for (const [table, rows] of [
    ['ticket_facts', facts],
    ['ticket_events', events],
  ] as const) {
    const byDt = new Map<string, string[]>();
    for (const row of rows) {
      const { dt, ...rest } = row;
      byDt.set(dt, [...(byDt.get(dt) ?? []), JSON.stringify(rest)]);
    }
    for (const [dt, lines] of byDt) {
      await mkdir(join(dir, table, `dt=${dt}`), { recursive: true });
      await writeFile(join(dir, table, `dt=${dt}`, `w-${dt}.jsonl`), `${lines.join('\n')}\n`);
    }
  }
}

describe('bottlenecks on a hand-made history', () => {
  let dir: string;
  let engine: DuckdbReportEngine;
  const endMs = t0 + 10 * H;
  const scope = { from: '2026-12-01', to: '2026-12-01', filters: { channel: 'phone' } };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gongdan-bottlenecks-'));
    const created = (id: string, at: number, team: string) =>
      ev(id, at, 'created', { to_status: 'new', to_team: team });
    const facts = [
      // T1: new 1h → open 3h (desk 2h, then field) → pending 2h → resolved 24h → closed.
      fact('T1', t0, { status: 'closed', team: 'field', resolved_ms: t0 + 6 * H, closed_ms: t0 + 30 * H }),
      fact('T1', t0, { version: 0, status: 'new' }),
      // T2: new 1h → open, still open at the end (9h so far), with desk all along.
      fact('T2', t0),
      // T1's children: open 1h–3h and 2h–4h (3h of waiting once merged); another channel.
      fact('C1', t0 + H, { channel: 'web', parent_id: 'T1', resolved_ms: t0 + 3 * H, status: 'resolved' }),
      fact('C2', t0 + 2 * H, {
        channel: 'web',
        parent_id: 'T1',
        resolved_ms: t0 + 4 * H,
        status: 'resolved',
      }),
    ];
    const t2open = move('T2', t0 + H, 'new', 'open');
    const events = [
      created('T1', t0, 'desk'),
      move('T1', t0 + H, 'new', 'open'),
      ev('T1', t0 + 2 * H, 'transferred', { from_team: 'desk', to_team: 'field' }),
      ev('T1', t0 + 2.5 * H, 'approval.requested'),
      ev('T1', t0 + 3 * H, 'approval.decided'),
      ev('T1', t0 + 3.5 * H, 'approval.decided'),
      move('T1', t0 + 4 * H, 'open', 'pending'),
      move('T1', t0 + 6 * H, 'pending', 'resolved'),
      move('T1', t0 + 30 * H, 'resolved', 'closed'),
      created('T2', t0, 'desk'),
      t2open,
      t2open, // delivered twice: counted once
      ev('T2', t0 + 5 * H, 'approval.requested'),
      created('C1', t0 + H, 'field'),
      created('C2', t0 + 2 * H, 'field'),
    ];
    await writeLake(dir, facts, events);
    engine = duckdbReportEngine({ lakeDir: dir, format: 'jsonl' });
  });
  afterAll(async () => {
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('time in each state: exact stays, shares, percentiles and the stalled tickets', async () => {
    const result = bottlenecksFrom(await engine.query(bottlenecksSql('state', scope, endMs)));
    expect(result.rows.map((r) => [r.key, r.tickets, r.totalHours])).toEqual([
      ['open', 2, 12],
      ['resolved', 1, 4], // cut at the period's end (t0 + 10h): resolved at +6h
      ['new', 2, 2],
      ['pending', 1, 2],
    ]);
    const open = result.rows.find((r) => r.key === 'open');
    expect(open?.share).toBeCloseTo(12 / 20, 9);
    expect(open?.p50Hours).toBeCloseTo(6, 9); // T1 3h, T2 9h
    expect(open?.p90Hours).toBeCloseTo(8.4, 9);
    expect(result.stalled.open).toEqual([
      { id: 'T2', number: 'N-T2', hours: 9, current: true },
      { id: 'T1', number: 'N-T1', hours: 3, current: false },
    ]);
    expect(result.stalled.resolved).toEqual([{ id: 'T1', number: 'N-T1', hours: 4, current: true }]);
  });

  it('a later end lets the resolved stay run to the close', async () => {
    const result = bottlenecksFrom(await engine.query(bottlenecksSql('state', scope, t0 + 48 * H)));
    expect(result.rows.find((r) => r.key === 'resolved')?.totalHours).toBe(24);
    expect(result.stalled.resolved).toEqual([{ id: 'T1', number: 'N-T1', hours: 24, current: false }]);
  });

  it('time with each team while active', async () => {
    const result = bottlenecksFrom(await engine.query(bottlenecksSql('team', scope, endMs)));
    expect(result.rows.map((r) => [r.key, r.tickets, r.totalHours])).toEqual([
      ['desk', 2, 12], // T1 2h, T2 10h
      ['field', 1, 4], // T1 from the transfer to the resolution
    ]);
    expect(result.stalled.desk?.[0]).toEqual({ id: 'T2', number: 'N-T2', hours: 10, current: true });
  });

  it('waiting on child tickets (merged) and on approvals', async () => {
    const result = bottlenecksFrom(await engine.query(bottlenecksSql('wait', scope, endMs)));
    expect(result.rows.map((r) => [r.key, r.tickets, r.totalHours])).toEqual([
      ['approval', 2, 6], // T1 1h (to the last decision), T2 5h (undecided)
      ['child_tickets', 1, 3],
    ]);
    expect(result.stalled.approval).toEqual([
      { id: 'T2', number: 'N-T2', hours: 5, current: true },
      { id: 'T1', number: 'N-T1', hours: 1, current: false },
    ]);
    expect(result.stalled.child_tickets).toEqual([{ id: 'T1', number: 'N-T1', hours: 3, current: false }]);
  });

  it('prunes partitions from the day before the period, and a quote in a filter stays a value', async () => {
    for (const view of ['state', 'team', 'wait'] as const) {
      const sql = bottlenecksSql(view, scope, endMs);
      expect(sql).toContain("dt >= '2026-11-30'");
      expect(sql).not.toMatch(/FROM ticket_(facts|events)(?!\s+WHERE dt >= '2026-11-30')/);
    }
    const quoted = bottlenecksSql('state', { ...scope, filters: { channel: "pho'ne" } }, endMs);
    expect(quoted).toContain("channel = 'pho''ne'");
    expect(bottlenecksFrom(await engine.query(quoted)).rows).toEqual([]);
  });

  it('filters pick the tickets: the children by their own channel', async () => {
    const web = { ...scope, filters: { channel: 'web' } };
    const result = bottlenecksFrom(await engine.query(bottlenecksSql('team', web, endMs)));
    expect(result.rows.map((r) => [r.key, r.tickets, r.totalHours])).toEqual([['field', 2, 17]]); // 9h + 8h
  });
});

describe('drill-down on a hand-made history', () => {
  let dir: string;
  let engine: DuckdbReportEngine;
  const scope = { from: '2026-12-08', to: '2026-12-14' };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gongdan-breakdown-'));
    const facts: TicketFactRow[] = [];
    let n = 0;
    const add = (day: string, product: string, region: string, breached: boolean, count = 1) => {
      for (let i = 0; i < count; i++) {
        const created = Date.parse(`${day}T04:00:00Z`) + i * 60_000;
        facts.push(
          fact(`B${n++}`, created, {
            product,
            region,
            sla_resolution: breached ? 'breached' : 'met',
            resolution_wall_s: 3600 * (product === 'A' ? 10 : 2),
            resolved_ms: created + 3_600_000,
          }),
        );
      }
    };
    // Previous week: A×x 2 (1 breached), B×y 1.
    add('2026-12-02', 'A', 'x', true);
    add('2026-12-03', 'A', 'x', false);
    add('2026-12-04', 'B', 'y', false);
    // This week: A×x 5 (3 breached), B×y 1, B×x 1 (breached).
    add('2026-12-09', 'A', 'x', true, 3);
    add('2026-12-10', 'A', 'x', false, 2);
    add('2026-12-11', 'B', 'y', false);
    add('2026-12-12', 'B', 'x', true);
    // Outside both periods.
    add('2026-11-30', 'A', 'x', true, 4);
    add('2026-12-15', 'B', 'x', true, 4);
    // Reopened: B0 last week; B3 (A×x, delivered twice) and B9 (B×x) this week.
    const reopened = (id: string) => {
      const created = facts.find((f) => f.ticket_id === id)?.created_ms ?? 0;
      return ev(id, created + 2 * H, 'reopened', { from_status: 'resolved', to_status: 'open' });
    };
    const b3 = reopened('B3');
    await writeLake(dir, facts, [reopened('B0'), b3, { ...b3 }, reopened('B9')]);
    engine = duckdbReportEngine({ lakeDir: dir, format: 'jsonl' });
  });
  afterAll(async () => {
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the previous period has the same length, just before', () => {
    expect(previousPeriod(scope)).toEqual({ from: '2026-12-01', to: '2026-12-07' });
    expect(previousPeriod({ from: '2026-03-01', to: '2026-03-01' })).toEqual({
      from: '2026-02-28',
      to: '2026-02-28',
    });
  });

  it('volume: each cell’s change and its share of the total change', async () => {
    const dims = ['product', 'region'] as const;
    const result = breakdownFrom('volume', dims, await engine.query(breakdownSql('volume', dims, scope)));
    expect(result.total).toEqual({ current: 7, previous: 3, change: 4 });
    expect(result.cells.map((c) => [c.key, c.current, c.previous, c.change, c.shareOfChange])).toEqual([
      [{ product: 'A', region: 'x' }, 5, 2, 3, 0.75],
      [{ product: 'B', region: 'x' }, 1, 0, 1, 0.25],
      [{ product: 'B', region: 'y' }, 1, 1, 0, 0],
    ]);
  });

  it('a rate: contributions n₁/d₁(all) − n₀/d₀(all) add up to the total change', async () => {
    const dims = ['product', 'region'] as const;
    const result = breakdownFrom(
      'sla_breach_rate',
      dims,
      await engine.query(breakdownSql('sla_breach_rate', dims, scope)),
    );
    expect(result.total.current).toBeCloseTo(4 / 7, 12);
    expect(result.total.previous).toBeCloseTo(1 / 3, 12);
    const [first, second, third] = result.cells;
    expect(first?.key).toEqual({ product: 'B', region: 'x' });
    expect(first?.shareOfChange).toBeCloseTo(0.6, 12); // (1/7) / (5/21)
    expect(first?.change).toBeNull(); // no breach rate last week: no tickets
    expect(second?.key).toEqual({ product: 'A', region: 'x' });
    expect(second?.contribution).toBeCloseTo(3 / 7 - 1 / 3, 12);
    expect(second?.shareOfChange).toBeCloseTo(0.4, 12);
    expect(second?.change).toBeCloseTo(3 / 5 - 1 / 2, 12);
    expect(third?.shareOfChange).toBe(0);
  });

  it('scans both periods from the day before the previous one', () => {
    for (const measure of ['volume', 'reopen_rate', 'resolution_p50'] as const) {
      const sql = breakdownSql(measure, ['product', 'region'], scope);
      expect(sql).not.toMatch(/FROM ticket_(facts|events)(?!\s+WHERE dt >= '2026-11-30')/);
    }
  });

  it('the reopen rate: a falling total, with a cell pushing against it', async () => {
    const dims = ['product', 'region'] as const;
    const result = breakdownFrom(
      'reopen_rate',
      dims,
      await engine.query(breakdownSql('reopen_rate', dims, scope)),
    );
    expect(result.total.current).toBeCloseTo(2 / 7, 12);
    expect(result.total.previous).toBeCloseTo(1 / 3, 12);
    expect(result.cells.map((c) => [c.key, c.contribution * 21, c.shareOfChange])).toEqual([
      [{ product: 'A', region: 'x' }, expect.closeTo(-4, 9), expect.closeTo(4, 9)],
      [{ product: 'B', region: 'x' }, expect.closeTo(3, 9), expect.closeTo(-3, 9)],
      [{ product: 'B', region: 'y' }, expect.closeTo(0, 9), expect.closeTo(0, 9)],
    ]);
  });

  it('a median: the cells’ weighted contributions, shares adding up to 1', async () => {
    const dims = ['product', 'region'] as const;
    const result = breakdownFrom(
      'resolution_p50',
      dims,
      await engine.query(breakdownSql('resolution_p50', dims, scope)),
    );
    expect(result.total).toEqual({ current: 36_000, previous: 36_000, change: 0 });
    const shares = result.cells.map((c) => c.shareOfChange ?? 0);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    // A×x's weight fell from 2/3 to 5/7 … rose: 5/7·10h − 2/3·10h; B×y's fell: 1/7·2h − 1/3·2h.
    const ax = result.cells.find((c) => c.key.product === 'A' && c.key.region === 'x');
    expect(ax?.contribution).toBeCloseTo((5 / 7) * 36_000 - (2 / 3) * 36_000, 6);
  });
});

describe('on a generated history with planted truths', () => {
  let dir: string;
  let engine: DuckdbReportEngine;
  // A Wednesday whose Tuesday is a plain working day too: one day against the day before.
  const spike = { product: '热水器', intent: 'installation', day: '2026-11-25', factor: 5 };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gongdan-planted-'));
    await writeHistory(dir, {
      tickets: 12_000,
      days: 60,
      end: '2026-11-30',
      seed: 7,
      slowTeam: 'field',
      spike,
      format: 'jsonl',
    });
    engine = duckdbReportEngine({ lakeDir: dir, format: 'jsonl' });
  }, 120_000);
  afterAll(async () => {
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the slow team holds its tickets longest, and its stalled tickets are the longest stays', async () => {
    const scope = { from: '2026-10-01', to: '2026-11-15' };
    const result = bottlenecksFrom(
      await engine.query(bottlenecksSql('team', scope, Date.parse('2026-11-30T16:00:00Z'))),
    );
    expect(result.rows.map((r) => r.key).sort()).toEqual(['desk', 'field', 'vip']);
    const byP50 = [...result.rows].sort((a, b) => (b.p50Hours ?? 0) - (a.p50Hours ?? 0));
    const byP90 = [...result.rows].sort((a, b) => (b.p90Hours ?? 0) - (a.p90Hours ?? 0));
    expect(byP50[0]?.key).toBe('field');
    expect(byP90[0]?.key).toBe('field');
    const field = result.rows.find((r) => r.key === 'field');
    const others = result.rows.filter((r) => r.key !== 'field');
    for (const other of others) expect(field?.p50Hours).toBeGreaterThan(2 * (other.p50Hours ?? 0));
    const stalled = result.stalled.field ?? [];
    expect(stalled).toHaveLength(5);
    expect(stalled.map((s) => s.hours)).toEqual([...stalled.map((s) => s.hours)].sort((a, b) => b - a));
    expect(stalled[4]?.hours).toBeGreaterThanOrEqual(field?.p90Hours ?? Number.POSITIVE_INFINITY);
    const shares = result.rows.reduce((s, r) => s + (r.share ?? 0), 0);
    expect(shares).toBeCloseTo(1, 9);
  });

  it('the spiking product × intent cell drives the day’s increase, with the largest share', async () => {
    const dims = ['product', 'intent'] as const;
    const scope = { from: spike.day, to: spike.day };
    const result = breakdownFrom('volume', dims, await engine.query(breakdownSql('volume', dims, scope)));
    expect(result.total.change).toBeGreaterThan(0);
    const top = result.cells[0];
    expect(top?.key).toEqual({ product: spike.product, intent: spike.intent });
    expect(top?.shareOfChange).toBe(Math.max(...result.cells.map((c) => c.shareOfChange ?? 0)));
    expect(top?.change).toBeGreaterThan(3 * (top?.previous ?? 0));
    // The day before, the same cell is an ordinary one.
    const before = breakdownFrom(
      'volume',
      dims,
      await engine.query(breakdownSql('volume', dims, { from: '2026-11-24', to: '2026-11-24' })),
    );
    expect(before.cells[0]?.key).not.toEqual({ product: spike.product, intent: spike.intent });
  });
});
