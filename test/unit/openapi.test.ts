import { readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { apiRoutes } from '#functions/routes.ts';
import { silentLogger } from '#shared/domain/ports.ts';
import { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import { type ApiResult, apiHandler } from '#shared/http/api-handler.ts';
import type { Route } from '#shared/http/route.ts';
import { renderOpenApiDoc } from '../../infra/tools/openapi-doc.ts';
import { apiEvent } from '../support/api-event.ts';
import { testIssuer } from '../support/tokens.ts';

// biome-ignore lint/suspicious/noExplicitAny: the document is plain JSON, walked key by key and asserted on
type Json = Record<string, any>;

const committedText = readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8');
const doc = JSON.parse(committedText) as Json;
const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const operations = Object.entries(doc.paths as Json).flatMap(([path, item]) =>
  Object.entries(item as Json)
    .filter(([method]) => methods.includes(method))
    .map(([method, op]) => ({ path, method, op: op as Json, item: item as Json })),
);
const operationOf = (name: string) => {
  const found = operations.find((o) => o.op.operationId === name);
  if (!found) throw new Error(`no operation ${name} in docs/openapi.json`);
  return found;
};
const routeNamed = (name: string) => apiRoutes.find((r) => r.name === name)! as Route<unknown, unknown>;

/** A component as a zod schema (its references resolved among the components), to check real answers. */
const componentSchema = (name: string) =>
  z.fromJSONSchema(
    JSON.parse(
      JSON.stringify({ $ref: `#/$defs/${name}`, $defs: doc.components.schemas }).replaceAll(
        '#/components/schemas/',
        '#/$defs/',
      ),
    ),
  );

describe('docs/openapi.json', () => {
  it('matches the routes (run `npm run docs:openapi` after changing a route or its schemas)', () => {
    expect(committedText, 'docs/openapi.json is stale: run `npm run docs:openapi`').toBe(renderOpenApiDoc());
  });

  it('is an OpenAPI 3.1 document: version, info, paths, unique operation ids, an answer per operation', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toEqual(
      expect.objectContaining({ title: expect.any(String), version: expect.any(String) }),
    );
    expect(Object.keys(doc.paths).length).toBeGreaterThan(0);
    for (const path of Object.keys(doc.paths)) expect(path).toMatch(/^\//);
    const ids = operations.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { op } of operations) {
      expect(
        Object.keys(op.responses).some((s) => /^2\d\d$/.test(s)),
        op.operationId,
      ).toBe(true);
      for (const response of Object.values(op.responses as Json)) {
        expect(response.description, op.operationId).toEqual(expect.any(String));
      }
    }
  });

  it('declares every path template parameter, required, and every reference resolves', () => {
    for (const { path, item, op } of operations) {
      const declared = [...(item.parameters ?? []), ...(op.parameters ?? [])].filter(
        (p: Json) => p.in === 'path',
      );
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      expect(declared.map((p: Json) => p.name).sort(), `${op.operationId} ${path}`).toEqual(templated.sort());
      for (const p of declared) expect(p.required, `${op.operationId} ${p.name}`).toBe(true);
    }
    const refs = [...committedText.matchAll(/"\$ref": "([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of new Set(refs)) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas[ref.split('/').pop()!], ref).toBeDefined();
    }
  });

  it('lists every route under its path and method, named by the route', () => {
    expect(operations).toHaveLength(apiRoutes.length);
    for (const route of apiRoutes) {
      const { path, method } = operationOf(route.name);
      expect(`${method.toUpperCase()} ${path}`, route.name).toBe(`${route.method} ${route.path}`);
    }
  });

  it('secures a jwt route with the bearer token, names its roles, and documents its 400 and 401', () => {
    // Prepare
    const route = routeNamed('create-ticket');
    // Act
    const { op } = operationOf('create-ticket');
    // Assess
    expect(op.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(op.description).toContain(`Roles: ${route.roles.join(', ')}`);
    expect(op.responses['400'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Error',
    });
    expect(op.responses).toHaveProperty('401');
    expect(op.responses).toHaveProperty('403');
    expect(op.requestBody.content['application/json'].schema.properties).toHaveProperty('subject');
  });

  it('leaves the public and signed routes without security, a signed one with its signature header', () => {
    for (const route of apiRoutes.filter((r) => (r.auth ?? 'jwt') !== 'jwt')) {
      expect(operationOf(route.name).op.security, route.name).toEqual([]);
      expect(operationOf(route.name).op.responses, route.name).not.toHaveProperty('403');
    }
    const webhook = operationOf('webhook').op;
    expect(webhook.parameters).toContainEqual(
      expect.objectContaining({ name: 'X-Gongdan-Signature', in: 'header', required: true }),
    );
    expect(Object.keys(webhook.requestBody.content)).toEqual(['application/json']);
    expect(Object.keys(operationOf('portal-submit').op.requestBody.content).sort()).toEqual([
      'application/x-www-form-urlencoded',
      'multipart/form-data',
    ]);
  });

  it('expands each query schema into one parameter per field', () => {
    for (const route of apiRoutes.filter((r) => r.query instanceof z.ZodObject)) {
      const names = (operationOf(route.name).op.parameters as Json[])
        .filter((p) => p.in === 'query')
        .map((p) => p.name);
      expect(names.sort(), route.name).toEqual(Object.keys((route.query as z.ZodObject).shape).sort());
    }
  });

  it('documents 409 and 412 where a route reads If-Match, and not where it does not', () => {
    const transition = operationOf('transition-ticket').op;
    expect(transition.parameters).toContainEqual(expect.objectContaining({ name: 'If-Match', in: 'header' }));
    expect(transition.responses).toHaveProperty('409');
    expect(transition.responses).toHaveProperty('412');
    expect(operationOf('get-ticket').op.responses).not.toHaveProperty('412');
  });

  it('answers with the Ticket component where a route returns a ticket, generated from the entity', () => {
    const ticketRef = { $ref: '#/components/schemas/Ticket' };
    for (const name of ['create-ticket', 'get-ticket', 'transition-ticket', 'assign-ticket']) {
      const { op } = operationOf(name);
      const success = Object.entries(op.responses as Json).find(([s]) => s.startsWith('2'))![1];
      expect(success.content['application/json'].schema, name).toEqual(ticketRef);
      expect(success.headers, name).toHaveProperty('ETag');
    }
    expect(
      operationOf('add-reply').op.responses['201'].content['application/json'].schema.properties.ticket,
    ).toEqual(ticketRef);
    expect(Object.keys(doc.components.schemas.Ticket.properties).sort()).toEqual(
      Object.keys(Ticket.shape).sort(),
    );
  });

  it('describes the error bodies the handlers really answer', async () => {
    // Prepare
    const route = routeNamed('create-ticket');
    const issuer = await testIssuer();
    const token = await issuer.sign('agent-li', ['agent']);
    // Only authentication and validation run: the use case is never reached.
    const handler = apiHandler(route, { verifyToken: issuer.verifyToken, logger: silentLogger } as never);
    const call = async (init: Parameters<typeof apiEvent>[1]) => {
      const result = (await handler(apiEvent(route, init), { awsRequestId: 'r' } as Context)) as ApiResult;
      return { status: result.statusCode, body: JSON.parse(result.body ?? 'null') };
    };
    const errorBody = componentSchema('Error');

    // Act
    const invalid = await call({ token, body: JSON.stringify({ subject: 42 }) });
    const malformed = await call({ token, body: '{' });
    const anonymous = await call({ body: JSON.stringify({ subject: 'x' }) });

    // Assess
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details.fields[0]).toMatchObject({ path: 'subject' });
    expect(malformed.status).toBe(400);
    expect(anonymous.status).toBe(401);
    for (const answer of [invalid, malformed, anonymous]) {
      expect(errorBody.safeParse(answer.body).error).toBeUndefined();
    }
    expect(errorBody.safeParse({ error: { code: 'X' } }).success).toBe(false);
  });

  it('is what GET /openapi.json answers, without a token', async () => {
    // Act
    const route = routeNamed('get-openapi');
    const answer = await route.handle({} as never, {} as never);
    // Assess
    expect(route.auth).toBe('public');
    expect(answer).toMatchObject({ status: 200 });
    expect(answer.body).toEqual(doc);
    expect(operationOf('get-openapi').path).toBe('/openapi.json');
  });
});
