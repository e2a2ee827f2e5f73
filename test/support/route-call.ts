import type { Context } from 'aws-lambda';
import { apiRoutes } from '#functions/routes.ts';
import { type ApiEvent, type ApiResult, apiHandler } from '#shared/http/api-handler.ts';
import type { ApiDeps, Route } from '#shared/http/route.ts';
import { apiEvent, type EventInit } from './api-event.ts';

/** An API route by its function name (`get-ticket`, `put-agent`, …). */
export function routeNamed(name: string): Route<unknown, unknown> {
  const route = apiRoutes.find((r) => r.name === name);
  if (!route) throw new Error(`no route ${name}`);
  return route as Route<unknown, unknown>;
}

export type CallInit = Omit<EventInit, 'body'> & { body?: unknown };

function event(route: Route<unknown, unknown>, init: CallInit): ApiEvent {
  const { body, ...rest } = init;
  return apiEvent(route, { ...rest, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
}

/**
 * Calls routes the way API Gateway invokes their Lambdas (`apiHandler` with the given dependencies,
 * read when called) and answers status, headers and the parsed JSON body.
 */
export function routeCaller(deps: () => ApiDeps) {
  return async (name: string, init: CallInit) => {
    const route = routeNamed(name);
    const result = (await apiHandler(route, deps())(event(route, init), {
      awsRequestId: 'req-1',
    } as Context)) as ApiResult & { headers: Record<string, string> };
    // biome-ignore lint/suspicious/noExplicitAny: JSON bodies of every route's shape
    const body: any = JSON.parse(result.body || 'null');
    return { status: result.statusCode, headers: result.headers, body };
  };
}
