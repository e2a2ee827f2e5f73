/**
 * What the reports page reads (`GET /reports/...`, docs/analytics.md and .scratch/analytics-contract.md §4),
 * the page's filters as they stand in the URL, and the report downloads (CSV / XLSX).
 */
import { useQuery } from '@tanstack/react-query';
// Type-only (test/unit/console-imports.test.ts): the lists below are checked against the API's own.
import type { BottleneckView } from '../../../shared/domain/analytics/bottlenecks.ts';
import type { BreakdownMeasure } from '../../../shared/domain/analytics/breakdown.ts';
import type {
  KpiReport as KpiReportRecord,
  Kpis as KpisRecord,
} from '../../../shared/domain/analytics/kpis.ts';
import type { LiveFigures } from '../../../shared/domain/analytics/live.ts';
import type { FilterColumn } from '../../../shared/domain/analytics/report-filter.ts';
import type { getForecast, listInsights } from '../../../shared/use-cases/insights.ts';
import { ApiError } from '../api.ts';
import { useApp } from '../app-context.ts';
import { serverNow } from '../clock.ts';

export type Kpis = KpisRecord;
export type KpiReport = KpiReportRecord;
export type LiveReport = LiveFigures;
export interface Period {
  from: string;
  to: string;
}
export const bottleneckViews = ['state', 'team', 'wait'] as const satisfies readonly BottleneckView[];
export interface BottleneckReport {
  period: Period;
  by: BottleneckView;
  rows: {
    key: string;
    tickets: number;
    totalHours: number;
    p50Hours: number | null;
    p90Hours: number | null;
    share: number | null;
  }[];
  /** The five longest stays per key; `current` while the ticket is still there. */
  stalled: Record<string, { id: string; number: string; hours: number; current?: boolean }[]>;
}
export const measures = [
  'volume',
  'first_response_p50',
  'resolution_p50',
  'sla_breach_rate',
  'reopen_rate',
] as const satisfies readonly BreakdownMeasure[];
export type Measure = (typeof measures)[number];
export interface BreakdownReport {
  period: Period;
  previous: Period;
  measure: Measure;
  dims: string[];
  total: { current: number | null; previous: number | null; change: number | null };
  cells: {
    key: Record<string, string | null>;
    current: number | null;
    previous: number | null;
    change: number | null;
    shareOfChange: number | null;
  }[];
}
/** `GET /reports/insights`. */
export type InsightsReport = Awaited<ReturnType<typeof listInsights>>;
export type Insight = InsightsReport['items'][number];
/** `GET /reports/forecast?team=&days=`. */
export type ForecastReport = Awaited<ReturnType<typeof getForecast>>;

/** The filters every panel shares (contract §4: exact matches). */
export const filterKeys = [
  'team',
  'product',
  'region',
  'channel',
  'priority',
] as const satisfies readonly FilterColumn[];
export type FilterKey = (typeof filterKeys)[number];
/** The drill-down's dimensions: the filter columns (a calendar dimension would split the two periods apart). */
export const dimensions = [
  'team',
  'agent',
  'category',
  'intent',
  'product',
  'model',
  'region',
  'channel',
  'priority',
  'tier',
] as const satisfies readonly FilterColumn[];
export const presets = [7, 28, 90] as const;

export interface ReportView {
  from: string;
  to: string;
  filters: Partial<Record<FilterKey, string>>;
  measure: Measure;
  dims: [string, string];
  by: BottleneckView;
}

const day = 86_400_000;
/** A day (`YYYY-MM-DD`) in the business time zone (contract: created_day is Asia/Shanghai). */
export function businessDay(ms: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(ms));
}
export const addDays = (date: string, n: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * day).toISOString().slice(0, 10);
export const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / day) + 1;

export function presetPeriod(days: number): Period {
  const to = businessDay(serverNow());
  return { from: addDays(to, -(days - 1)), to };
}
/** The period of the same length just before `p` (the tiles' trend compares against it). */
export function previousPeriod(p: Period): Period {
  const n = daysBetween(p.from, p.to);
  return { from: addDays(p.from, -n), to: addDays(p.from, -1) };
}

const isDay = (v: string | null): v is string => !!v && /^\d{4}-\d{2}-\d{2}$/.test(v);

export function readView(search: string): ReportView {
  const q = new URLSearchParams(search);
  const fallback = presetPeriod(28);
  const from = q.get('from');
  const to = q.get('to');
  const filters: ReportView['filters'] = {};
  for (const k of filterKeys) {
    const v = q.get(k);
    if (v) filters[k] = v;
  }
  const measure = q.get('measure') as Measure | null;
  const dims = (q.get('dims') ?? '').split(',').filter(Boolean);
  return {
    from: isDay(from) ? from : fallback.from,
    to: isDay(to) ? to : fallback.to,
    filters,
    measure: measure && measures.includes(measure) ? measure : 'volume',
    dims: [dims[0] ?? 'product', dims[1] ?? 'region'],
    by: (bottleneckViews as readonly string[]).includes(q.get('by') ?? '')
      ? (q.get('by') as BottleneckView)
      : 'state',
  };
}

export function viewSearch(v: ReportView): string {
  const q = new URLSearchParams({ from: v.from, to: v.to });
  for (const k of filterKeys) if (v.filters[k]) q.set(k, v.filters[k]!);
  q.set('measure', v.measure);
  q.set('dims', v.dims.join(','));
  q.set('by', v.by);
  return q.toString();
}

/** The query every period report takes: the period and the shared filters. */
export const periodQuery = (v: Pick<ReportView, 'from' | 'to' | 'filters'>) => ({
  from: v.from,
  to: v.to,
  ...v.filters,
});

/** A route that is not deployed (yet) answers 404 ROUTE.NOT_FOUND: the panel says "not available". */
export const unavailable = (error: unknown) =>
  error instanceof ApiError && error.status === 404 && error.code === 'ROUTE.NOT_FOUND';

export function useReport<T>(
  path: string,
  query: Record<string, string | undefined>,
  refetchInterval?: number,
  enabled = true,
) {
  const { api } = useApp();
  return useQuery({
    queryKey: ['reports', path, query],
    queryFn: () => api.get<T>(path, query),
    enabled,
    placeholderData: (previous) => previous,
    staleTime: 30_000,
    ...(refetchInterval ? { refetchInterval } : {}),
  });
}

/**
 * Downloads a report as a file (`format=csv|xlsx`): the API answers the file itself with its name in
 * Content-Disposition; the bearer token means it is fetched and handed to the browser as a blob.
 */
export async function downloadReport(
  baseUrl: string,
  token: string | null,
  path: string,
  query: Record<string, string | undefined>,
  format: 'csv' | 'xlsx',
): Promise<string> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) q.set(k, v);
  q.set('format', format);
  const response = await fetch(`${baseUrl}${path}?${q}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as {
      error?: { code?: string; message?: string };
    } | null;
    throw new ApiError(
      response.status,
      body?.error?.code ?? `HTTP.${response.status}`,
      body?.error?.message ?? response.statusText,
    );
  }
  const disposition = response.headers.get('content-disposition') ?? '';
  const name =
    decodeURIComponent(disposition.match(/filename\*=UTF-8''([^;]+)/i)?.[1] ?? '') ||
    disposition.match(/filename="?([^";]+)"?/i)?.[1] ||
    `${path.split('/').pop()}-${query.from}-${query.to}.${format}`;
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}
