import { apiHandler } from '#shared/http/api-handler.ts';
import { apiDeps, correlationOf, lambda } from '#shared/runtime/lambda.ts';
import { route } from './route.ts';

export const handler = lambda(apiHandler(route, apiDeps()), correlationOf.api);
