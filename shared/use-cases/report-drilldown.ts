import {
  type BottleneckRow,
  type BottleneckView,
  bottlenecksFrom,
  bottlenecksSql,
  type StalledTicket,
} from '../domain/analytics/bottlenecks.ts';
import {
  type BreakdownCell,
  type BreakdownDim,
  type BreakdownMeasure,
  breakdownFrom,
  breakdownSql,
  type Period,
  previousPeriod,
} from '../domain/analytics/breakdown.ts';
import type { ReportEngine } from '../domain/analytics/lake-records.ts';
import type { ReportScope } from '../domain/analytics/report-filter.ts';
import { businessZone, endOfBusinessDay } from '../domain/analytics/report-query.ts';
import type { Clock } from '../domain/ports.ts';

/**
 * The bottleneck and drill-down reports (docs/analytics.md, "Bottlenecks", "Drill-down"): the SQL of
 * shared/domain/analytics run on the report engine (DuckDB locally, Athena in AWS), shaped for the API.
 */
export interface DrilldownDeps {
  engine: ReportEngine;
  clock: Clock;
  /** The business time zone the report's days are in. @default Asia/Shanghai */
  zone?: string;
}

export interface BottlenecksReport {
  period: Period;
  by: BottleneckView;
  rows: BottleneckRow[];
  stalled: Record<string, StalledTicket[]>;
}

/** Where open stays stop: the end of the period's last business day, or now if earlier. */
export function stayEndMs(to: string, now: Date, zone = businessZone): number {
  return Math.min(endOfBusinessDay(to, zone), now.getTime());
}

export async function bottlenecksReport(
  by: BottleneckView,
  scope: ReportScope,
  deps: DrilldownDeps,
): Promise<BottlenecksReport> {
  const endMs = stayEndMs(scope.to, deps.clock.now(), deps.zone);
  const result = bottlenecksFrom(await deps.engine.query(bottlenecksSql(by, scope, endMs)));
  return { period: { from: scope.from, to: scope.to }, by, ...result };
}

export interface BreakdownReport {
  period: Period;
  previous: Period;
  measure: BreakdownMeasure;
  dims: BreakdownDim[];
  total: { current: number | null; previous: number | null; change: number | null };
  /** How many cells there are; `cells` holds the first `limit`. */
  cellCount: number;
  cells: BreakdownCell[];
}

export async function breakdownReport(
  measure: BreakdownMeasure,
  dims: BreakdownDim[],
  scope: ReportScope,
  limit: number,
  deps: DrilldownDeps,
): Promise<BreakdownReport> {
  const result = breakdownFrom(measure, dims, await deps.engine.query(breakdownSql(measure, dims, scope)));
  return {
    period: { from: scope.from, to: scope.to },
    previous: previousPeriod(scope),
    measure,
    dims,
    total: result.total,
    cellCount: result.cells.length,
    cells: result.cells.slice(0, limit),
  };
}

/** The bottlenecks as a table (the file export): one line per key. */
export function bottlenecksTable(report: BottlenecksReport): {
  columns: string[];
  rows: Array<Array<string | number | null>>;
} {
  return {
    columns: [report.by, 'tickets', 'totalHours', 'p50Hours', 'p90Hours', 'share', 'stalled'],
    rows: report.rows.map((r) => [
      r.key,
      r.tickets,
      r.totalHours,
      r.p50Hours,
      r.p90Hours,
      r.share,
      (report.stalled[r.key] ?? []).map((s) => `${s.number} ${s.hours}h`).join(', '),
    ]),
  };
}

/** The drill-down as a table (the file export): one line per cell, the dimensions first. */
export function breakdownTable(report: BreakdownReport): {
  columns: string[];
  rows: Array<Array<string | number | null>>;
} {
  return {
    columns: [
      ...report.dims,
      'current',
      'previous',
      'change',
      'contribution',
      'shareOfChange',
      'currentCount',
      'previousCount',
    ],
    rows: report.cells.map((c) => [
      ...report.dims.map((d) => c.key[d] ?? null),
      c.current,
      c.previous,
      c.change,
      c.contribution,
      c.shareOfChange,
      c.currentCount,
      c.previousCount,
    ]),
  };
}
