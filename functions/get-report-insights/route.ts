import type { InsightStore } from '#shared/domain/analytics/insights.ts';
import { defineRoute, type RouteDeps } from '#shared/http/route.ts';
import type { TicketDeps } from '#shared/use-cases/deps.ts';
import { InsightsQuery, listInsights } from '#shared/use-cases/insights.ts';

export const route = defineRoute<
  undefined,
  InsightsQuery,
  Pick<TicketDeps, 'clock'> & { insights: InsightStore } & RouteDeps
>({
  name: 'get-report-insights',
  method: 'GET',
  path: '/reports/insights',
  roles: ['supervisor', 'admin'],
  query: InsightsQuery,
  access: 'read',
  doc: {
    responses: [
      {
        status: 200,
        description:
          'The spikes the spike job found on the business days from `from` to `to` (default the last 28), newest first, each with its series, count, expected count, factor, p-value, window, sample tickets and who was notified (docs/analytics.md, "Spikes")',
      },
    ],
  },
  async handle({ query }, deps) {
    return { status: 200, body: await listInsights(query, deps) };
  },
});
