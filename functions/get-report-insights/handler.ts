import { apiHandler } from '#shared/http/api-handler.ts';
import { correlationOf, lambda } from '#shared/runtime/lambda.ts';
import { insightApiDeps } from '#shared/runtime/lambda-insights.ts';
import { route } from './route.ts';

// The insights are in the table: the API's deps and the insight store (docs/analytics.md).
export const handler = lambda(apiHandler(route, insightApiDeps()), correlationOf.api);
