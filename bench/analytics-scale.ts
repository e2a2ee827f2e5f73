/**
 * Analytics at scale (issue 12, docs/analytics.md "Scale and cost"):
 * `node --import tsx bench/analytics-scale.ts [--tickets 1000000] [--days 365] [--lake DIR]`
 * (`npm run bench:analytics-scale -- --tickets 50000` for a quick run).
 *
 * 1. Generates `tickets` tickets with their events (test/support/analytics-history.ts) as Parquet
 *    partitioned by `dt`, the layout Firehose writes to S3. With `--lake DIR` the lake is kept there and
 *    reused by the next run with the same options (generation is most of a run's time).
 * 2. Runs the report SQL on DuckDB (the local engine, the same text Athena runs): the KPI set (a few
 *    typical groupings over the last 28 days), the drill-down (this week against last, two measures)
 *    and the bottlenecks. "cold": the first run in a fresh engine (DuckDB's caches empty; the OS page
 *    cache is not dropped); "warm": the median of three more.
 * 3. Athena's bytes scanned per query: the compressed sizes of the Parquet column chunks each query
 *    reads (the columns DuckDB's plan projects from each table, `EXPLAIN (FORMAT json)`) in the
 *    partitions it touches (`dt >=` its pruning floor), from `parquet_metadata()`; Athena reads the
 *    same columns of the same partitions. Priced at $5 per TB (10¹² bytes) with Athena's rounding (up to
 *    the MB, 10 MB at least per query): the cost of 1,000 views of each report.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type DuckdbReportEngine,
  duckdbReportEngine,
} from '#shared/adapters/analytics/duckdb-report-engine.ts';
import { bottlenecksSql } from '#shared/domain/analytics/bottlenecks.ts';
import { breakdownSql } from '#shared/domain/analytics/breakdown.ts';
import { kpiSql } from '#shared/domain/analytics/kpis.ts';
import { eventColumns, factColumns } from '#shared/domain/analytics/lake-records.ts';
import { sqlString } from '#shared/domain/analytics/sql.ts';
import { addDay, writeHistory } from '../test/support/analytics-history.ts';

const { values: args } = parseArgs({
  options: {
    tickets: { type: 'string', default: '1000000' },
    days: { type: 'string', default: '365' },
    lake: { type: 'string' },
    seed: { type: 'string', default: '12' },
    /** Only write the lake (e.g. at a lower priority), for a later run with the same `--lake`. */
    'generate-only': { type: 'boolean', default: false },
  },
});
const tickets = Number(args.tickets);
const days = Number(args.days);
const seed = Number(args.seed);
const end = '2026-11-29'; // a Sunday: the last full week is the 23rd–29th
const lakeDir = args.lake ?? (await mkdtemp(join(tmpdir(), 'gongdan-scale-')));
const marker = join(lakeDir, 'history.json');
const options = {
  tickets,
  days,
  end,
  seed,
  slowTeam: 'field',
  spike: { product: '热水器', intent: 'installation', day: addDay(end, -3), factor: 4 },
};

async function lake(): Promise<string> {
  if (existsSync(marker) && (await readFile(marker, 'utf8')) === JSON.stringify(options)) return 'reused';
  await rm(lakeDir, { recursive: true, force: true });
  await mkdir(lakeDir, { recursive: true });
  const started = performance.now();
  const written = await writeHistory(lakeDir, { ...options, format: 'parquet' });
  await writeFile(marker, JSON.stringify(options));
  return `${written.tickets.toLocaleString('en')} tickets, ${written.facts.toLocaleString('en')} fact rows, ${written.events.toLocaleString('en')} event rows in ${((performance.now() - started) / 1000).toFixed(0)} s`;
}

interface Query {
  name: string;
  sql: string;
}

const last28 = { from: addDay(end, -27), to: end };
const week = { from: addDay(end, -6), to: end };
const endMs = Date.parse(`${addDay(end, 1)}T00:00:00+08:00`);

const queries = (): Query[] => [
  { name: 'KPIs, totals (28 d)', sql: kpiSql(last28, [], endMs) },
  { name: 'KPIs by team (28 d)', sql: kpiSql(last28, ['team'], endMs) },
  { name: 'KPIs by team×week (28 d)', sql: kpiSql(last28, ['team', 'week'], endMs) },
  { name: 'KPIs by product×region (28 d)', sql: kpiSql(last28, ['product', 'region'], endMs) },
  { name: 'KPIs by day (365 d)', sql: kpiSql({ from: addDay(end, -364), to: end }, ['day'], endMs) },
  {
    name: 'drill-down volume product×region (week)',
    sql: breakdownSql('volume', ['product', 'region'], week),
  },
  {
    name: 'drill-down resolution p50 team×intent (week)',
    sql: breakdownSql('resolution_p50', ['team', 'intent'], week),
  },
  {
    name: 'drill-down reopen rate product×channel (28 d)',
    sql: breakdownSql('reopen_rate', ['product', 'channel'], last28),
  },
  { name: 'bottlenecks by state (28 d)', sql: bottlenecksSql('state', last28, endMs) },
  { name: 'bottlenecks by team (28 d)', sql: bottlenecksSql('team', last28, endMs) },
];

const factNames = new Set(factColumns.map(([name]) => name as string));
const eventOnly = new Set(
  eventColumns.map(([name]) => name as string).filter((name) => !factNames.has(name)),
);

/** The Parquet columns each table's scans project, from DuckDB's physical plan. */
async function projected(
  engine: DuckdbReportEngine,
  sql: string,
): Promise<Map<'ticket_facts' | 'ticket_events', Set<string>>> {
  const [plan] = await engine.query(`EXPLAIN (FORMAT json) ${sql}`);
  const out = new Map<'ticket_facts' | 'ticket_events', Set<string>>();
  const walk = (node: { name?: string; children?: unknown[]; extra_info?: Record<string, unknown> }) => {
    if (node.name === 'READ_PARQUET') {
      const projections = node.extra_info?.Projections ?? [];
      // Columns only filtered on are read too (pushed-down filters are not in the projections).
      const filters = String(node.extra_info?.Filters ?? '');
      const list = [
        ...(Array.isArray(projections) ? projections : [projections]).map(String),
        ...[...filters.matchAll(/[a-z_]+/g)]
          .map((m) => m[0])
          .filter((c) => factNames.has(c) || eventOnly.has(c)),
      ].filter((c) => c !== 'dt');
      // A column only the events have (event_id, type, …) names the table.
      const table = list.some((c) => eventOnly.has(c)) ? 'ticket_events' : 'ticket_facts';
      const set = out.get(table) ?? new Set<string>();
      for (const c of list) set.add(c);
      out.set(table, set);
    }
    for (const child of node.children ?? []) walk(child as typeof node);
  };
  for (const root of JSON.parse(String(plan?.explain_value)) as unknown[])
    walk(root as Parameters<typeof walk>[0]);
  return out;
}

type ChunkSizes = Array<{ table: string; dt: string; column: string; bytes: number }>;

async function chunkSizes(engine: DuckdbReportEngine): Promise<ChunkSizes> {
  const rows: ChunkSizes = [];
  for (const table of ['ticket_facts', 'ticket_events']) {
    const glob = sqlString(join(lakeDir, table, '**', '*.parquet'));
    const lines = await engine.query(
      `SELECT regexp_extract(file_name, 'dt=([0-9-]+)', 1) AS dt, path_in_schema AS column, sum(total_compressed_size) AS bytes FROM parquet_metadata(${glob}) GROUP BY 1, 2`,
    );
    for (const l of lines)
      rows.push({ table, dt: String(l.dt), column: String(l.column), bytes: Number(l.bytes) });
  }
  return rows;
}

const TB = 1e12;
const MB = 1024 * 1024;
const billed = (bytes: number) => Math.max(Math.ceil(bytes / MB) * MB, 10 * MB);
const costPer1000 = (bytes: number) => (1000 * billed(bytes) * 5) / TB;

async function timed(engine: DuckdbReportEngine, sql: string): Promise<number> {
  const started = performance.now();
  await engine.query(sql);
  return performance.now() - started;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

console.log(`lake: ${lakeDir}`);
console.log(`history: ${await lake()}`);
if (args['generate-only']) process.exit(0);

const meta = duckdbReportEngine({ lakeDir, format: 'parquet' });
const [settings] = await meta.query("SELECT current_setting('threads') AS threads, version() AS version");
console.log(`DuckDB ${settings?.version}, ${settings?.threads} threads`);
const sizes = await chunkSizes(meta);
const lakeBytes = sizes.reduce((s, r) => s + r.bytes, 0);
console.log(`lake size (compressed column chunks): ${(lakeBytes / MB).toFixed(1)} MB`);

const table: Array<Record<string, string>> = [];
for (const q of queries()) {
  const floor = /dt >= '(\d{4}-\d{2}-\d{2})'/.exec(q.sql)?.[1] ?? '0000-00-00';
  const columns = await projected(meta, q.sql);
  let scanned = 0;
  for (const r of sizes)
    if (r.dt >= floor && columns.get(r.table as 'ticket_facts')?.has(r.column)) scanned += r.bytes;
  const unpruned = sizes
    .filter((r) => columns.get(r.table as 'ticket_facts')?.has(r.column))
    .reduce((s, r) => s + r.bytes, 0);
  const cold = duckdbReportEngine({ lakeDir, format: 'parquet' });
  const coldMs = await timed(cold, q.sql);
  const warm = [await timed(cold, q.sql), await timed(cold, q.sql), await timed(cold, q.sql)];
  await cold.close();
  table.push({
    query: q.name,
    'cold ms': coldMs.toFixed(0),
    'warm ms': median(warm).toFixed(0),
    columns: [...columns.entries()]
      .map(([t, c]) => `${t === 'ticket_facts' ? 'f' : 'e'}:${c.size}`)
      .join(' '),
    'scanned MB': (scanned / MB).toFixed(2),
    'no pruning MB': (unpruned / MB).toFixed(2),
    '$ / 1,000 views': costPer1000(scanned).toFixed(3),
  });
}
await meta.close();
console.table(table);
if (!args.lake) await rm(lakeDir, { recursive: true, force: true });
