import type { InsightStore } from '#shared/domain/analytics/insights.ts';
import { defineRoute, type RouteDeps } from '#shared/http/route.ts';
import type { TicketDeps } from '#shared/use-cases/deps.ts';
import { ForecastQuery, getForecast } from '#shared/use-cases/insights.ts';
import type { ReportsDeps } from '#shared/use-cases/reports.ts';

export const route = defineRoute<
  undefined,
  ForecastQuery,
  Pick<TicketDeps, 'clock' | 'logger'> & { insights: InsightStore; reports: ReportsDeps } & RouteDeps
>({
  name: 'get-report-forecast',
  method: 'GET',
  path: '/reports/forecast',
  roles: ['supervisor', 'admin'],
  query: ForecastQuery,
  access: 'read',
  uses: ['reports'],
  doc: {
    responses: [
      {
        status: 200,
        description:
          "The team's daily new tickets for the next `days` (1–28, default 14) with an 80 % band, holidays marked, the agents needed per day at the team's handle time, and the model's rolling-origin backtest error (docs/analytics.md, \"Forecast and staffing\")",
      },
      { status: 404, description: 'The team has had no tickets in the last 182 days' },
    ],
  },
  async handle({ query }, deps) {
    return {
      status: 200,
      body: await getForecast(query, {
        engine: deps.reports.engine,
        insights: deps.insights,
        clock: deps.clock,
        logger: deps.logger,
      }),
    };
  },
});
