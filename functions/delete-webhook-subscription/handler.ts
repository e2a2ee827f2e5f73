import { apiHandler } from '#shared/http/api-handler.ts';
import { correlationOf, lambda } from '#shared/runtime/lambda.ts';
import { webhooksOutApiDeps } from '#shared/runtime/lambda-webhooks-out.ts';
import { route } from './route.ts';

export const handler = lambda(apiHandler(route, webhooksOutApiDeps()), correlationOf.api);
