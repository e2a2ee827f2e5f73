import { apiHandler } from '#shared/http/api-handler.ts';
import { correlationOf, lambda } from '#shared/runtime/lambda.ts';
import { channelDeps } from '#shared/runtime/lambda-channels.ts';
import { route } from './route.ts';

export const handler = lambda(apiHandler(route, channelDeps()), correlationOf.api);
