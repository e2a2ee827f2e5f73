import type { Context } from 'aws-lambda';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '#functions/routes.ts';
import { type ApiResult, apiHandler } from '#shared/http/api-handler.ts';
import type { ApiDeps, Route } from '#shared/http/route.ts';
import { apiEvent } from '../support/api-event.ts';
import { freshTicketDeps } from '../support/ticket-fixtures.ts';
import { testIssuer } from '../support/tokens.ts';

const routeNamed = (name: string) => apiRoutes.find((r) => r.name === name) as Route<unknown, unknown>;
const context = () => ({ awsRequestId: 'req-1' }) as Context;

const event = apiEvent;

const bodyOf = (result: ApiResult) => JSON.parse(result.body ?? 'null');

describe('API handlers (middy adapters over the use cases, on DynamoDB Local)', () => {
  let deps: ApiDeps;
  let sign: Awaited<ReturnType<typeof testIssuer>>['sign'];
  let agentToken: string;
  const call = (name: string, init: Parameters<typeof event>[1]) =>
    apiHandler(routeNamed(name), deps)(event(routeNamed(name), init), context()) as Promise<ApiResult>;

  beforeAll(async () => {
    const issuer = await testIssuer();
    sign = issuer.sign;
    deps = { ...(await freshTicketDeps()).deps, verifyToken: issuer.verifyToken };
    agentToken = await sign('agent-li', ['agent'], { name: '李工' });
  });

  const validBody = JSON.stringify({ subject: '打印机卡纸', customer: { email: 'c@example.com' } });

  it('creates a ticket and answers 201 with its ETag and location', async () => {
    const result = await call('create-ticket', { token: agentToken, body: validBody });
    expect(result.statusCode).toBe(201);
    const ticket = bodyOf(result);
    expect(result.headers).toMatchObject({ etag: '"1"', location: `/tickets/${ticket.id}` });
    expect(ticket).toMatchObject({
      status: 'new',
      priority: 'normal',
      customer: { email: 'c@example.com', tier: 'standard' },
    });
  });

  it('answers 401 without a token, with a token from another issuer, and with an expired one', async () => {
    expect((await call('create-ticket', { body: validBody })).statusCode).toBe(401);
    const stranger = await (await testIssuer('urn:someone-else', 'gongdan-test')).sign('x', ['admin']);
    expect(bodyOf(await call('create-ticket', { token: stranger, body: validBody })).error.code).toBe(
      'AUTH.INVALID_TOKEN',
    );
    const expired = await sign('agent-li', ['agent'], {}, '-1m');
    expect(bodyOf(await call('create-ticket', { token: expired, body: validBody })).error.message).toMatch(
      /expired/,
    );
  });

  it('answers 403 when the role may not use the route', async () => {
    const customer = await sign('cust', ['customer'], { email: 'c@example.com' });
    const result = await call('get-history', { token: customer, params: { id: 'X' } });
    expect(result.statusCode).toBe(403);
    expect(bodyOf(result).error.code).toBe('AUTH.FORBIDDEN');
  });

  it('lists every bad field of a body with wrong types', async () => {
    const result = await call('create-ticket', {
      token: agentToken,
      body: JSON.stringify({ subject: 42, priority: 'asap', customer: { email: 'not-an-email' }, tags: 'x' }),
    });
    expect(result.statusCode).toBe(400);
    const error = bodyOf(result).error;
    expect(error.code).toBe('REQUEST.INVALID');
    expect(error.details.fields.map((f: { path: string }) => f.path).sort()).toEqual(
      ['customer.email', 'priority', 'subject', 'tags'].sort(),
    );
  });

  it('answers malformed JSON with 400, an unsupported type with 415 and an oversized body with 413', async () => {
    expect(bodyOf(await call('create-ticket', { token: agentToken, body: '{"subject":' })).error.code).toBe(
      'REQUEST.MALFORMED_JSON',
    );
    expect(
      (
        await call('create-ticket', {
          token: agentToken,
          body: 'a=b',
          headers: { 'content-type': 'text/plain' },
        })
      ).statusCode,
    ).toBe(415);
    const huge = JSON.stringify({ subject: 'x', description: 'y'.repeat(70_000) });
    expect((await call('create-ticket', { token: agentToken, body: huge })).statusCode).toBe(413);
    expect((await call('create-ticket', { token: agentToken })).statusCode).toBe(400);
  });

  it('answers 412 to a stale If-Match, 409 naming the allowed moves, and 404 for an unknown id', async () => {
    const ticket = bodyOf(await call('create-ticket', { token: agentToken, body: validBody }));
    const accept = await call('transition-ticket', {
      token: agentToken,
      params: { id: ticket.id },
      headers: { 'if-match': '"1"' },
      body: JSON.stringify({ to: 'open' }),
    });
    expect(accept.statusCode).toBe(200);
    expect(accept.headers?.etag).toBe('"2"');
    const stale = await call('transition-ticket', {
      token: agentToken,
      params: { id: ticket.id },
      headers: { 'if-match': '"1"' },
      body: JSON.stringify({ to: 'pending' }),
    });
    expect(stale.statusCode).toBe(412);
    const illegal = await call('transition-ticket', {
      token: agentToken,
      params: { id: ticket.id },
      body: JSON.stringify({ to: 'closed' }),
    });
    expect(illegal.statusCode).toBe(409);
    expect(bodyOf(illegal).error.details.allowed).toEqual(['pending', 'resolved']);
    expect((await call('get-ticket', { token: agentToken, params: { id: 'NOPE' } })).statusCode).toBe(404);
    expect((await call('get-ticket', { token: agentToken, params: { id: '../../etc' } })).statusCode).toBe(
      404,
    );
    const badIfMatch = await call('transition-ticket', {
      token: agentToken,
      params: { id: ticket.id },
      headers: { 'if-match': 'yesterday' },
      body: JSON.stringify({ to: 'pending' }),
    });
    expect(badIfMatch.statusCode).toBe(400);
  });

  it('never answers 5xx to random bodies, headers and queries', async () => {
    const json = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v));
    const text = fc.oneof(
      json,
      fc.string({ maxLength: 200 }),
      fc.constant(''),
      fc.constant('{"subject": "\u0000"}'),
    );
    const names = ['create-ticket', 'transition-ticket', 'add-reply', 'list-tickets'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...names),
        text,
        fc.dictionary(
          fc.constantFrom('if-match', 'idempotency-key', 'content-type'),
          fc.string({ maxLength: 40 }),
        ),
        fc.dictionary(
          fc.constantFrom('status', 'limit', 'cursor', 'team', 'breached', 'customer'),
          fc.string({ maxLength: 30 }),
        ),
        async (name, body, headers, query) => {
          const result = await call(name, {
            token: agentToken,
            body,
            headers,
            query,
            params: { id: 'T-unknown' },
          });
          expect(result.statusCode).toBeLessThan(500);
        },
      ),
      { numRuns: 200 },
    );
  });
});
