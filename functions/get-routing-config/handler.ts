import { apiHandler } from '#shared/http/api-handler.ts';
import { lambdaDeps } from '#shared/runtime/lambda-deps.ts';
import { route } from './route.ts';

export const handler = apiHandler(route, lambdaDeps());
