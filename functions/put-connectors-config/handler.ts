import { apiHandler } from '#shared/http/api-handler.ts';
import { correlationOf, lambda } from '#shared/runtime/lambda.ts';
import { customer360Deps } from '#shared/runtime/lambda-customer360.ts';
import { route } from './route.ts';

export const handler = lambda(apiHandler(route, customer360Deps()), correlationOf.api);
