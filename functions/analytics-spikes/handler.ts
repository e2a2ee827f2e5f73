import { lambda } from '#shared/runtime/lambda.ts';
import { insightJobDeps } from '#shared/runtime/lambda-insights.ts';
import { runSpikeDetection } from '#shared/use-cases/insights.ts';

// Every 15 minutes (EventBridge Scheduler): spike detection over the lake (docs/analytics.md, "Spikes").
export const handler = lambda(async (_event: unknown) => runSpikeDetection(insightJobDeps()));
