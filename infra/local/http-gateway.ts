import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { Logger } from '#shared/domain/ports.ts';
import { streamedBodyOf } from '#shared/http/streamed-body.ts';
import { checkDevBodyType, checkHostAndOrigin } from './request-guard.ts';

export type ApiEvent = APIGatewayProxyEventV2;
export type ApiResult = APIGatewayProxyResultV2;

/** One route of the local API: an API Gateway path template and the Lambda-style handler behind it. */
export interface GatewayRoute {
  method: string;
  /** API Gateway template: `/tickets/{id}`, `/files/{path+}`. */
  path: string;
  /** The function's name (used in the Lambda context the handler receives). */
  name: string;
  /** A larger body cap than the gateway's default for this route (the portal's uploads, raw mail). */
  maxBodyBytes?: number;
  /** For a `/dev/*` POST: body types it takes besides JSON (request-guard.ts), e.g. `message/rfc822`. */
  bodyTypes?: readonly string[];
  invoke(event: ApiEvent, context: Context): Promise<ApiResult>;
}

export interface GatewayOptions {
  logger: Logger;
  /** The public host, for `requestContext.domainName`. */
  host: () => string;
  /** Requests larger than this get a 413 before more of the body is buffered. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Until true, every request but `alwaysServe` paths gets a 503. */
  isReady: () => boolean;
  alwaysServe?: readonly string[];
  /** How long a handler may run (API Gateway's integration timeout is 30 s). */
  timeoutMs?: number;
  /**
   * Host and Origin checks (request-guard.ts): the port served and the host names allowed besides
   * loopback's. Without, every Host and Origin is answered.
   */
  guard?: { port: () => number; allowedHosts: readonly string[] };
}

interface CompiledRoute {
  route: GatewayRoute;
  segments: ({ literal: string } | { param: string; greedy: boolean })[];
  literalCount: number;
}

/** Bodies beyond the cap are read and thrown away (so the client gets its 413), up to this much. */
const discardLimitBytes = 64 * 1024 * 1024;

const textTypes = [
  /^text\//i,
  /^application\/([\w.+-]+\+)?json\b/i,
  /^application\/([\w.+-]+\+)?xml\b/i,
  /^application\/x-www-form-urlencoded\b/i,
  /^application\/javascript\b/i,
];

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The local stand-in for API Gateway (HTTP API, payload format 2.0): matches the request to a route
 * template, builds the v2 event the Lambda would get, calls the handler and writes its result back.
 * Unknown paths are 404, known paths with another method 405, oversized bodies 413; a request can never
 * take the process down — any fault becomes a 500 with a request id.
 */
export function apiGateway(options: GatewayOptions) {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 29_000;
  const alwaysServe = new Set(options.alwaysServe ?? []);
  let compiled: CompiledRoute[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const started = performance.now();
    const requestId = newRequestId();
    const method = (req.method ?? 'GET').toUpperCase();
    const { rawPath, rawQueryString } = splitUrl(req.url ?? '/');
    res.setHeader('apigw-requestid', requestId);
    try {
      const refused =
        options.guard &&
        checkHostAndOrigin({
          host: req.headers.host,
          origin: req.headers.origin,
          fetchSite: headerValue(req.headers['sec-fetch-site']),
          port: options.guard.port(),
          allowedHosts: options.guard.allowedHosts,
        });
      if (refused) {
        req.resume();
        return send(res, refused.status, {
          error: { code: refused.code, message: refused.message, details: refused.details },
        });
      }
      const found = findRoute(compiled, method, rawPath);
      // Until start-up has finished only the always-served routes answer (once they exist at all).
      if (!options.isReady() && !(alwaysServe.has(rawPath) && found.kind === 'found')) {
        req.resume();
        return send(res, 503, {
          status: 'starting',
          error: {
            code: 'RUNTIME.STARTING',
            message: 'The local runtime is still starting; try again shortly',
          },
        });
      }
      if (found.kind === 'not_found') {
        req.resume();
        return send(res, 404, {
          error: { code: 'ROUTE.NOT_FOUND', message: `No route for ${method} ${rawPath}` },
        });
      }
      if (found.kind === 'method_not_allowed') {
        req.resume();
        res.setHeader('allow', found.allowed.join(', '));
        return send(res, 405, {
          error: {
            code: 'ROUTE.METHOD_NOT_ALLOWED',
            message: `${rawPath} does not accept ${method}; allowed: ${found.allowed.join(', ')}`,
            details: { allowed: found.allowed },
          },
        });
      }
      const badType =
        options.guard &&
        checkDevBodyType({
          method,
          path: rawPath,
          contentType: req.headers['content-type'],
          hasBody:
            Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined,
          ...(found.route.bodyTypes ? { accepted: found.route.bodyTypes } : {}),
        });
      if (badType) {
        req.resume();
        return send(res, badType.status, {
          error: { code: badType.code, message: badType.message, details: badType.details },
        });
      }
      const cap = Math.max(maxBodyBytes, found.route.maxBodyBytes ?? 0);
      const body = await readBody(req, cap);
      if (body === 'aborted') return;
      if (body === 'too_large') {
        return send(res, 413, {
          error: {
            code: 'REQUEST.TOO_LARGE',
            message: `The request body is larger than ${cap} bytes`,
            details: { limitBytes: cap },
          },
        });
      }
      const { route, params } = found;
      const event = toEvent({
        req,
        method,
        rawPath,
        rawQueryString,
        body,
        params,
        routeKey: `${route.method} ${route.path}`,
        requestId,
        domainName: options.host(),
      });
      const result = await route.invoke(event, lambdaContext(route.name, timeoutMs));
      await writeResult(res, result);
    } catch (error) {
      options.logger.error('gateway.failed', {
        requestId,
        method,
        path: rawPath,
        error: error instanceof Error ? error.message : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      });
      if (!res.headersSent) {
        send(res, 500, {
          error: { code: 'INTERNAL', message: `Something went wrong on our side (request ${requestId})` },
        });
      } else {
        res.destroy();
      }
    } finally {
      const log = () =>
        options.logger.info('http.request', {
          requestId,
          method,
          path: rawPath,
          status: res.statusCode,
          ms: Math.round(performance.now() - started),
        });
      if (res.writableFinished) log();
      else res.once('finish', log);
    }
  }

  return {
    /** A `node:http` request listener. */
    listener(req: IncomingMessage, res: ServerResponse) {
      handle(req, res).catch(() => res.destroy());
    },
    /** Sets the routes served; more specific templates (more literal segments) win, as in API Gateway. */
    setRoutes(routes: GatewayRoute[]) {
      compiled = routes.map(compile).sort((a, b) => b.literalCount - a.literalCount);
    },
  };
}

const headerValue = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

function compile(route: GatewayRoute): CompiledRoute {
  const segments = route.path
    .split('/')
    .slice(1)
    .map((s) => {
      const param = s.match(/^\{([A-Za-z0-9_]+)(\+)?\}$/);
      return param ? { param: param[1]!, greedy: !!param[2] } : { literal: s };
    });
  return { route, segments, literalCount: segments.filter((s) => 'literal' in s).length };
}

type Found =
  | { kind: 'found'; route: GatewayRoute; params: Record<string, string> }
  | { kind: 'method_not_allowed'; allowed: string[] }
  | { kind: 'not_found' };

function findRoute(routes: CompiledRoute[], method: string, rawPath: string): Found {
  const parts = rawPath.split('/').slice(1);
  const allowed: string[] = [];
  for (const c of routes) {
    const params = matchSegments(c.segments, parts);
    if (!params) continue;
    if (c.route.method === method) return { kind: 'found', route: c.route, params };
    if (!allowed.includes(c.route.method)) allowed.push(c.route.method);
  }
  return allowed.length ? { kind: 'method_not_allowed', allowed } : { kind: 'not_found' };
}

function matchSegments(
  segments: CompiledRoute['segments'],
  parts: string[],
): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if ('literal' in segment) {
      if (parts[i] !== segment.literal) return undefined;
      continue;
    }
    if (segment.greedy) {
      const rest = parts.slice(i).join('/');
      if (!rest) return undefined;
      params[segment.param] = decode(rest);
      return params;
    }
    const part = parts[i];
    if (!part) return undefined;
    params[segment.param] = decode(part);
  }
  return parts.length === segments.length ? params : undefined;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function splitUrl(url: string): { rawPath: string; rawQueryString: string } {
  // An absolute-form target (`GET http://host/path`) is allowed by HTTP/1.1; keep only the path.
  const target = /^[a-z][a-z0-9+.-]*:\/\//i.test(url)
    ? url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '')
    : url;
  const hash = target.indexOf('#');
  const withoutHash = hash >= 0 ? target.slice(0, hash) : target;
  const q = withoutHash.indexOf('?');
  const rawPath = (q >= 0 ? withoutHash.slice(0, q) : withoutHash) || '/';
  return {
    rawPath: rawPath.startsWith('/') ? rawPath : `/${rawPath}`,
    rawQueryString: q >= 0 ? withoutHash.slice(q + 1) : '',
  };
}

/** The body, or `too_large` once more than `max` bytes arrived (the rest is discarded, not buffered). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | 'too_large' | 'aborted'> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      discard(req);
      resolve('too_large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.off('data', onData);
        chunks.length = 0;
        discard(req, size);
        resolve('too_large');
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    // The client went away mid-body: there is no one to answer (a resolved promise is not resolved twice).
    req.once('close', () => {
      if (!req.complete) resolve('aborted');
    });
    req.once('error', () => resolve('aborted'));
  });
}

/** Reads and drops the rest of a body so the client can read our answer; gives up on absurd sizes. */
function discard(req: IncomingMessage, alreadyRead = 0) {
  let size = alreadyRead;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > discardLimitBytes) req.socket.destroy();
  });
  req.resume();
}

function toEvent(input: {
  req: IncomingMessage;
  method: string;
  rawPath: string;
  rawQueryString: string;
  body: Buffer;
  params: Record<string, string>;
  routeKey: string;
  requestId: string;
  domainName: string;
}): ApiEvent {
  const { req, body } = input;
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    if (name === 'cookie') {
      cookies.push(...value.split(/;\s*/).filter(Boolean));
      continue;
    }
    // API Gateway joins repeated headers with commas.
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const query = queryParameters(input.rawQueryString);
  const now = new Date();
  const encoded = encodeBody(body, headers['content-type']);
  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  return {
    version: '2.0',
    routeKey: input.routeKey,
    rawPath: input.rawPath,
    rawQueryString: input.rawQueryString,
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    ...(Object.keys(input.params).length ? { pathParameters: input.params } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: input.domainName,
      domainPrefix: input.domainName.split('.')[0]!.split(':')[0]!,
      http: {
        method: input.method,
        path: input.rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: input.requestId,
      routeKey: input.routeKey,
      stage: '$default',
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
    },
    ...(encoded ? { body: encoded.body } : {}),
    isBase64Encoded: encoded?.base64 ?? false,
  };
}

function queryParameters(rawQueryString: string): Record<string, string> | undefined {
  if (!rawQueryString) return undefined;
  const out: Record<string, string> = {};
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(rawQueryString);
  } catch {
    return undefined;
  }
  for (const [key, value] of params) {
    // API Gateway joins repeated parameters with commas.
    out[key] = out[key] === undefined ? value : `${out[key]},${value}`;
  }
  return Object.keys(out).length ? out : undefined;
}

function encodeBody(
  body: Buffer,
  contentType: string | undefined,
): { body: string; base64: boolean } | undefined {
  if (body.length === 0) return undefined;
  const declaredText = contentType !== undefined && textTypes.some((t) => t.test(contentType));
  if (declaredText || contentType === undefined) {
    try {
      return { body: strictUtf8.decode(body), base64: false };
    } catch {
      // Not valid UTF-8 whatever it claims: pass the bytes through untouched, as API Gateway does.
    }
  }
  return { body: body.toString('base64'), base64: true };
}

async function writeResult(res: ServerResponse, result: ApiResult) {
  if (typeof result === 'string' || result === undefined || result === null || !('statusCode' in result)) {
    // Payload format 2.0 infers a 200 JSON response from anything that is not a structured result.
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
    return;
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const stream = streamedBodyOf(result);
  if (stream) {
    // A streamed body (the ticket export) goes out chunked as it is produced, with backpressure; a
    // failure midway cuts the connection (pipeline destroys both), so no truncated file looks complete.
    res.writeHead(result.statusCode ?? 200, headers);
    await pipeline(stream, res);
    return;
  }
  const body = result.body
    ? result.isBase64Encoded
      ? Buffer.from(result.body, 'base64')
      : Buffer.from(result.body, 'utf8')
    : undefined;
  if (body) headers['content-length'] = String(body.length);
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(body);
}

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** API Gateway's `requestContext.time` format: `12/Mar/2020:19:03:58 +0000`. */
function apiGatewayTime(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** An id shaped like API Gateway's (`JKJaXmPLvHcESHA=`). */
const newRequestId = () => randomBytes(10).toString('base64');

function lambdaContext(name: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: `gongdan-local-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:gongdan-local-${name}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/gongdan-local-${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
