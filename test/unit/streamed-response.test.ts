import { Readable } from 'node:stream';
import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiResult, apiHandler } from '#shared/http/api-handler.ts';
import { defineRoute, type RouteDeps } from '#shared/http/route.ts';
import { lambdaStreamLimitBytes, streamedBodyOf } from '#shared/http/streamed-body.ts';
import { apiEvent } from '../support/api-event.ts';
import { recordingLogger } from '../support/recording-logger.ts';
import { testIssuer } from '../support/tokens.ts';

/**
 * A route's streamed body (`HttpResult.stream`, the ticket export): handed over as a stream where the caller
 * can stream it (the local gateway), collected whole in a Lambda up to what API Gateway allows.
 */
const route = defineRoute<undefined, undefined, RouteDeps>({
  name: 'stream-test',
  method: 'GET',
  path: '/stream-test',
  roles: ['admin'],
  access: 'read',
  async handle({ headers }) {
    const size = Number(headers['x-size']);
    const chunk = Buffer.alloc(64 * 1024, 'a');
    async function* chunks() {
      for (let sent = 0; sent < size; sent += chunk.length)
        yield chunk.subarray(0, Math.min(chunk.length, size - sent));
    }
    return { status: 200, headers: { 'content-type': 'text/csv' }, stream: Readable.from(chunks()) };
  },
});

let deps: RouteDeps;
let token: string;
beforeAll(async () => {
  const issuer = await testIssuer();
  deps = { verifyToken: issuer.verifyToken, logger: recordingLogger().logger };
  token = await issuer.sign('admin-1', ['admin']);
});

const call = (size: number, streamBodies: boolean) =>
  apiHandler(route, deps, { streamBodies })(
    apiEvent(route as never, { token, headers: { 'x-size': String(size) } }),
    { awsRequestId: 'req-1' } as Context,
  ) as Promise<ApiResult>;

describe('streamed response bodies', () => {
  it('hands the stream over untouched when the caller streams', async () => {
    const result = await call(300_000, true);
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe('');
    const stream = streamedBodyOf(result);
    expect(stream).toBeInstanceOf(Readable);
    let size = 0;
    for await (const c of stream!) size += (c as Buffer).length;
    expect(size).toBe(300_000);
  });

  it('collects the stream into a base64 body in a Lambda', async () => {
    const result = await call(300_000, false);
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['content-type']).toBe('text/csv');
    expect(result.isBase64Encoded).toBe(true);
    expect(Buffer.from(result.body!, 'base64').length).toBe(300_000);
    expect(streamedBodyOf(result)).toBeUndefined();
  });

  it('answers 413 in a Lambda when the body would pass API Gateway’s limit', async () => {
    const result = await call(lambdaStreamLimitBytes + 1, false);
    expect(result.statusCode).toBe(413);
    expect(JSON.parse(result.body!).error.code).toBe('RESPONSE.TOO_LARGE');
    const fits = await call(lambdaStreamLimitBytes, false);
    expect(fits.statusCode).toBe(200);
  });
});
