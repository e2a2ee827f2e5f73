import { lambda } from '#shared/runtime/lambda.ts';
import { insightJobDeps } from '#shared/runtime/lambda-insights.ts';
import { runForecasts } from '#shared/use-cases/insights.ts';

// Daily (EventBridge Scheduler): each team's 14-day forecast, stored for the day (docs/analytics.md, "Forecast and staffing").
export const handler = lambda(async (_event: unknown) => runForecasts(insightJobDeps()));
