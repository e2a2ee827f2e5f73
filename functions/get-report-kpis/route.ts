import { defineRoute, type RouteDeps } from '#shared/http/route.ts';
import { reportContentTypes, reportDownload } from '#shared/use-cases/report-file.ts';
import { getKpis, KpiQuery, KpiReportBody, kpiTable, type ReportDeps } from '#shared/use-cases/reports.ts';

export const route = defineRoute<undefined, KpiQuery, ReportDeps & RouteDeps>({
  name: 'get-report-kpis',
  method: 'GET',
  path: '/reports/kpis',
  roles: ['supervisor', 'admin'],
  query: KpiQuery,
  access: 'read',
  uses: ['reports'],
  doc: {
    responses: [
      {
        status: 200,
        description:
          'KPIs over the period (tickets created on its business days), in total and per group of `groupBy`; `format=csv|xlsx` gives a file `kpis-<from>-<to>.<ext>` (docs/analytics.md)',
        body: KpiReportBody,
        files: Object.values(reportContentTypes),
      },
    ],
  },
  async handle({ query }, deps) {
    const report = await getKpis(query, deps);
    if (query.format === 'json') return { status: 200, body: report };
    return reportDownload('kpis', report.period, query.format, kpiTable(report), 'KPIs');
  },
});
