import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { writeScopes } from '#functions/table-writes.ts';
import { dynamoAgentStore } from '#shared/adapters/dynamo/dynamo-agent-store.ts';
import { signatureHeaderValue, WebhookSourceConfig } from '#shared/domain/intake/webhook.ts';
import { AgentProfile } from '#shared/domain/routing/agent.ts';
import { defaultRoutingConfig } from '#shared/domain/routing/default-config.ts';
import { type ApiEvent, type ApiResult, apiHandler } from '#shared/http/api-handler.ts';
import type { TableWrites } from '#shared/http/route.ts';
import { getTicket } from '#shared/use-cases/read-tickets.ts';
import { apiEvent } from '../support/api-event.ts';
import { freshChannelDeps, randomSecret } from '../support/channel-fixtures.ts';
import { routeNamed } from '../support/route-call.ts';
import { agent, customer } from '../support/ticket-fixtures.ts';

/** One item-level write as IAM sees it: the action, and the partition key it names. */
interface Write {
  action: string;
  pk: string;
}

type Json = Record<string, unknown>;
/** A key attribute as the document client writes it, or as the low-level client does (`{ S: … }`). */
const text = (value: unknown) =>
  typeof value === 'object' && value !== null && 'S' in value ? String((value as Json).S) : String(value);
const pkOf = (key: unknown) => text(((key ?? {}) as Json).pk);

/** The item writes of one command, each as IAM authorizes it (one per item of a batch or transaction). */
function writesOf(command: string, input: Json): Write[] {
  switch (command.replace(/Command$/, '')) {
    case 'Put':
    case 'PutItem':
      return [{ action: 'PutItem', pk: pkOf(input.Item) }];
    case 'Update':
    case 'UpdateItem':
      return [{ action: 'UpdateItem', pk: pkOf(input.Key) }];
    case 'Delete':
    case 'DeleteItem':
      return [{ action: 'DeleteItem', pk: pkOf(input.Key) }];
    case 'TransactWrite':
    case 'TransactWriteItems':
      return (input.TransactItems as Json[]).map((item) => {
        const [kind, body] = Object.entries(item)[0] as [string, Json];
        const action =
          { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem' }[kind] ?? 'ConditionCheckItem';
        return { action, pk: pkOf(kind === 'Put' ? body.Item : body.Key) };
      });
    case 'BatchWrite':
    case 'BatchWriteItem':
      return Object.values(input.RequestItems as Record<string, Json[]>)
        .flat()
        .map((r) => ({
          action: 'BatchWriteItem',
          pk: pkOf(((r.PutRequest ?? r.DeleteRequest) as Json).Item ?? ((r.DeleteRequest ?? {}) as Json).Key),
        }));
    default:
      return [];
  }
}

/** Whether IAM, given the route's declared scope, allows `write` (the same test as `dynamodb:LeadingKeys`). */
const allowed = (scope: TableWrites, write: Write) =>
  scope.actions.includes(write.action as TableWrites['actions'][number]) &&
  scope.partitionKeys.some((key) => (key.endsWith('#') ? write.pk.startsWith(key) : write.pk === key));

/**
 * A table for the channels with every document-client command recorded (the dispatcher's reactions are
 * not recorded: they run in their own function, with its own grants).
 */
async function recordedWorld(options: Parameters<typeof freshChannelDeps>[0] = {}) {
  const world = await freshChannelDeps(options);
  const writes: Write[] = [];
  world.client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String((context as { commandName?: string }).commandName ?? '');
      writes.push(...writesOf(name, args.input as Json));
      return next(args);
    },
    { step: 'initialize', name: 'recordWrites' },
  );
  return { ...world, writes };
}

async function call(
  name: string,
  deps: unknown,
  init: { body: string; headers: Record<string, string>; params?: Record<string, string> },
) {
  const route = routeNamed(name);
  const event: ApiEvent = { ...apiEvent(route, init), isBase64Encoded: false };
  const result = (await apiHandler(route, deps as never)(event, {
    awsRequestId: 'req-1',
  } as Context)) as ApiResult;
  return result;
}

describe('The table writes of the public routes', () => {
  it('stay inside the scopes their IAM policies allow: portal intake, lookup and reply', async () => {
    // Prepare
    const world = await recordedWorld();
    const deps = {
      ...world.deps,
      verifyToken: async () => {
        throw new Error('public');
      },
    };
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };

    // Act
    const submitted = await call('portal-submit', deps, {
      headers,
      body: form({
        subject: '打印机卡纸',
        description: '三楼打印机一直卡纸',
        email: customer.email!,
        name: '赵女士',
        nonce: `n-${randomUUID()}`,
      }),
    });
    const submitWrites = world.writes.splice(0);
    const number = /GD-\d+/.exec(submitted.body ?? '')?.[0] ?? '';
    const replied = await call('portal-status-post', deps, {
      headers,
      body: form({
        action: 'reply',
        number,
        email: customer.email!,
        reply: '还是卡纸',
        nonce: `reply-${randomUUID()}`,
      }),
    });
    const statusWrites = world.writes.splice(0);

    // Assess
    expect(submitted.statusCode).toBe(201);
    expect(replied.statusCode).toBe(200);
    expect(submitWrites.length).toBeGreaterThan(0);
    expect(statusWrites.length).toBeGreaterThan(0);
    expect(submitWrites.filter((w) => !allowed(writeScopes.portalIntake, w))).toEqual([]);
    expect(statusWrites.filter((w) => !allowed(writeScopes.portalStatus, w))).toEqual([]);
  });

  it('stay inside the scope its IAM policy allows: a signed webhook that opens and then updates a ticket', async () => {
    // Prepare
    const secret = randomSecret();
    const config = WebhookSourceConfig.parse({
      source: 'monitoring',
      secretRef: '/gongdan/webhooks/monitoring',
      mapping: {
        subject: { template: '{{labels.alertname}} on {{labels.instance}}' },
        customer: { email: { value: 'ops@example.com' } },
      },
      alert: { fingerprint: 'fingerprint' },
    });
    const world = await recordedWorld({ webhooks: [{ config, secrets: [secret] }] });
    const deps = {
      ...world.deps,
      verifyToken: async () => {
        throw new Error('hmac');
      },
    };
    const fingerprint = randomUUID();
    const deliver = async () => {
      const body = JSON.stringify({
        fingerprint,
        id: randomUUID(),
        labels: { alertname: 'Down', instance: 'web-1' },
      });
      const timestamp = String(Math.floor(world.deps.clock.now().getTime() / 1000));
      return call('webhook', deps, {
        params: { source: 'monitoring' },
        headers: {
          'content-type': 'application/json',
          'x-gongdan-delivery': randomUUID(),
          'x-gongdan-timestamp': timestamp,
          'x-gongdan-signature': signatureHeaderValue(secret, timestamp, body),
        },
        body,
      });
    };

    // Act
    const first = await deliver();
    const second = await deliver();

    // Assess
    expect([first.statusCode, second.statusCode]).toEqual([201, 200]);
    expect(world.writes.length).toBeGreaterThan(0);
    expect(world.writes.filter((w) => !allowed(writeScopes.webhook, w))).toEqual([]);
  });

  it('stay inside the portal scope when routing at intake claims an agent, and GetTicket only adds its view', async () => {
    // Prepare: the demo routing configuration and one online agent of the service desk and the experts
    const world = await recordedWorld();
    expect(await world.deps.routing.config.put(defaultRoutingConfig, 0)).toBe(true);
    await dynamoAgentStore(world.client, world.tableName, world.deps.clock).put(
      AgentProfile.parse({
        id: 'desk-1',
        name: 'desk-1',
        teams: ['service-desk', 'experts'],
        languages: ['zh', 'en'],
        capacity: 2,
        availability: 'online',
      }),
    );
    const deps = {
      ...world.deps,
      verifyToken: async () => {
        throw new Error('public');
      },
    };
    world.writes.splice(0);

    // Act
    const submitted = await call('portal-submit', deps, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        subject: '打印机卡纸',
        description: '三楼打印机一直卡纸',
        email: customer.email!,
        nonce: `n-${randomUUID()}`,
      }).toString(),
    });
    const intakeWrites = world.writes.splice(0);
    const number = /GD-\d+/.exec(submitted.body ?? '')?.[0] ?? '';
    const viewed = await getTicket(number, agent, world.deps);
    const viewWrites = world.writes.splice(0);

    // Assess
    expect(submitted.statusCode).toBe(201);
    expect(viewed.assignee, viewed.routing?.reason).toBe('desk-1');
    expect(intakeWrites.some((w) => w.pk === 'AGENT#desk-1')).toBe(true);
    expect(intakeWrites.filter((w) => !allowed(writeScopes.portalIntake, w))).toEqual([]);
    expect(viewWrites).toEqual([{ action: 'PutItem', pk: `TICKET#${viewed.id}` }]);
    expect(viewWrites.filter((w) => !allowed(writeScopes.viewed, w))).toEqual([]);
  });
});
