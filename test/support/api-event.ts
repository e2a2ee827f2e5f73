import type { ApiEvent } from '#shared/http/api-handler.ts';
import type { Route } from '#shared/http/route.ts';

export interface EventInit {
  token?: string;
  /** The raw body, as API Gateway passes it. */
  body?: string;
  headers?: Record<string, string>;
  params?: Record<string, string>;
  query?: Record<string, string>;
}

/** An API Gateway HTTP API (v2) event for `route`, as the Lambda receives it. */
export function apiEvent(
  route: Pick<Route<unknown, unknown>, 'method' | 'path'>,
  init: EventInit = {},
): ApiEvent {
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: route.path,
    rawQueryString: '',
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      'content-type': 'application/json',
      ...init.headers,
    },
    ...(init.query ? { queryStringParameters: init.query } : {}),
    ...(init.params ? { pathParameters: init.params } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: route.method,
        path: route.path,
        protocol: 'HTTP/1.1',
        sourceIp: '198.51.100.4',
        userAgent: 'test',
      },
      requestId: 'req-1',
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
    isBase64Encoded: false,
    ...(init.body !== undefined ? { body: init.body } : {}),
  };
}
