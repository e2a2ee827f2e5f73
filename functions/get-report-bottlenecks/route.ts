import * as z from 'zod';
import { bottleneckViews } from '#shared/domain/analytics/bottlenecks.ts';
import { reportQuery, reportScope } from '#shared/domain/analytics/report-query.ts';
import { defineRoute, type RouteDeps } from '#shared/http/route.ts';
import { bottlenecksReport, bottlenecksTable } from '#shared/use-cases/report-drilldown.ts';
import { reportContentTypes, reportDownload } from '#shared/use-cases/report-file.ts';
import type { ReportDeps } from '#shared/use-cases/reports.ts';

const Query = reportQuery({ by: z.enum(bottleneckViews).default('state') });

const Row = z.object({
  key: z.string(),
  tickets: z.number().int(),
  totalHours: z.number(),
  p50Hours: z.number().nullable(),
  p90Hours: z.number().nullable(),
  share: z.number().nullable(),
});
const Stalled = z.object({ id: z.string(), number: z.string(), hours: z.number(), current: z.boolean() });

/**
 * Where the tickets created in the period spent their time (docs/analytics.md, "Bottlenecks"): by
 * status, by team, or waiting on child tickets and approvals, with the five longest stays per key.
 */
export const route = defineRoute<undefined, z.infer<typeof Query>, ReportDeps & RouteDeps>({
  name: 'get-report-bottlenecks',
  method: 'GET',
  path: '/reports/bottlenecks',
  roles: ['supervisor', 'admin'],
  query: Query,
  access: 'read',
  uses: ['reports'],
  doc: {
    responses: [
      {
        status: 200,
        description:
          'Hours per status (`by=state`), per team while active (`by=team`), or waiting on child tickets and approvals (`by=wait`); `format=csv|xlsx` gives the rows as a file',
        files: Object.values(reportContentTypes),
        body: z.object({
          period: z.object({ from: z.string(), to: z.string() }),
          by: z.enum(bottleneckViews),
          rows: z.array(Row),
          stalled: z.record(z.string(), z.array(Stalled)),
        }),
      },
    ],
  },
  async handle({ query }, deps) {
    const scope = reportScope(query, deps.clock.now());
    const report = await bottlenecksReport(query.by, scope, {
      engine: deps.reports.engine,
      clock: deps.clock,
    });
    if (query.format === 'json') return { status: 200, body: report };
    return reportDownload('bottlenecks', scope, query.format, bottlenecksTable(report));
  },
});
