import type { DailyCount } from './forecast.ts';
import type { ReportEngine } from './lake-records.ts';
import { type BucketCounts, bucketMs, type SeriesCounts, type SeriesKey, seriesId } from './spikes.ts';
import { addDays, dtPrune, latestFacts, sqlDay, sqlString } from './sql.ts';

/**
 * The lake queries behind the insights (docs/analytics.md, "Spikes", "Forecast and staffing"), in the
 * dialect both Athena and DuckDB run (sql.ts). Child tickets are left out: they are work split off a
 * customer's ticket, not new demand.
 */

/** The series the detector watches: each a set of dimensions, every one of them present on the ticket. */
export const spikeSeriesDimensions: ReadonlyArray<ReadonlyArray<keyof SeriesKey>> = [
  ['intent', 'product', 'region'],
  ['category', 'product', 'region'],
  ['intent', 'product'],
  ['model'],
];

const businessOffsetMs = 8 * 3_600_000;
const businessDay = (ms: number) => new Date(ms + businessOffsetMs).toISOString().slice(0, 10);

function integer(n: number): string {
  if (!Number.isSafeInteger(n)) throw new RangeError(`not an integer: ${n}`);
  return String(n);
}

/** New tickets per 15-minute bucket and (intent, category, product, model, region), created in [fromMs, toMs). */
export function bucketCountsSql(fromMs: number, toMs: number): string {
  const from = integer(fromMs);
  const to = integer(toMs);
  const prune = `${dtPrune(businessDay(fromMs))} AND created_ms >= ${from}`;
  return [
    `WITH f AS (${latestFacts(prune)})`,
    'SELECT intent, category, product, model, region,',
    `CAST(floor(CAST(created_ms AS double) / ${bucketMs}) AS bigint) AS bucket, count(*) AS tickets`,
    `FROM f WHERE created_ms >= ${from} AND created_ms < ${to} AND parent_id IS NULL`,
    'GROUP BY 1, 2, 3, 4, 5, 6',
  ].join(' ');
}

type Row = Record<string, string | number | boolean | null>;

/** The watched series from `bucketCountsSql`'s rows (a ticket counts in each series it belongs to). */
export function seriesFromRows(rows: readonly Row[]): SeriesCounts[] {
  const series = new Map<string, { key: SeriesKey; counts: Map<number, number> }>();
  for (const row of rows) {
    const bucket = Number(row.bucket);
    const tickets = Number(row.tickets);
    for (const dims of spikeSeriesDimensions) {
      const key: SeriesKey = {};
      let complete = true;
      for (const d of dims) {
        const v = row[d];
        if (typeof v !== 'string' || v === '') complete = false;
        else key[d] = v;
      }
      if (!complete) continue;
      const id = seriesId(key);
      let s = series.get(id);
      if (!s) {
        s = { key, counts: new Map() };
        series.set(id, s);
      }
      s.counts.set(bucket, (s.counts.get(bucket) ?? 0) + tickets);
    }
  }
  return [...series.values()].map((s) => ({ key: s.key, counts: s.counts as BucketCounts }));
}

/** The latest tickets of a series created in [fromMs, toMs): id and number (the subject is not in the lake). */
export function sampleTicketsSql(key: SeriesKey, fromMs: number, toMs: number, limit = 5): string {
  const conditions = Object.entries(key)
    .filter(([, v]) => v !== undefined)
    .map(([d, v]) => {
      if (!['intent', 'category', 'product', 'model', 'region'].includes(d))
        throw new RangeError(`dimension ${d}`);
      return `${d} = ${sqlString(v as string)}`;
    });
  const prune = `${dtPrune(businessDay(fromMs))} AND created_ms >= ${integer(fromMs)}`;
  return [
    `WITH f AS (${latestFacts(prune)})`,
    'SELECT ticket_id, number, created_ms FROM f',
    `WHERE created_ms < ${integer(toMs)} AND parent_id IS NULL${conditions.map((c) => ` AND ${c}`).join('')}`,
    `ORDER BY created_ms DESC LIMIT ${integer(limit)}`,
  ].join(' ');
}

/** New tickets per team and business day from `from` to `to` (inclusive); the team a ticket is with now. */
export function dailyTeamCountsSql(from: string, to: string, team?: string): string {
  return [
    `WITH f AS (${latestFacts(`${dtPrune(from)} AND created_day >= ${sqlDay(from)}`)})`,
    'SELECT team, created_day AS day, count(*) AS tickets FROM f',
    `WHERE created_day <= ${sqlDay(to)} AND team IS NOT NULL AND parent_id IS NULL`,
    team === undefined ? '' : `AND team = ${sqlString(team)}`,
    'GROUP BY 1, 2',
  ]
    .filter(Boolean)
    .join(' ');
}

/** Daily counts per team from the lake for the `days` business days ending on `to`. */
export async function dailyTeamCounts(
  engine: ReportEngine,
  to: string,
  days: number,
  team?: string,
): Promise<Map<string, DailyCount[]>> {
  const from = addDays(to, -(days - 1));
  const rows = await engine.query(dailyTeamCountsSql(from, to, team));
  const byTeam = new Map<string, DailyCount[]>();
  for (const r of rows) {
    const t = String(r.team);
    const list = byTeam.get(t) ?? [];
    list.push({ date: String(r.day), count: Number(r.tickets) });
    byTeam.set(t, list);
  }
  // A team's series runs over the whole period (days without tickets count 0), from its first ticket.
  for (const [t, list] of byTeam) {
    const have = new Map(list.map((d) => [d.date, d.count]));
    const first = [...have.keys()].sort()[0] as string;
    const dense: DailyCount[] = [];
    for (let d = first; d <= to; d = addDays(d, 1)) dense.push({ date: d, count: have.get(d) ?? 0 });
    byTeam.set(t, dense);
  }
  return byTeam;
}
