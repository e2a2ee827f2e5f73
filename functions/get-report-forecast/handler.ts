import { apiHandler } from '#shared/http/api-handler.ts';
import { correlationOf, lambda } from '#shared/runtime/lambda.ts';
import { insightReportApiDeps } from '#shared/runtime/lambda-insights.ts';
import { route } from './route.ts';

// The forecast reads the stored one (table) or computes it from the lake (Athena): docs/analytics.md.
export const handler = lambda(apiHandler(route, insightReportApiDeps()), correlationOf.api);
