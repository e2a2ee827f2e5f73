/**
 * Root-cause drill-down (issue 12, docs/analytics.md "Drill-down"): a measure over the tickets created in
 * a period, broken down by two or more dimensions, against the previous period of equal length, with each
 * cell's change and its share of the total change — "what drove this week's increase".
 *
 * Share of change, per kind of measure (each cell's `contribution`, in the measure's unit; the cells'
 * contributions add up to the total's change, so the shares add up to 1):
 * - `volume` (additive): contribution = the cell's change; share = change / total change.
 * - rates (`sla_breach_rate`, `reopen_rate`; numerator n over denominator d): contribution =
 *   n₁(cell)/d₁(all) − n₀(cell)/d₀(all), the cell's part of the overall rate now minus before. Summed over
 *   the cells it is exactly r₁ − r₀; a cell gains by more bad cases or loses by fewer, and a growing
 *   denominator elsewhere dilutes every cell's part alike. share = contribution / total change.
 * - medians (`first_response_p50`, `resolution_p50`, seconds; a median does not add up): contribution =
 *   w₁·m₁ − w₀·m₀ with m the cell's median and w its share of the measured tickets of its period, i.e. the
 *   cell's part of the ticket-weighted mean of the cells' medians (a mix shift moves w, a slower cell
 *   moves m). That sum approximates, but is not, the change of the overall median, so shares are
 *   contribution / Σ contributions (they add up to 1; null when the sum is 0).
 * A cell missing from a period has zero volume, numerator, weight there; its value is null (not 0) for
 * rates and medians, and so is its `change`.
 */
import { type FilterColumn, filterColumns, type ReportScope } from './report-filter.ts';
import { addDays, dtPrune, latestFacts, sqlDay, sqlString } from './sql.ts';

export const breakdownMeasures = [
  'volume',
  'first_response_p50',
  'resolution_p50',
  'sla_breach_rate',
  'reopen_rate',
] as const;
export type BreakdownMeasure = (typeof breakdownMeasures)[number];

/**
 * The dimensions a breakdown may use: the filters' columns. The calendar ones (`day`, `week`, `month`)
 * are refused: the two periods never share a day, so no cell would have both sides.
 */
export type BreakdownDim = FilterColumn;

/** The fewest and most dimensions a breakdown takes. */
export const breakdownDimsRange = { min: 2, max: 4 } as const;

type MeasureKind = 'count' | 'rate' | 'median';
const kindOf: Record<BreakdownMeasure, MeasureKind> = {
  volume: 'count',
  first_response_p50: 'median',
  resolution_p50: 'median',
  sla_breach_rate: 'rate',
  reopen_rate: 'rate',
};

export interface Period {
  from: string;
  to: string;
}

/** The period of equal length just before `period`. */
export function previousPeriod(period: Period): Period {
  const days =
    Math.round((Date.parse(`${period.to}T00:00:00Z`) - Date.parse(`${period.from}T00:00:00Z`)) / 86_400_000) +
    1;
  return { from: addDays(period.from, -days), to: addDays(period.from, -1) };
}

/** The SQL aggregates of a measure: `n` (count or measured tickets), `num`/`den` for rates, `med`. */
function aggregates(measure: BreakdownMeasure): string {
  switch (measure) {
    case 'volume':
      return 'count(*) AS n, CAST(NULL AS bigint) AS num, CAST(NULL AS bigint) AS den, CAST(NULL AS double) AS med';
    case 'first_response_p50':
    case 'resolution_p50': {
      const column = measure === 'first_response_p50' ? 'first_response_wall_s' : 'resolution_wall_s';
      return `count(${column}) AS n, CAST(NULL AS bigint) AS num, CAST(NULL AS bigint) AS den, approx_percentile(CAST(${column} AS double), 0.5) AS med`;
    }
    case 'sla_breach_rate':
      return [
        'count(*) AS n',
        `sum(CASE WHEN sla_first_response = 'breached' OR sla_resolution = 'breached' THEN 1 ELSE 0 END) AS num`,
        'sum(CASE WHEN sla_first_response IS NOT NULL OR sla_resolution IS NOT NULL THEN 1 ELSE 0 END) AS den',
        'CAST(NULL AS double) AS med',
      ].join(', ');
    case 'reopen_rate':
      return [
        'count(*) AS n',
        'sum(CASE WHEN resolved_ms IS NOT NULL AND reopened = 1 THEN 1 ELSE 0 END) AS num',
        'sum(CASE WHEN resolved_ms IS NOT NULL THEN 1 ELSE 0 END) AS den',
        'CAST(NULL AS double) AS med',
      ].join(', ');
  }
}

/**
 * One query over both periods (reopens: `DISTINCT ticket_id` of the `reopened` rows, which a copy
 * delivered twice does not change, so no event dedupe is needed): a line per (period, cell) and a line per period for the total
 * (`is_total = 1`, via GROUPING SETS, one scan). Dimension values come back as `d0`, `d1`, ….
 */
export function breakdownSql(
  measure: BreakdownMeasure,
  dims: readonly BreakdownDim[],
  scope: ReportScope,
): string {
  const previous = previousPeriod(scope);
  const dimCols = dims.map((d, i) => `f.${d} AS d${i}`).join(', ');
  const dimNames = dims.map((_, i) => `d${i}`).join(', ');
  const reopen = measure === 'reopen_rate';
  // The creation day never changes: cutting by it before the dedupe keeps older tickets' rows out.
  const created = `created_day >= ${sqlDay(previous.from)} AND created_day <= ${sqlDay(scope.to)}`;
  // The filters (team, product…) apply to each ticket's latest row, after the dedupe. The period is
  // already cut before it; repeating it here would stop DuckDB turning the dedupe into an aggregate.
  const filters = filterColumns
    .filter((c) => scope.filters?.[c] !== undefined)
    .map((c) => `f.${c} = ${sqlString(scope.filters?.[c] as string)}`)
    .join(' AND ');
  return `WITH facts AS (${latestFacts(`${dtPrune(previous.from)} AND ${created}`)}),
${reopen ? `reopened_tickets AS (SELECT DISTINCT ticket_id FROM ticket_events WHERE ${dtPrune(previous.from)} AND type = 'reopened'),\n` : ''}t AS (
  SELECT ${dimCols}, CASE WHEN f.created_day >= ${sqlDay(scope.from)} THEN 'current' ELSE 'previous' END AS period,
    f.first_response_wall_s, f.resolution_wall_s, f.sla_first_response, f.sla_resolution, f.resolved_ms,
    ${reopen ? 'CASE WHEN r.ticket_id IS NULL THEN 0 ELSE 1 END' : '0'} AS reopened
  FROM facts f${reopen ? ' LEFT JOIN reopened_tickets r ON r.ticket_id = f.ticket_id' : ''}${filters ? `\n  WHERE ${filters}` : ''}
)
SELECT period, ${dimNames}, grouping(d0) AS is_total, ${aggregates(measure)}
FROM t GROUP BY GROUPING SETS ((period, ${dimNames}), (period))`;
}

export interface BreakdownCell {
  key: Record<string, string | null>;
  current: number | null;
  previous: number | null;
  change: number | null;
  /** The cell's part of the total's change, in the measure's unit (see the header). */
  contribution: number;
  shareOfChange: number | null;
  /** Tickets behind the figure (measured ones for medians, the denominator for rates). */
  currentCount: number;
  previousCount: number;
}
export interface Breakdown {
  total: { current: number | null; previous: number | null; change: number | null };
  cells: BreakdownCell[];
}

interface Side {
  n: number;
  num: number;
  den: number;
  med: number | null;
}
const emptySide: Side = { n: 0, num: 0, den: 0, med: null };

const sideOf = (line: Record<string, unknown>): Side => ({
  n: Number(line.n ?? 0),
  num: Number(line.num ?? 0),
  den: Number(line.den ?? 0),
  med: line.med === null || line.med === undefined ? null : Number(line.med),
});

function measured(kind: MeasureKind, side: Side): number | null {
  if (kind === 'count') return side.n;
  if (kind === 'rate') return side.den > 0 ? side.num / side.den : null;
  return side.n > 0 ? side.med : null;
}

const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);

/** Shapes the query's lines: cells by the size of their contribution, largest first. */
export function breakdownFrom(
  measure: BreakdownMeasure,
  dims: readonly BreakdownDim[],
  lines: ReadonlyArray<Record<string, unknown>>,
): Breakdown {
  const kind = kindOf[measure];
  const totals: Record<'current' | 'previous', Side> = { current: emptySide, previous: emptySide };
  const cells = new Map<string, { key: Record<string, string | null>; current: Side; previous: Side }>();
  for (const line of lines) {
    const period = line.period === 'current' ? 'current' : 'previous';
    if (Number(line.is_total) !== 0) {
      totals[period] = sideOf(line);
      continue;
    }
    const key: Record<string, string | null> = {};
    dims.forEach((d, i) => {
      const v = line[`d${i}`];
      key[d] = v === null || v === undefined ? null : String(v);
    });
    const id = JSON.stringify(dims.map((d) => key[d]));
    const cell = cells.get(id) ?? { key, current: emptySide, previous: emptySide };
    cell[period] = sideOf(line);
    cells.set(id, cell);
  }
  const total = {
    current: measured(kind, totals.current),
    previous: measured(kind, totals.previous),
    change: diff(measured(kind, totals.current), measured(kind, totals.previous)),
  };
  const part = (side: Side, all: Side): number => {
    if (kind === 'count') return side.n;
    if (kind === 'rate') return all.den > 0 ? side.num / all.den : 0;
    return all.n > 0 && side.med !== null ? (side.n / all.n) * side.med : 0;
  };
  const shaped = [...cells.values()].map((c) => {
    const current = measured(kind, c.current);
    const previous = measured(kind, c.previous);
    return {
      key: c.key,
      current,
      previous,
      change: kind === 'count' ? (current ?? 0) - (previous ?? 0) : diff(current, previous),
      contribution: part(c.current, totals.current) - part(c.previous, totals.previous),
      shareOfChange: null as number | null,
      currentCount: kind === 'rate' ? c.current.den : c.current.n,
      previousCount: kind === 'rate' ? c.previous.den : c.previous.n,
    };
  });
  const denominator =
    kind === 'median' ? shaped.reduce((s, c) => s + c.contribution, 0) : (total.change ?? 0);
  for (const c of shaped)
    c.shareOfChange = Math.abs(denominator) > 1e-12 ? c.contribution / denominator : null;
  shaped.sort(
    (a, b) =>
      Math.abs(b.contribution) - Math.abs(a.contribution) ||
      Math.abs(b.change ?? 0) - Math.abs(a.change ?? 0) ||
      JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)),
  );
  return { total, cells: shaped };
}
