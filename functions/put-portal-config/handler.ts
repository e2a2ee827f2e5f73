import { apiHandler } from '#shared/http/api-handler.ts';
import { correlationOf, lambda } from '#shared/runtime/lambda.ts';
import { portalConfigDeps } from '#shared/runtime/lambda-portal-config.ts';
import { route } from './route.ts';

export const handler = lambda(apiHandler(route, portalConfigDeps()), correlationOf.api);
