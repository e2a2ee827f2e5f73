import { apiHandler } from '#shared/http/api-handler.ts';
import { channelLambdaDeps } from '#shared/runtime/channel-lambda-deps.ts';
import { route } from './route.ts';

export const handler = apiHandler(route, channelLambdaDeps());
