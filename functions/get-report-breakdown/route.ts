import * as z from 'zod';
import { breakdownDimsRange, breakdownMeasures } from '#shared/domain/analytics/breakdown.ts';
import { filterColumns } from '#shared/domain/analytics/report-filter.ts';
import { DimensionList, reportQuery, reportScope } from '#shared/domain/analytics/report-query.ts';
import { defineRoute, type RouteDeps } from '#shared/http/route.ts';
import { breakdownReport, breakdownTable } from '#shared/use-cases/report-drilldown.ts';
import { reportContentTypes, reportDownload } from '#shared/use-cases/report-file.ts';
import type { ReportDeps } from '#shared/use-cases/reports.ts';

const Dims = DimensionList(breakdownDimsRange.max).superRefine((dims, ctx) => {
  if (dims.length < breakdownDimsRange.min)
    ctx.addIssue({
      code: 'custom',
      message: `at least ${breakdownDimsRange.min} dimensions, e.g. product,region`,
    });
  for (const d of dims)
    if (!(filterColumns as readonly string[]).includes(d))
      ctx.addIssue({
        code: 'custom',
        message: `'${d}' splits the two periods apart (no cell would have both); use ${filterColumns.join(', ')}`,
      });
});

const Query = reportQuery({
  measure: z.enum(breakdownMeasures).default('volume'),
  dims: Dims,
  /** How many cells to return, the largest contributions first. */
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const Value = z.number().nullable();

/**
 * Root-cause drill-down (docs/analytics.md, "Drill-down"): a measure by two or more dimensions, this period
 * against the one before, each cell's change and its share of the total change.
 */
export const route = defineRoute<undefined, z.infer<typeof Query>, ReportDeps & RouteDeps>({
  name: 'get-report-breakdown',
  method: 'GET',
  path: '/reports/breakdown',
  roles: ['supervisor', 'admin'],
  query: Query,
  access: 'read',
  uses: ['reports'],
  doc: {
    responses: [
      {
        status: 200,
        description:
          'The cells by the size of their contribution to the change (largest first); `format=csv|xlsx` gives the cells as a file',
        files: Object.values(reportContentTypes),
        body: z.object({
          period: z.object({ from: z.string(), to: z.string() }),
          previous: z.object({ from: z.string(), to: z.string() }),
          measure: z.enum(breakdownMeasures),
          dims: z.array(z.string()),
          total: z.object({ current: Value, previous: Value, change: Value }),
          cellCount: z.number().int(),
          cells: z.array(
            z.object({
              key: z.record(z.string(), z.string().nullable()),
              current: Value,
              previous: Value,
              change: Value,
              contribution: z.number(),
              shareOfChange: Value,
              currentCount: z.number().int(),
              previousCount: z.number().int(),
            }),
          ),
        }),
      },
    ],
  },
  async handle({ query }, deps) {
    const scope = reportScope(query, deps.clock.now());
    const dims = query.dims.filter((d) => (filterColumns as readonly string[]).includes(d)) as Array<
      (typeof filterColumns)[number]
    >;
    const report = await breakdownReport(query.measure, dims, scope, query.limit, {
      engine: deps.reports.engine,
      clock: deps.clock,
    });
    if (query.format === 'json') return { status: 200, body: report };
    return reportDownload('breakdown', scope, query.format, breakdownTable(report));
  },
});
