import { lambda } from '#shared/runtime/lambda.ts';
import { insightJobDeps } from '#shared/runtime/lambda-insights.ts';
import { runDigest } from '#shared/use-cases/insights.ts';

// Mondays 09:00 Asia/Shanghai (EventBridge Scheduler): the weekly digest e-mail (docs/analytics.md, "Weekly digest").
export const handler = lambda(async (_event: unknown) => runDigest(insightJobDeps()));
