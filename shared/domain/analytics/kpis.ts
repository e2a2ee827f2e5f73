import type { ReportEngine } from './lake-records.ts';
import { type FilterColumn, filterColumns, type ReportScope } from './report-filter.ts';
import { type Dimension, dimensionColumn } from './report-query.ts';
import { dtPrune, latestFacts, sqlDay, sqlString } from './sql.ts';

/**
 * The KPI report (docs/analytics.md, "Reports: KPIs, live figures, export"): one SQL statement over the
 * lake, the same text on Athena and DuckDB, grouped by any dimensions, with totals from the same scan
 * (`GROUPING SETS`). Durations in seconds, ratios 0..1, null when there is nothing to measure.
 */

export interface DurationKpis {
  p50Wall: number | null;
  p90Wall: number | null;
  p50Business: number | null;
  p90Business: number | null;
}

export interface Kpis {
  /** Tickets created in the period (the scope's filters applied to each ticket as it stands). */
  volume: number;
  firstResponse: DurationKpis;
  resolution: DurationKpis;
  /** Met over decided (met + breached), per target. */
  slaCompliance: { firstResponse: number | null; resolution: number | null };
  /** Resolved tickets with exactly one public staff reply and never reopened, over resolved tickets. */
  fcr: number | null;
  /** Resolved tickets with a `reopened` event, over resolved tickets. */
  reopenRate: number | null;
  /** `transferred` events per ticket. */
  transfersPerTicket: number | null;
  /** p50 seconds since creation of the tickets not resolved or closed at the period's end (or now). */
  backlogAgeP50: number | null;
  /** Mean rating (1–5) and how many tickets were rated. */
  csat: number | null;
  csatCount: number;
}

export interface KpiRow extends Kpis {
  group: Partial<Record<Dimension, string | null>>;
}

export interface KpiReport {
  period: { from: string; to: string };
  groupBy: Dimension[];
  totals: Kpis;
  rows: KpiRow[];
}

const staffRoles = "('agent', 'supervisor', 'admin')";

/**
 * The statement. `asOfMs` is when the backlog is measured: the end of the period's last day, or now
 * when that is later than now.
 */
export function kpiSql(scope: ReportScope, groupBy: readonly Dimension[], asOfMs: number): string {
  const asOf = Math.trunc(asOfMs);
  const filters = filterColumns
    .filter((c) => scope.filters?.[c] !== undefined)
    .map((c: FilterColumn) => `${c} = ${sqlString(scope.filters?.[c] as string)}`);
  const scopeWhere = [`created_day >= ${sqlDay(scope.from)}`, `created_day <= ${sqlDay(scope.to)}`];
  const dims = groupBy.map((d) => `${dimensionColumn[d]} AS g_${d}`);
  const dimCols = groupBy.map((d) => dimensionColumn[d]);
  const grouping = dimCols.length ? `GROUP BY GROUPING SETS ((${dimCols.join(', ')}), ())` : '';
  const groupingId = dimCols.length ? `grouping(${dimCols.join(', ')}) AS grouping_id_` : '0 AS grouping_id_';
  const pct = (col: string, p: number, alias: string) => `approx_percentile(${col}, ${p}) AS ${alias}`;
  const count = (cond: string, alias: string) => `sum(CASE WHEN ${cond} THEN 1 ELSE 0 END) AS ${alias}`;
  const backlog = `created_ms <= ${asOf} AND (resolved_ms IS NULL OR resolved_ms > ${asOf}) AND (closed_ms IS NULL OR closed_ms > ${asOf})`;
  return [
    'WITH',
    `facts AS (${latestFacts(`${dtPrune(scope.from)} AND ${scopeWhere.join(' AND ')}`)}),`,
    `scoped AS (SELECT * FROM facts${filters.length ? ` WHERE ${filters.join(' AND ')}` : ''}),`,
    // The events' dedupe is `count(DISTINCT event_id)` (a copy delivered twice is the same event), over
    // only the three types counted and the scoped tickets' ids: an event's type and ticket never change,
    // so both cuts are safe before the dedupe, and no window runs over every event of the period.
    `ev AS (SELECT ticket_id,`,
    `  count(DISTINCT CASE WHEN type = 'replied' AND public = true AND actor_role IN ${staffRoles} THEN event_id END) AS staff_replies,`,
    `  count(DISTINCT CASE WHEN type = 'reopened' THEN event_id END) AS reopens,`,
    `  count(DISTINCT CASE WHEN type = 'transferred' THEN event_id END) AS transfers`,
    `  FROM ticket_events WHERE ${dtPrune(scope.from)} AND type IN ('replied', 'reopened', 'transferred')`,
    `  AND ticket_id IN (SELECT ticket_id FROM scoped) GROUP BY ticket_id),`,
    `t AS (SELECT s.*, coalesce(ev.staff_replies, 0) AS staff_replies, coalesce(ev.reopens, 0) AS reopens,`,
    `  coalesce(ev.transfers, 0) AS transfers,`,
    `  CASE WHEN ${backlog} THEN CAST(${asOf} - created_ms AS double) / 1000 ELSE NULL END AS backlog_age_s`,
    `  FROM scoped s LEFT JOIN ev ON ev.ticket_id = s.ticket_id)`,
    `SELECT ${[
      ...dims,
      groupingId,
      'count(*) AS volume',
      pct('first_response_wall_s', 0.5, 'fr_p50_wall'),
      pct('first_response_wall_s', 0.9, 'fr_p90_wall'),
      pct('first_response_business_s', 0.5, 'fr_p50_business'),
      pct('first_response_business_s', 0.9, 'fr_p90_business'),
      pct('resolution_wall_s', 0.5, 'res_p50_wall'),
      pct('resolution_wall_s', 0.9, 'res_p90_wall'),
      pct('resolution_business_s', 0.5, 'res_p50_business'),
      pct('resolution_business_s', 0.9, 'res_p90_business'),
      count("sla_first_response = 'met'", 'fr_met'),
      count("sla_first_response IN ('met', 'breached')", 'fr_decided'),
      count("sla_resolution = 'met'", 'res_met'),
      count("sla_resolution IN ('met', 'breached')", 'res_decided'),
      count('resolved_ms IS NOT NULL', 'resolved'),
      count('resolved_ms IS NOT NULL AND staff_replies = 1 AND reopens = 0', 'fcr'),
      count('resolved_ms IS NOT NULL AND reopens > 0', 'reopened'),
      'sum(transfers) AS transfers',
      pct('backlog_age_s', 0.5, 'backlog_age_p50'),
      'avg(CAST(csat AS double)) AS csat',
      'count(csat) AS csat_count',
    ].join(', ')}`,
    `FROM t ${grouping}`,
  ].join('\n');
}

type Row = Record<string, string | number | boolean | null>;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const ratio = (a: unknown, b: unknown): number | null => {
  const d = num(b);
  return d ? (num(a) ?? 0) / d : null;
};

/** A result row's measures as `Kpis`. */
export function kpisOf(row: Row): Kpis {
  return {
    volume: num(row.volume) ?? 0,
    firstResponse: {
      p50Wall: num(row.fr_p50_wall),
      p90Wall: num(row.fr_p90_wall),
      p50Business: num(row.fr_p50_business),
      p90Business: num(row.fr_p90_business),
    },
    resolution: {
      p50Wall: num(row.res_p50_wall),
      p90Wall: num(row.res_p90_wall),
      p50Business: num(row.res_p50_business),
      p90Business: num(row.res_p90_business),
    },
    slaCompliance: {
      firstResponse: ratio(row.fr_met, row.fr_decided),
      resolution: ratio(row.res_met, row.res_decided),
    },
    fcr: ratio(row.fcr, row.resolved),
    reopenRate: ratio(row.reopened, row.resolved),
    transfersPerTicket: ratio(row.transfers, row.volume),
    backlogAgeP50: num(row.backlog_age_p50),
    csat: num(row.csat),
    csatCount: num(row.csat_count) ?? 0,
  };
}

export const emptyKpis = (): Kpis => kpisOf({ volume: 0, csat_count: 0 });

const groupKey = (group: KpiRow['group']) => JSON.stringify(Object.values(group).map((v) => v ?? ''));

/** Runs the KPI report: totals, and one row per group, sorted by the group values. */
export async function kpiReport(
  engine: ReportEngine,
  scope: ReportScope,
  groupBy: readonly Dimension[],
  now: Date,
  endOfPeriodMs: number,
): Promise<KpiReport> {
  const rows = await engine.query(kpiSql(scope, groupBy, Math.min(now.getTime(), endOfPeriodMs)));
  let totals = emptyKpis();
  const out: KpiRow[] = [];
  for (const row of rows) {
    if (groupBy.length && num(row.grouping_id_) !== 0) {
      totals = kpisOf(row);
      continue;
    }
    if (!groupBy.length) {
      totals = kpisOf(row);
      continue;
    }
    const group: KpiRow['group'] = {};
    for (const d of groupBy) {
      const v = row[`g_${d}`];
      group[d] = v === null || v === undefined ? null : String(v);
    }
    out.push({ group, ...kpisOf(row) });
  }
  out.sort((a, b) =>
    groupKey(a.group) < groupKey(b.group) ? -1 : groupKey(a.group) > groupKey(b.group) ? 1 : 0,
  );
  return { period: { from: scope.from, to: scope.to }, groupBy: [...groupBy], totals, rows: out };
}
