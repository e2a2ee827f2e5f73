import type { InsightStore } from '../domain/analytics/insights.ts';
import type { ApiDeps } from '../http/route.ts';
import type { InsightJobDeps } from '../use-cases/insights.ts';
import type { ReportsDeps } from '../use-cases/reports.ts';
import { reactionEdges } from './aws/reaction-edges.ts';
import { apiDeps, once, platform, platformWith, ticketDeps } from './lambda.ts';
import { reportApiDeps } from './lambda-reports.ts';
import { wireInsightJobs, wireInsightStore } from './wire-insights.ts';

/** `GET /reports/insights`: the API's deps and the insight store (the table only). */
export const insightApiDeps = /* @__PURE__ */ once((): ApiDeps & { insights: InsightStore } => ({
  ...apiDeps(),
  insights: wireInsightStore(process.env, platform()),
}));

/** `GET /reports/forecast`: the report routes' deps (Athena) and the insight store. */
export const insightReportApiDeps = /* @__PURE__ */ once(
  (): ApiDeps & { reports: ReportsDeps; insights: InsightStore } => ({
    ...reportApiDeps(),
    insights: wireInsightStore(process.env, platform()),
  }),
);

/** The insight jobs: Athena, the table, the bus, SES and chat webhooks (the dispatcher's edges for those three). */
export const insightJobDeps = /* @__PURE__ */ once((): InsightJobDeps => {
  const edges = platformWith({
    eventBus: reactionEdges.eventBus,
    email: reactionEdges.email,
    chat: reactionEdges.chat,
  });
  return wireInsightJobs(process.env, edges, ticketDeps(), reportApiDeps().reports.engine);
});
