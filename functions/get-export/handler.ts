import { apiHandler } from '#shared/http/api-handler.ts';
import { correlationOf, lambda } from '#shared/runtime/lambda.ts';
import { exportApiDeps } from '#shared/runtime/lambda-exports.ts';
import { route } from './route.ts';

export const handler = lambda(apiHandler(route, exportApiDeps()), correlationOf.api);
