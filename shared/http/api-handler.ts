import type { Readable } from 'node:stream';
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { type Actor, hasAnyRole } from '../domain/actor.ts';
import { DomainError, type ErrorKind, type FieldIssue, validationError } from '../domain/errors.ts';
import { loggerWith } from '../domain/ports.ts';
import { prototypeKeyIssues } from '../domain/safe-record.ts';
import type { Route, RouteDeps, RouteRequest } from './route.ts';
import { lambdaStreamLimitBytes, streamedBody } from './streamed-body.ts';
import { isStoreUnavailable, retryAfterSeconds } from './unavailable.ts';

export type ApiEvent = APIGatewayProxyEventV2;
export type ApiResult = APIGatewayProxyStructuredResultV2;

/** The HTTP status of each domain error kind (DESIGN.md §6). */
export const statusOf: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  precondition_failed: 412,
  too_large: 413,
  unsupported_media: 415,
  unprocessable: 422,
  rate_limited: 429,
};

/** The body limit of a route that sets no `maxBodyBytes`. */
export const defaultMaxBodyBytes = 64 * 1024;

interface State {
  request?: RouteRequest<unknown, unknown>;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): ApiResult => ({
  statusCode: status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: body === undefined ? '' : JSON.stringify(body),
});

/** Zod issues as field-level details: `customer.email: Invalid email address`. */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(body)',
    message: issue.message,
    code: issue.code,
  }));
}

/**
 * Maps failures to the API's error shape `{ error: { code, message, details? } }`. Domain errors keep
 * their status and message; anything else is a fault: logged with the request id, answered with a
 * generic 500 that exposes nothing.
 */
function httpErrors(
  deps: Pick<RouteDeps, 'logger'>,
  route: Route<unknown, unknown, never>,
): MiddlewareObj<ApiEvent, ApiResult> {
  return {
    onError: async (request) => {
      const error = request.error;
      const requestId = request.event.requestContext?.requestId ?? 'unknown';
      if (error instanceof DomainError) {
        const status = statusOf[error.kind];
        request.response = json(
          status,
          {
            error: {
              code: error.code,
              message: error.message,
              ...(error.details ? { details: error.details } : {}),
            },
          },
          { 'x-request-id': requestId },
        );
        return;
      }
      if (isStoreUnavailable(error)) {
        // Not a bug and not the caller's fault: the store is unreachable or throttling. Clients retry.
        deps.logger.warn('request.unavailable', {
          route: route.name,
          requestId,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        request.response = json(
          503,
          {
            error: {
              code: 'SERVICE.UNAVAILABLE',
              message: `The ticket store is unavailable for a moment; try again in ${retryAfterSeconds} seconds (request ${requestId})`,
              details: { retryAfterSeconds },
            },
          },
          { 'x-request-id': requestId, 'retry-after': String(retryAfterSeconds) },
        );
        return;
      }
      deps.logger.error('request.failed', {
        route: route.name,
        requestId,
        error: error instanceof Error ? error.message : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      });
      request.response = json(
        500,
        { error: { code: 'INTERNAL', message: `Something went wrong on our side (request ${requestId})` } },
        { 'x-request-id': requestId },
      );
    },
  };
}

/** Parses path, query and body against the route's schemas, and checks the bearer token and roles. */
function authenticateAndParse(
  deps: RouteDeps,
  route: Route<unknown, unknown, never>,
  state: WeakMap<object, State>,
): MiddlewareObj<ApiEvent, ApiResult> {
  return {
    before: async (request) => {
      const event = request.event;
      const headers = lowerCaseHeaders(event.headers);
      const auth = route.auth ?? 'jwt';
      const actor = auth === 'jwt' ? await authenticate(headers, event, deps) : anonymous(auth, event);
      if (auth === 'jwt' && !hasAnyRole(actor, route.roles)) {
        throw new DomainError(
          'forbidden',
          'AUTH.FORBIDDEN',
          `This action needs one of the roles: ${route.roles.join(', ')}`,
          {
            roles: route.roles,
          },
        );
      }
      const query = route.query
        ? parseWith(route.query, event.queryStringParameters ?? {}, 'query')
        : undefined;
      const rawBody = route.rawBody ? bodyBytes(event, route.maxBodyBytes ?? defaultMaxBodyBytes) : undefined;
      const body =
        route.body && !route.rawBody
          ? parseBody(route.body, event, headers, route.maxBodyBytes ?? defaultMaxBodyBytes)
          : undefined;
      state.set(request.context, {
        request: {
          body,
          query,
          params: { ...(event.pathParameters ?? {}) } as Record<string, string>,
          headers,
          actor,
          ...(rawBody ? { rawBody } : {}),
        },
      });
    },
  };
}

async function authenticate(
  headers: Record<string, string>,
  event: ApiEvent,
  deps: RouteDeps,
): Promise<Actor> {
  const authorization = headers.authorization;
  const match = authorization?.match(/^Bearer\s+(\S+)$/i);
  if (!match) {
    throw new DomainError(
      'unauthenticated',
      'AUTH.MISSING_TOKEN',
      'Send a bearer token in the Authorization header',
    );
  }
  const principal = await deps.verifyToken(match[1]!);
  return { ...principal, channel: 'api', sourceIp: event.requestContext?.http?.sourceIp };
}

/** Who calls a `public` or `hmac` route: nobody in particular, from where the request came. */
const anonymous = (auth: 'public' | 'hmac', event: ApiEvent): Actor => ({
  id: 'anonymous',
  roles: [],
  channel: auth === 'hmac' ? 'webhook' : 'web',
  ...(event.requestContext?.http?.sourceIp ? { sourceIp: event.requestContext.http.sourceIp } : {}),
});

/** The body as bytes; larger than `max` is a 413. */
function bodyBytes(event: ApiEvent, max: number): Buffer {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > max) {
    throw new DomainError('too_large', 'REQUEST.TOO_LARGE', `The request body is larger than ${max} bytes`, {
      limitBytes: max,
      actualBytes: bytes.length,
    });
  }
  return bytes;
}

function parseBody<B>(
  schema: z.ZodType<B>,
  event: ApiEvent,
  headers: Record<string, string>,
  max: number,
): B {
  const bytes = bodyBytes(event, max);
  const contentType = headers['content-type'];
  if (contentType && !/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
    throw new DomainError(
      'unsupported_media',
      'REQUEST.UNSUPPORTED_MEDIA_TYPE',
      'Send the body as application/json',
      {
        contentType,
      },
    );
  }
  if (bytes.length === 0) {
    throw validationError('A JSON request body is required', [
      { path: '(body)', message: 'Required', code: 'required' },
    ]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new DomainError('invalid', 'REQUEST.MALFORMED_JSON', 'The request body is not valid JSON', {
      reason: error instanceof Error ? error.message : 'unparseable',
    });
  }
  // Prototype keys are refused anywhere in a body, before the schema and before any use case runs.
  const reserved = prototypeKeyIssues(parsed);
  if (reserved.length) throw validationError('The request body has invalid fields', reserved);
  return parseWith(schema, parsed, 'body');
}

/** Validates `value`; a failure is a 400 listing every bad field. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, where: 'body' | 'query' | 'headers'): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw validationError(`The request ${where} has invalid fields`, fieldIssues(result.error));
}

const lowerCaseHeaders = (headers: ApiEvent['headers']) =>
  Object.fromEntries(
    Object.entries(headers ?? {})
      .filter((e): e is [string, string] => typeof e[1] === 'string')
      .map(([k, v]) => [k.toLowerCase(), v]),
  );

/**
 * The Lambda handler for `route`: middy with error mapping first (so it sees every failure), then
 * authentication and validation, then the route's own handler, whose result becomes the response.
 */
export function apiHandler<B, Q, D extends RouteDeps>(
  route: Route<B, Q, D>,
  deps: D,
  /** `streamBodies`: the caller pipes `HttpResult.stream` itself (the local gateway); else it is collected. */
  options: { streamBodies?: boolean } = {},
) {
  const r = route as unknown as Route<unknown, unknown, D>;
  const state = new WeakMap<object, State>();
  return middy<ApiEvent, ApiResult, Error, Context>()
    .use(httpErrors(deps, r))
    .use(authenticateAndParse(deps, r, state))
    .handler(async (event, context) => {
      const request = state.get(context)?.request;
      if (!request) throw new Error('request was not parsed');
      // Every line the request's use cases log carries its request id.
      const requestId = event.requestContext?.requestId;
      const scoped = requestId
        ? { ...deps, logger: loggerWith(deps.logger, { correlation_id: requestId }) }
        : deps;
      const result = await r.handle(request, scoped);
      if (result.stream !== undefined) {
        const headers = { 'content-type': 'application/octet-stream', ...result.headers };
        if (options.streamBodies) {
          return { statusCode: result.status, headers, body: '', [streamedBody]: result.stream };
        }
        const bytes = await collect(result.stream, lambdaStreamLimitBytes);
        if (!bytes) {
          return json(413, {
            error: {
              code: 'RESPONSE.TOO_LARGE',
              message: `The response is larger than API Gateway allows (${lambdaStreamLimitBytes} bytes); ask for it as a file instead`,
              details: { limitBytes: lambdaStreamLimitBytes },
            },
          });
        }
        return { statusCode: result.status, headers, body: bytes.toString('base64'), isBase64Encoded: true };
      }
      if (result.bytes !== undefined) {
        return {
          statusCode: result.status,
          headers: { 'content-type': 'application/octet-stream', ...result.headers },
          body: result.bytes.toString('base64'),
          isBase64Encoded: true,
        };
      }
      if (result.html !== undefined) {
        return {
          statusCode: result.status,
          headers: { 'content-type': 'text/html; charset=utf-8', ...result.headers },
          body: result.html,
        };
      }
      return json(result.status, result.body, result.headers);
    });
}

/** The whole stream, or undefined (and the stream destroyed) once it grows past `max` bytes. */
async function collect(stream: Readable, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += bytes.length;
    if (size > max) {
      stream.destroy();
      return undefined;
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}
