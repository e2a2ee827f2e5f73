import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResult, apiHandler } from '#shared/http/api-handler.ts';
import type { ApiDeps } from '#shared/http/route.ts';
import { wireTickets } from '#shared/runtime/wire-tickets.ts';
import { freePort, localAwsConfig } from '../../infra/local/dynamodb-local.ts';
import { apiEvent } from '../support/api-event.ts';
import { recordingLogger } from '../support/recording-logger.ts';
import { routeNamed } from '../support/route-call.ts';
import { testEnvironment, testPlatform } from '../support/ticket-fixtures.ts';
import { testIssuer } from '../support/tokens.ts';

/**
 * Issue 15: while DynamoDB was unreachable the API answered 500. A store that cannot be reached, is
 * throttling or failing on its side is a 503 with Retry-After — the real SDK client against a closed
 * port, and against a server that answers as DynamoDB does when it throttles, through a real handler.
 */
describe('the API while DynamoDB is unavailable', () => {
  let token: string;
  let verifyToken: ApiDeps['verifyToken'];
  const servers: Server[] = [];

  beforeAll(async () => {
    const issuer = await testIssuer();
    verifyToken = issuer.verifyToken;
    token = await issuer.sign('agent-li', ['agent'], { email: 'li@example.com' });
  });
  afterAll(() => {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
  });

  /** A "DynamoDB" that answers every call with `status` and `body` (the JSON protocol's error shape). */
  async function answering(status: number, body: unknown, hang = false): Promise<string> {
    const server = createServer((req, res) => {
      req.resume();
      if (hang) return;
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(body));
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  function handlerOver(endpoint: string, extra: Partial<DynamoDBClientConfig> = {}) {
    const client = new DynamoDBClient({ ...localAwsConfig(endpoint), maxAttempts: 1, ...extra });
    const { logger, lines } = recordingLogger();
    const clock = { now: () => new Date('2026-11-20T08:00:00Z') };
    const platform = testPlatform({ client, tableName: 'unreachable', clock, logger });
    const deps: ApiDeps = { ...wireTickets(testEnvironment('unreachable'), platform), verifyToken, logger };
    const call = async (name: string, init: Parameters<typeof apiEvent>[1]) => {
      const route = routeNamed(name);
      const result = (await apiHandler(route, deps)(apiEvent(route, init), {
        awsRequestId: 'req-1',
      } as Context)) as ApiResult & { headers: Record<string, string> };
      return { status: result.statusCode, headers: result.headers, body: JSON.parse(result.body || 'null') };
    };
    return { call, lines };
  }

  it('answers 503 with Retry-After, not 500, when the connection is refused (a closed port)', async () => {
    // Prepare
    const { call, lines } = handlerOver(`http://127.0.0.1:${await freePort()}`);

    // Act
    const created = await call('create-ticket', {
      token,
      body: JSON.stringify({ subject: 'x', customer: { email: 'c@example.com' } }),
    });
    const read = await call('get-ticket', { token, params: { id: '01M97MKV2C52GSZMZ65ZA1T35D' } });

    // Assess
    for (const response of [created, read]) {
      expect(response.status).toBe(503);
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      expect(response.body.error.code).toBe('SERVICE.UNAVAILABLE');
      expect(response.body.error.message).toMatch(/try again/i);
    }
    expect(lines.some((l) => l.message === 'request.unavailable')).toBe(true);
  });

  it.each([
    ['ProvisionedThroughputExceededException', 400],
    ['ThrottlingException', 400],
    ['RequestLimitExceeded', 400],
    ['InternalServerError', 500],
  ])('answers 503 when DynamoDB answers %s', async (type, status) => {
    const endpoint = await answering(status, {
      __type: `com.amazonaws.dynamodb.v20120810#${type}`,
      message: 'try later',
    });
    const response = await handlerOver(endpoint).call('get-ticket', { token, params: { id: 'X' } });
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBeDefined();
  });

  it('answers 503 when DynamoDB does not answer in time', async () => {
    const endpoint = await answering(200, {}, true);
    const { call } = handlerOver(endpoint, {
      requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
    });
    const response = await call('get-ticket', { token, params: { id: 'X' } });
    expect(response.status).toBe(503);
  });

  it('still answers 500 for a fault that is not the store being unavailable', async () => {
    const endpoint = await answering(400, {
      __type: 'com.amazonaws.dynamodb.v20120810#ValidationException',
      message: 'bad request',
    });
    const response = await handlerOver(endpoint).call('get-ticket', { token, params: { id: 'X' } });
    expect(response.status).toBe(500);
    expect(response.headers['retry-after']).toBeUndefined();
  });
});
