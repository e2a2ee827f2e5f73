import { eventColumns, factColumns } from './lake-records.ts';

/**
 * The one place report SQL gets its literals and its dedupe (docs/analytics.md, "Dialect rules"). The
 * SQL runs unchanged on Athena (Trino, engine v3) and on DuckDB (with the Trino macros the DuckDB adapter
 * defines), so it uses only what both accept: `WITH`, window functions, `CASE`, `count(DISTINCT …)`,
 * `approx_percentile(x, p)`, `CAST(x AS double)` before any division, `coalesce`, single-quoted literals.
 *
 * Literals are only ever validated values: days matching `YYYY-MM-DD` (`sqlDay`), names from a whitelist,
 * and free values through `sqlString`, which doubles single quotes.
 */

const isoDay = /^\d{4}-\d{2}-\d{2}$/;

/** A string literal: `O'Brien` → `'O''Brien'`. Control characters are refused (a NUL ends C strings). */
export function sqlString(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(value))
    throw new RangeError('control character in a SQL string');
  return `'${value.replaceAll("'", "''")}'`;
}

/** A `YYYY-MM-DD` literal; throws on anything else (callers validate first, this is the backstop). */
export function sqlDay(day: string): string {
  if (!isoDay.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`)))
    throw new RangeError(`not a day: ${day}`);
  return `'${day}'`;
}

/** `YYYY-MM-DD` plus `days` (negative to go back), in UTC calendar arithmetic. */
export function addDays(day: string, days: number): string {
  const t = Date.parse(`${day}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/**
 * The lowest `dt` partition that can hold rows of tickets created on business day `from` or later.
 * `dt` is the UTC day of the write, `created_day` the business-zone day: in a zone east of UTC
 * (Asia/Shanghai, +8) a ticket created at 00:30 local on `from` is written on UTC day `from − 1`. One day
 * back covers every zone; rows are never written before their ticket was created, so nothing later is
 * missed.
 */
export function partitionFloor(from: string): string {
  return addDays(from, -1);
}

/** `dt >= '<from − 1 day>'`: the partition pruning every period query carries. */
export function dtPrune(from: string): string {
  return `dt >= ${sqlDay(partitionFloor(from))}`;
}

const factNames = factColumns.map(([name]) => name).join(', ');
const eventNames = eventColumns.map(([name]) => name).join(', ');

/**
 * `ticket_facts` as the tickets stand: the row with the highest `version` per ticket (delivery is at
 * least once, so the same version may be there twice; any copy will do). `where` filters raw rows
 * *before* the dedupe, so give it only partition pruning (`dtPrune`) and columns a ticket never changes
 * (`created_day`, `created_ms`, `ticket_id`); filter on team, status… outside, on the latest row.
 * Use as a subquery: `WITH facts AS (${latestFacts(dtPrune(from))}) SELECT … FROM facts`.
 *
 * The order is one key, `version · 10¹³ + at_ms` (the same order as `version DESC, at_ms DESC` while
 * `at_ms` < 10¹³, i.e. until the year 2286): with a single key DuckDB turns `rn_ = 1` into an `arg_max`
 * hash aggregate instead of sorting every row (that step 2–3× faster at 1 M tickets; docs/analytics.md "Scale and
 * cost"). It does so only when nothing sits between the filter and the window, so put filters on mutable
 * columns in the outer query only when there are some. `max_by` per column is not an option: DuckDB's
 * skips NULL values (a latest row's NULL `resolved_ms` would give an older value), Trino's does not.
 */
export function latestFacts(where?: string): string {
  return [
    `SELECT ${factNames} FROM (`,
    `SELECT ${factNames}, row_number() OVER (PARTITION BY ticket_id ORDER BY CAST(version AS bigint) * 10000000000000 + at_ms DESC) AS rn_`,
    `FROM ticket_facts${where ? ` WHERE ${where}` : ''}`,
    ') latest_facts WHERE rn_ = 1',
  ].join(' ');
}

/** `ticket_events` with one row per `event_id` (same `where` rule as `latestFacts`). */
export function distinctEvents(where?: string): string {
  return [
    `SELECT ${eventNames} FROM (`,
    `SELECT ${eventNames}, row_number() OVER (PARTITION BY event_id ORDER BY at_ms) AS rn_`,
    `FROM ticket_events${where ? ` WHERE ${where}` : ''}`,
    ') distinct_events WHERE rn_ = 1',
  ].join(' ');
}
