import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoAgentStore } from '#shared/adapters/dynamo/dynamo-agent-store.ts';
import { dynamoRoutingConfigStore } from '#shared/adapters/dynamo/dynamo-routing-config-store.ts';
import { defaultRoutingConfig, defaultRoutingInput } from '#shared/domain/routing/default-config.ts';
import type { ApiDeps } from '#shared/http/route.ts';
import { routeCaller } from '../support/route-call.ts';
import { freshTicketDeps } from '../support/ticket-fixtures.ts';
import { testIssuer } from '../support/tokens.ts';

const pathsOf = (body: { error: { details: { fields: { path: string }[] } } }) =>
  body.error.details.fields.map((f) => f.path);

/**
 * Issue 15: prototype keys (`__proto__`, `constructor`, `prototype`) in user-supplied maps answered
 * 500 or were silently dropped. Every route refuses them with 400 naming the field, before it writes.
 */
describe('prototype keys in request bodies (handlers over DynamoDB Local)', () => {
  let deps: ApiDeps;
  let admin: string;
  let customer: string;
  const call = routeCaller(() => deps);

  beforeAll(async () => {
    const issuer = await testIssuer();
    const base = await freshTicketDeps();
    const agents = dynamoAgentStore(base.client, base.tableName, base.deps.clock);
    const config = dynamoRoutingConfigStore(base.client, base.tableName);
    await config.put({ ...defaultRoutingConfig, updatedBy: 'seed' }, 0);
    deps = { ...base.deps, routing: { agents, config }, verifyToken: issuer.verifyToken };
    admin = await issuer.sign('u-admin', ['admin'], { name: '王磊' });
    customer = await issuer.sign('c-zhao', ['customer'], { email: 'zhao@example.com' });
  });

  it('PUT /config/routing: a rule conditioned on a custom field named constructor is a 400 at that path', async () => {
    // Prepare
    const rules = defaultRoutingInput.rules.map((r, i) =>
      i === 0 ? { ...r, when: { ...r.when, customFields: { constructor: 'x' } } } : r,
    );

    // Act
    const response = await call('put-routing-config', {
      token: admin,
      body: { ...defaultRoutingInput, rules },
    });
    const after = await call('get-routing-config', { token: admin });

    // Assess
    expect(response.status).toBe(400);
    expect(pathsOf(response.body)).toEqual(['rules.0.when.customFields.constructor']);
    expect(after.headers.etag).toBe('"1"');
  });

  it('PUT /config/routing: __proto__ at the top of the document is a 400, not silently dropped', async () => {
    const response = await call('put-routing-config', {
      token: admin,
      body: JSON.parse(`{"__proto__":{"teams":[]},${JSON.stringify(defaultRoutingInput).slice(1)}`),
    });
    expect(response.status).toBe(400);
    expect(pathsOf(response.body)).toEqual(['__proto__']);
  });

  it('PUT /agents/{id}: a skill named constructor is a 400 at skills.constructor, and no agent is written', async () => {
    const response = await call('put-agent', {
      token: admin,
      params: { id: 'u-proto' },
      body: { name: 'p', teams: ['service-desk'], capacity: 1, skills: { constructor: 3 } },
    });
    expect(response.status).toBe(400);
    expect(pathsOf(response.body)).toEqual(['skills.constructor']);
    expect((await deps.routing!.agents.get('u-proto')) ?? null).toBeNull();
  });

  it.each([
    ['put-sla-config', '{"policies":[{"id":"p","constructor":{"x":1}}]}', 'policies.0.constructor'],
    ['put-calendars-config', '{"calendars":[{"__proto__":{"isAdmin":true}}]}', 'calendars.0.__proto__'],
    ['put-approvals-config', '{"prototype":{}}', 'prototype'],
    ['put-portal-config', '{"companyName":{"zh":"x","constructor":"y"}}', 'companyName.constructor'],
  ])('%s: a prototype key anywhere in the document is a 400 at its path', async (route, raw, path) => {
    const response = await call(route, { token: admin, body: JSON.parse(raw) });
    expect(response.status).toBe(400);
    expect(pathsOf(response.body)).toEqual([path]);
  });

  it('POST /tickets: each prototype key in customFields is a 400 naming it, and no number is taken', async () => {
    const before = await call('create-ticket', { token: customer, body: { subject: 'one' } });
    for (const key of ['constructor', 'prototype', '__proto__']) {
      const response = await call('create-ticket', {
        token: customer,
        body: JSON.parse(`{"subject":"x","customFields":{"${key}":"y"}}`),
      });
      expect(response.status, key).toBe(400);
      expect(pathsOf(response.body), key).toEqual([`customFields.${key}`]);
    }
    const after = await call('create-ticket', { token: customer, body: { subject: 'two' } });
    expect(Number(after.body.number.slice(3))).toBe(Number(before.body.number.slice(3)) + 1);
  });
});
