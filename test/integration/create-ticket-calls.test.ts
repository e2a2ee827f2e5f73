import { describe, expect, it } from 'vitest';
import { dynamoAgentStore } from '#shared/adapters/dynamo/dynamo-agent-store.ts';
import {
  cachedRoutingConfigStore,
  dynamoRoutingConfigStore,
} from '#shared/adapters/dynamo/dynamo-routing-config-store.ts';
import { AgentProfile } from '#shared/domain/routing/agent.ts';
import { defaultRoutingConfig } from '#shared/domain/routing/default-config.ts';
import { type RoutingConfig, reviseRoutingConfig } from '#shared/domain/routing/routing-config.ts';
import type { ApiDeps } from '#shared/http/route.ts';
import { routeCaller } from '../support/route-call.ts';
import { freshTicketDeps } from '../support/ticket-fixtures.ts';
import { testIssuer } from '../support/tokens.ts';

type Json = Record<string, unknown>;

/**
 * What a create costs DynamoDB (docs/architecture.md, "What a create costs"): a world wired as the
 * functions wire it (`wireTickets`), with every command its client sends recorded — name, and for a
 * transaction how many items it writes. Only the request's own calls: the dispatcher's reactions run
 * in another function, and `freshTicketDeps` runs them only when a test drains them.
 */
async function countedWorld() {
  const world = await freshTicketDeps(() => new Date());
  const issuer = await testIssuer();
  const calls: string[] = [];
  world.client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String((context as { commandName?: string }).commandName ?? '').replace(/Command$/, '');
      const items = (args.input as Json).TransactItems as unknown[] | undefined;
      calls.push(items ? `${name}(${items.length})` : name);
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  const deps: ApiDeps = { ...world.deps, verifyToken: issuer.verifyToken } as ApiDeps;
  const call = routeCaller(() => deps);
  const token = await issuer.sign('u-agent-zhang', ['agent'], { name: '张伟' });
  let n = 0;
  /** One `POST /tickets` as an agent (request `i` again: the same body); the calls it made, sorted. */
  const create = async (options: { key?: string; i?: number } = {}) => {
    const i = options.i ?? n++;
    calls.length = 0;
    const response = await call('create-ticket', {
      token,
      headers: options.key ? { 'idempotency-key': options.key } : {},
      body: {
        subject: `打印机卡纸 #${i}`,
        description: '三楼打印机每打印一页就卡纸',
        priority: 'normal',
        customer: { email: `c${i}@example.com`, name: '客户' },
      },
    });
    return { response, calls: [...calls].sort() };
  };
  return { ...world, create };
}

/** The routing configuration with `team` as the only team and no rules: every ticket goes there. */
function onlyTeam(current: RoutingConfig | null, team: string): RoutingConfig {
  return reviseRoutingConfig(
    current,
    {
      teams: [{ ...defaultRoutingConfig.teams[0]!, id: team, name: team, members: [] }],
      rules: [],
      defaults: { ...defaultRoutingConfig.defaults, team },
    },
    { by: 'u-admin', at: new Date() },
  );
}

describe('The DynamoDB calls of a create', () => {
  it('are three with an idempotency key once the configuration is cached: the key, the number, one transaction of five items', async () => {
    // Prepare
    const world = await countedWorld();
    await world.create({ key: 'warm-up' });

    // Act
    const { response, calls } = await world.create({ key: 'k-1' });

    // Assess: ticket, number, `created` audit event, outbox record and key claim, in one transaction.
    expect(response.status).toBe(201);
    expect(calls).toEqual(['GetItem', 'TransactWriteItems(5)', 'UpdateItem']);
  });

  it('are two without a key, and a replay of a key reads the claim and queries the ticket it names', async () => {
    // Prepare
    const world = await countedWorld();
    await world.create();
    await world.create({ key: 'k-2', i: 100 });

    // Act
    const unkeyed = await world.create();
    const replay = await world.create({ key: 'k-2', i: 100 });

    // Assess
    expect(unkeyed.response.status).toBe(201);
    expect(unkeyed.calls).toEqual(['TransactWriteItems(4)', 'UpdateItem']);
    expect(replay.response.status).toBe(201);
    expect(replay.response.headers['idempotent-replayed']).toBe('true');
    expect(replay.calls).toEqual(['GetItem', 'Query']);
  });

  it('read agents once and claim one with routing on: members by the team index, their items, one conditional update', async () => {
    // Prepare
    const world = await countedWorld();
    const config = world.deps.routing.config;
    await config.put(onlyTeam(await config.get(), 'desk'), 0);
    const agents = dynamoAgentStore(world.client, world.tableName, world.deps.clock);
    await agents.put(
      AgentProfile.parse({
        id: 'u-wang',
        name: '王强',
        teams: ['desk'],
        capacity: 5,
        availability: 'online',
      }),
    );
    await world.create({ key: 'warm-up' });

    // Act
    const { response, calls } = await world.create({ key: 'k-3' });

    // Assess: the ticket is routed (an `assigned` audit event joins the transaction).
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ team: 'desk', assignee: 'u-wang' });
    expect(calls).toEqual([
      'BatchGetItem',
      'GetItem',
      'Query',
      'TransactWriteItems(6)',
      'UpdateItem',
      'UpdateItem',
    ]);
  });
});

describe('The routing configuration a create routes by', () => {
  it('is the new one at once after a change through the same store, and the admin read is never cached', async () => {
    // Prepare
    const world = await countedWorld();
    const config = world.deps.routing.config;
    await config.put(onlyTeam(null, 'desk'), 0);
    const before = await world.create();
    // Another writer (another Lambda container, the admin tool) changes it behind the cache.
    const elsewhere = dynamoRoutingConfigStore(world.client, world.tableName);
    const v2 = onlyTeam(await elsewhere.get(), 'billing');
    await elsewhere.put(v2, 1);

    // Act
    const read = await config.get();
    const v3 = onlyTeam(read, 'field');
    await config.put(v3, 2);
    const after = await world.create();

    // Assess
    expect(before.response.body.team).toBe('desk');
    expect(read?.version).toBe(2);
    expect(after.response.body.team).toBe('field');
  });

  it('written elsewhere is used by new tickets within the cache time, not before', async () => {
    // Prepare
    const world = await countedWorld();
    const raw = dynamoRoutingConfigStore(world.client, world.tableName);
    let now = 1_000_000;
    const cached = cachedRoutingConfigStore(raw, 30_000, () => now);
    await raw.put(onlyTeam(null, 'desk'), 0);
    expect((await cached.current())?.teams.map((t) => t.id)).toEqual(['desk']);
    await raw.put(onlyTeam(await raw.get(), 'billing'), 1);

    // Act
    now += 29_000;
    const stale = await cached.current();
    now += 2_000;
    const fresh = await cached.current();

    // Assess
    expect(stale?.version).toBe(1);
    expect(fresh?.version).toBe(2);
  });
});
