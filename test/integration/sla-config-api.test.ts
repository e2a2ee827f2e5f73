import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '#functions/routes.ts';
import {
  cachedSlaConfigStore,
  dynamoSlaConfigStore,
} from '#shared/adapters/dynamo/dynamo-sla-config-store.ts';
import { type ApiEvent, type ApiResult, apiHandler } from '#shared/http/api-handler.ts';
import type { ApiDeps, Route } from '#shared/http/route.ts';
import { freshTicketDeps } from '../support/ticket-fixtures.ts';
import { testIssuer } from '../support/tokens.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
type Json = any;

const routeNamed = (name: string) => apiRoutes.find((r) => r.name === name) as Route<unknown, unknown>;

function event(
  route: Route<unknown, unknown>,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: route.path,
    rawQueryString: '',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    requestContext: {
      http: {
        method: route.method,
        path: route.path,
        protocol: 'HTTP/1.1',
        sourceIp: '198.51.100.4',
        userAgent: 't',
      },
      requestId: 'req-1',
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
    },
    isBase64Encoded: false,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  } as unknown as ApiEvent;
}

const calendar = (id: string) => ({
  id,
  name: `Shenzhen night desk ${id}`,
  timeZone: 'Asia/Shanghai',
  weeklyHours: { mon: [{ start: '22:00', end: '06:00' }], tue: [{ start: '22:00', end: '06:00' }] },
});

describe('GET/PUT /config/sla and /config/calendars (handlers on DynamoDB Local)', () => {
  let deps: ApiDeps;
  const tokens: Record<string, string> = {};
  const call = async (name: string, as: string, body?: unknown, headers?: Record<string, string>) => {
    const route = routeNamed(name);
    const result = (await apiHandler(route, deps)(event(route, tokens[as]!, body, headers), {
      awsRequestId: 'r',
    } as Context)) as ApiResult;
    return {
      status: result.statusCode,
      headers: result.headers ?? {},
      body: JSON.parse(result.body || 'null') as Json,
    };
  };

  beforeAll(async () => {
    const issuer = await testIssuer();
    const { deps: ticketDeps, client, tableName } = await freshTicketDeps();
    const store = cachedSlaConfigStore(dynamoSlaConfigStore(client, tableName));
    deps = { ...ticketDeps, sla: { config: store, store }, verifyToken: issuer.verifyToken };
    tokens.admin = await issuer.sign('admin-1', ['admin'], { name: '王磊' });
    tokens.supervisor = await issuer.sign('sup-1', ['supervisor']);
    tokens.agent = await issuer.sign('agent-1', ['agent']);
  });

  it('shows the defaults as version 0 to a supervisor, with an ETag', async () => {
    // Act
    const result = await call('get-sla-config', 'supervisor');

    // Assess
    expect(result.status).toBe(200);
    expect(result.headers.etag).toBe('"0"');
    expect(result.body).toMatchObject({ version: 0, updatedBy: null, history: [] });
    expect(result.body.policies.map((p: Json) => p.id)).toContain('urgent');
  });

  it('refuses agents to read and supervisors to change the configuration', async () => {
    expect((await call('get-calendars-config', 'agent')).status).toBe(403);
    const current = (await call('get-sla-config', 'supervisor')).body;
    expect((await call('put-sla-config', 'supervisor', { policies: current.policies })).status).toBe(403);
  });

  it('answers 400 with field details for an invalid policy set', async () => {
    // Act
    const result = await call('put-sla-config', 'admin', {
      policies: [
        { id: 'bad id', name: 'x', calendarId: '24x7', targets: {} },
        { id: 'dup', name: 'a', calendarId: '24x7', targets: { resolution: { minutes: 60 } } },
        { id: 'dup', name: 'b', calendarId: '24x7', targets: { resolution: { minutes: -5 } } },
      ],
    });

    // Assess
    expect(result.status).toBe(400);
    const paths = result.body.error.details.fields.map((f: Json) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'policies.0.id',
        'policies.0.targets',
        'policies.2.targets.resolution.minutes',
      ]),
    );
  });

  it('answers 400 naming the policy when it names a calendar that does not exist', async () => {
    const current = (await call('get-sla-config', 'admin')).body;
    const policies = [{ ...current.policies[0], calendarId: 'mars-office' }, ...current.policies.slice(1)];
    const result = await call('put-sla-config', 'admin', { policies });
    expect(result.status).toBe(400);
    expect(result.body.error.details.fields).toEqual([
      expect.objectContaining({ path: 'policies.0.calendarId', code: 'unknown_calendar' }),
    ]);
  });

  it('stores a change as the next version, keeps who changed what when, and applies it to new tickets', async () => {
    // Prepare: urgent's first response from 30 to 20 minutes
    const current = (await call('get-sla-config', 'admin')).body;
    const policies = current.policies.map((p: Json) =>
      p.id === 'urgent' ? { ...p, targets: { ...p.targets, firstResponse: { minutes: 20 } } } : p,
    );

    // Act
    const result = await call('put-sla-config', 'admin', { ...current, policies }, { 'if-match': '"0"' });
    const ticket = (
      await call('create-ticket', 'admin', {
        subject: '服务器宕机',
        priority: 'urgent',
        customer: { email: 'ops@example.com' },
      })
    ).body;

    // Assess
    expect(result.status).toBe(200);
    expect(result.headers.etag).toBe('"1"');
    expect(result.body).toMatchObject({
      version: 1,
      updatedBy: { id: 'admin-1', name: '王磊', role: 'admin', sourceIp: '198.51.100.4' },
      history: [
        {
          version: 1,
          by: { id: 'admin-1', role: 'admin' },
          summary: { added: [], removed: [], changed: ['urgent'] },
        },
      ],
    });
    expect(Date.parse(ticket.sla.firstResponseDueAt) - Date.parse(ticket.createdAt)).toBe(20 * 60_000);
  });

  it('answers 412 to a change based on a stale version, and applies one without If-Match to the current', async () => {
    // Prepare
    const current = (await call('get-sla-config', 'admin')).body;

    // Act
    const stale = await call('put-sla-config', 'admin', current, { 'if-match': '"0"' });
    const unconditional = await call('put-sla-config', 'admin', current);

    // Assess
    expect(stale.status).toBe(412);
    expect(stale.body.error).toMatchObject({
      code: 'CONFIG.VERSION_MISMATCH',
      details: { expectedVersion: 0, currentVersion: current.version },
    });
    expect(unconditional.status).toBe(200);
    expect(unconditional.body.version).toBe(current.version + 1);
  });

  it('adds a calendar with an overnight shift, and refuses to drop one a policy uses', async () => {
    // Prepare
    const current = (await call('get-calendars-config', 'admin')).body;

    // Act
    const added = await call('put-calendars-config', 'admin', {
      calendars: [...current.calendars, calendar('sz-night')],
    });
    const dropped = await call('put-calendars-config', 'admin', {
      calendars: current.calendars.filter((c: Json) => c.id !== 'cn-office'),
    });
    const invalid = await call('put-calendars-config', 'admin', {
      calendars: [{ ...calendar('x'), timeZone: 'Mars/Olympus' }],
    });

    // Assess
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ version: 1, history: [{ summary: { added: ['sz-night'] } }] });
    expect(dropped.status).toBe(400);
    expect(dropped.body.error.details.fields[0]).toMatchObject({
      path: 'calendars',
      code: 'calendar_in_use',
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details.fields.map((f: Json) => f.path)).toContain('calendars.0.timeZone');
  });
});
