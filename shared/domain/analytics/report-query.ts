import { DateTime } from 'luxon';
import * as z from 'zod';
import type { FieldIssue } from '../errors.ts';
import { validationError } from '../errors.ts';
import { type FilterColumn, filterColumns, type ReportScope } from './report-filter.ts';

/**
 * The query every `/reports/*` route takes (contract §4, docs/analytics.md): a period of business-zone
 * days of creation (`from`, `to`, inclusive; default the last 28 days), exact-match filters, and the
 * answer's `format`. Bad input is a 400 `REQUEST.INVALID` naming each field: an unknown parameter, a day
 * that is not `YYYY-MM-DD`, `from` after `to`, a period over `maxPeriodDays` (the scan limit), a bad format.
 */

/** The longest period a report scans (Athena's bytes-scanned limit is sized for it). */
export const maxPeriodDays = 366;
export const defaultPeriodDays = 28;
/** The business zone of `created_day` (the default analytics calendar's). */
export const businessZone = 'Asia/Shanghai';

export const dimensions = [...filterColumns, 'day', 'week', 'month'] as const;
export type Dimension = (typeof dimensions)[number];
/** The fact column a dimension groups by. */
export const dimensionColumn: Record<Dimension, string> = {
  ...(Object.fromEntries(filterColumns.map((c) => [c, c])) as Record<FilterColumn, string>),
  day: 'created_day',
  week: 'created_week',
  month: 'created_month',
};

export const reportFormats = ['json', 'csv', 'xlsx'] as const;
export type ReportFormat = (typeof reportFormats)[number];

const Day = z
  .string()
  .refine(
    (d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && DateTime.fromISO(d, { zone: 'UTC' }).isValid,
    'expected a day, YYYY-MM-DD',
  );
const FilterValue = z.string().trim().min(1).max(120);

/** Comma-separated dimension names, each from the whitelist, no repeats. */
export const DimensionList = (max: number) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    )
    .superRefine((names, ctx) => {
      names.forEach((name, i) => {
        if (!(dimensions as readonly string[]).includes(name))
          ctx.addIssue({
            code: 'custom',
            message: `unknown dimension '${name}'; one of ${dimensions.join(', ')}`,
          });
        else if (names.indexOf(name) !== i)
          ctx.addIssue({ code: 'custom', message: `'${name}' given twice` });
      });
      if (names.length > max) ctx.addIssue({ code: 'custom', message: `at most ${max} dimensions` });
    })
    .pipe(z.array(z.enum(dimensions)));

/** The common fields; a route adds its own (`extra`) and gets the unknown-parameter check. */
export function reportQuery<S extends z.ZodRawShape>(extra: S) {
  const shape = {
    from: Day.optional(),
    to: Day.optional(),
    format: z.enum(reportFormats).default('json'),
    ...(Object.fromEntries(filterColumns.map((c) => [c, FilterValue.optional()])) as Record<
      FilterColumn,
      z.ZodOptional<typeof FilterValue>
    >),
    ...extra,
  };
  const known = new Set(Object.keys(shape));
  return z.looseObject(shape).superRefine((query, ctx) => {
    for (const key of Object.keys(query)) {
      if (!known.has(key))
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `unknown parameter; filters are ${filterColumns.join(', ')}`,
        });
    }
    const { from, to } = query as { from?: string; to?: string };
    if (from && to) {
      if (from > to)
        ctx.addIssue({ code: 'custom', path: ['from'], message: `from (${from}) is after to (${to})` });
      else if (daysBetween(from, to) + 1 > maxPeriodDays)
        ctx.addIssue({
          code: 'custom',
          path: ['to'],
          message: `the period is over ${maxPeriodDays} days (the scan limit)`,
        });
    }
  });
}

const daysBetween = (a: string, b: string) =>
  Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
const plusDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** Today in the business zone. */
export const businessToday = (now: Date, zone = businessZone) =>
  DateTime.fromJSDate(now, { zone }).toFormat('yyyy-MM-dd');

/** The instant a business day ends (the next day's local midnight), epoch ms. */
export const endOfBusinessDay = (day: string, zone = businessZone) =>
  DateTime.fromISO(day, { zone }).plus({ days: 1 }).toMillis();

/**
 * The period and filters of a parsed query: a missing `to` is today, a missing `from` 28 days before
 * `to` (or `from` + 27 days when only `from` is given, not after today). Rechecks the limits once the
 * defaults are in (a lone `from` far back, a lone `to` before… ) with the same field-level 400s.
 */
export function reportScope(
  query: Partial<Record<FilterColumn | 'from' | 'to', string | undefined>>,
  now: Date,
): ReportScope {
  const today = businessToday(now);
  let { from, to } = query;
  if (!to) to = from ? min(plusDays(from, defaultPeriodDays - 1), today) : today;
  if (!from) from = plusDays(to, -(defaultPeriodDays - 1));
  const issues: FieldIssue[] = [];
  if (from > to) issues.push({ path: 'from', message: `from (${from}) is after to (${to})`, code: 'custom' });
  else if (daysBetween(from, to) + 1 > maxPeriodDays)
    issues.push({
      path: 'to',
      message: `the period is over ${maxPeriodDays} days (the scan limit)`,
      code: 'custom',
    });
  if (issues.length) throw validationError('The request query has invalid fields', issues);
  const filters: Partial<Record<FilterColumn, string>> = {};
  for (const c of filterColumns) {
    const v = query[c];
    if (v !== undefined) filters[c] = v;
  }
  return { from, to, filters };
}

const min = (a: string, b: string) => (a < b ? a : b);

/** `<report>-<from>-<to>.<ext>`: the download's file name. */
export const reportFileName = (
  report: string,
  scope: Pick<ReportScope, 'from' | 'to'>,
  format: Exclude<ReportFormat, 'json'>,
) => `${report}-${scope.from}-${scope.to}.${format}`;
