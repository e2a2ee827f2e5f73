import * as z from 'zod';
import { type KpiReport, type Kpis, kpiReport } from '../domain/analytics/kpis.ts';
import type { ReportEngine } from '../domain/analytics/lake-records.ts';
import { type LiveFigures, liveFigures } from '../domain/analytics/live.ts';
import {
  type Dimension,
  DimensionList,
  endOfBusinessDay,
  reportQuery,
  reportScope,
} from '../domain/analytics/report-query.ts';
import type { Ticket } from '../domain/ticket/ticket.entity.ts';
import type { TicketDeps } from './deps.ts';
import type { ReportTable } from './report-file.ts';

/**
 * The reports' use cases (docs/analytics.md). Lake reports run SQL on `reports.engine` (DuckDB locally,
 * Athena in AWS); the live figures read the ticket table.
 */
export interface ReportsDeps {
  engine: ReportEngine;
}

export interface ReportDeps extends Pick<TicketDeps, 'clock' | 'tickets' | 'sla'> {
  reports: ReportsDeps;
}

export const KpiQuery = reportQuery({
  /** Up to three dimensions, comma-separated: `team,week`. */
  groupBy: DimensionList(3).optional(),
});
export type KpiQuery = z.infer<typeof KpiQuery>;

const Seconds = z.number().nullable();
const Ratio = z.number().min(0).max(1).nullable();
const Durations = z.object({
  p50Wall: Seconds,
  p90Wall: Seconds,
  p50Business: Seconds,
  p90Business: Seconds,
});
/** The measures (docs/analytics.md): seconds, ratios 0..1, null when there is nothing to measure. */
export const KpisBody = z.object({
  volume: z.number().int(),
  firstResponse: Durations,
  resolution: Durations,
  slaCompliance: z.object({ firstResponse: Ratio, resolution: Ratio }),
  fcr: Ratio,
  reopenRate: Ratio,
  transfersPerTicket: z.number().nullable(),
  backlogAgeP50: Seconds,
  csat: z.number().nullable(),
  csatCount: z.number().int(),
});
/** The KPI report's JSON answer, for the OpenAPI document. */
export const KpiReportBody = z.object({
  period: z.object({ from: z.string(), to: z.string() }),
  groupBy: z.array(z.string()),
  totals: KpisBody,
  rows: z.array(KpisBody.extend({ group: z.record(z.string(), z.string().nullable()) })),
});
const LiveCountsBody = { backlog: z.number().int(), atRisk: z.number().int(), breached: z.number().int() };
/** The live figures' JSON answer, for the OpenAPI document. */
export const LiveFiguresBody = z.object({
  at: z.string(),
  ...LiveCountsBody,
  byTeam: z.array(z.object({ team: z.string().nullable(), ...LiveCountsBody })),
});

export async function getKpis(
  query: KpiQuery,
  deps: Pick<ReportDeps, 'clock' | 'reports'>,
): Promise<KpiReport> {
  const now = deps.clock.now();
  const scope = reportScope(query, now);
  return kpiReport(deps.reports.engine, scope, query.groupBy ?? [], now, endOfBusinessDay(scope.to));
}

/** The KPI measures as flat columns: the file's layout (group columns first, then a totals row). */
export const kpiColumns: ReadonlyArray<{ key: string; header: string; value: (k: Kpis) => number | null }> = [
  { key: 'volume', header: 'volume', value: (k) => k.volume },
  { key: 'fr_p50_wall', header: 'firstResponse.p50Wall (s)', value: (k) => k.firstResponse.p50Wall },
  { key: 'fr_p90_wall', header: 'firstResponse.p90Wall (s)', value: (k) => k.firstResponse.p90Wall },
  {
    key: 'fr_p50_business',
    header: 'firstResponse.p50Business (s)',
    value: (k) => k.firstResponse.p50Business,
  },
  {
    key: 'fr_p90_business',
    header: 'firstResponse.p90Business (s)',
    value: (k) => k.firstResponse.p90Business,
  },
  { key: 'res_p50_wall', header: 'resolution.p50Wall (s)', value: (k) => k.resolution.p50Wall },
  { key: 'res_p90_wall', header: 'resolution.p90Wall (s)', value: (k) => k.resolution.p90Wall },
  { key: 'res_p50_business', header: 'resolution.p50Business (s)', value: (k) => k.resolution.p50Business },
  { key: 'res_p90_business', header: 'resolution.p90Business (s)', value: (k) => k.resolution.p90Business },
  { key: 'sla_fr', header: 'slaCompliance.firstResponse', value: (k) => k.slaCompliance.firstResponse },
  { key: 'sla_res', header: 'slaCompliance.resolution', value: (k) => k.slaCompliance.resolution },
  { key: 'fcr', header: 'fcr', value: (k) => k.fcr },
  { key: 'reopen_rate', header: 'reopenRate', value: (k) => k.reopenRate },
  { key: 'transfers', header: 'transfersPerTicket', value: (k) => k.transfersPerTicket },
  { key: 'backlog_age', header: 'backlogAgeP50 (s)', value: (k) => k.backlogAgeP50 },
  { key: 'csat', header: 'csat', value: (k) => k.csat },
  { key: 'csat_count', header: 'csatCount', value: (k) => k.csatCount },
];

/** The KPI report as a table for CSV/XLSX (`reportFile`): one line per group, then a `(total)` line. */
export function kpiTable(report: KpiReport): ReportTable {
  const dims: Dimension[] = report.groupBy;
  const measures = (k: Kpis) => kpiColumns.map((c) => c.value(k));
  return {
    columns: [...dims, ...kpiColumns.map((c) => c.header)],
    rows: [
      ...report.rows.map((r) => [...dims.map((d) => r.group[d] ?? ''), ...measures(r)]),
      [...dims.map((_, i) => (i === 0 ? '(total)' : '')), ...measures(report.totals)],
    ],
  };
}

/**
 * Today's backlog, at risk and breached, in total and per team: every active ticket read from the
 * status index (new, open, pending; 8 shards each, merged), a page of up to 1,000 evaluated items at a time.
 */
export async function getLiveFigures(
  deps: Pick<ReportDeps, 'clock' | 'tickets' | 'sla'>,
): Promise<LiveFigures> {
  const now = deps.clock.now();
  const config = await deps.sla.config.load();
  const tickets: Ticket[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.tickets.list({ active: true }, { limit: 1000, ...(cursor ? { cursor } : {}) });
    tickets.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return liveFigures(tickets, now, config);
}
