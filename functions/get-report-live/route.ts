import { defineRoute, type RouteDeps } from '#shared/http/route.ts';
import { getLiveFigures, LiveFiguresBody, type ReportDeps } from '#shared/use-cases/reports.ts';

export const route = defineRoute<undefined, undefined, ReportDeps & RouteDeps>({
  name: 'get-report-live',
  method: 'GET',
  path: '/reports/live',
  roles: ['supervisor', 'admin'],
  access: 'read',
  doc: {
    responses: [
      {
        status: 200,
        description:
          "Today's backlog, at-risk and breached tickets, in total and per team, from the ticket table (docs/analytics.md)",
        body: LiveFiguresBody,
      },
    ],
  },
  async handle(_request, deps) {
    return { status: 200, body: await getLiveFigures(deps) };
  },
});
