import { apiHandler } from '#shared/http/api-handler.ts';
import { correlationOf, lambda } from '#shared/runtime/lambda.ts';
import { reportApiDeps } from '#shared/runtime/lambda-reports.ts';
import { route } from './route.ts';

// The report routes' deps: the API's, and Athena over the analytics lake (docs/analytics.md).
export const handler = lambda(apiHandler(route, reportApiDeps()), correlationOf.api);
