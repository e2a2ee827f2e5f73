import { describe, expect, it } from 'vitest';
import { dynamoAgentStore } from '#shared/adapters/dynamo/dynamo-agent-store.ts';
import { dynamoRoutingConfigStore } from '#shared/adapters/dynamo/dynamo-routing-config-store.ts';
import type { Actor } from '#shared/domain/actor.ts';
import type { Logger } from '#shared/domain/ports.ts';
import { AgentProfile, type AgentProfileInput } from '#shared/domain/routing/agent.ts';
import { defaultRoutingConfig } from '#shared/domain/routing/default-config.ts';
import type { NewTicket } from '#shared/domain/ticket/ticket.entity.ts';
import { createTicket } from '#shared/use-cases/create-ticket.ts';
import type { TicketDeps } from '#shared/use-cases/deps.ts';
import { freshTicketDeps } from '../support/ticket-fixtures.ts';

const start = new Date('2026-11-20T08:00:00Z');

const profile = (id: string, overrides: Partial<AgentProfileInput> = {}) =>
  AgentProfile.parse({
    id,
    name: id,
    teams: ['service-desk'],
    languages: ['zh', 'en'],
    capacity: 2,
    availability: 'online',
    ...overrides,
  });

/** A logger that keeps what it was told, to assert on decisions and failures. */
function recordingLogger() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const logger: Logger = {
    info: (message, fields) => lines.push({ level: 'info', message, fields }),
    warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
    error: (message, fields) => lines.push({ level: 'error', message, fields }),
  };
  return { logger, lines };
}

/**
 * A fresh table with the demo routing configuration stored, agents written through the agent store, a
 * clock the test moves, and the use-case dependencies with routing wired as the API functions have it.
 */
async function routedWorld(agentProfiles: AgentProfile[] = []) {
  let now = start;
  const clock = { now: () => now };
  const base = await freshTicketDeps(clock.now);
  const agents = dynamoAgentStore(base.client, base.tableName, clock);
  const config = dynamoRoutingConfigStore(base.client, base.tableName);
  expect(await config.put(defaultRoutingConfig, 0)).toBe(true);
  for (const p of agentProfiles) await agents.put(p);
  const { logger, lines } = recordingLogger();
  const deps: TicketDeps = { ...base.deps, logger, routing: { agents, config } };
  return {
    ...base,
    deps,
    agents,
    config,
    logs: lines,
    advance(minutes: number) {
      now = new Date(now.getTime() + minutes * 60_000);
    },
  };
}

const staff: Actor = { id: 'u-desk', name: '前台', roles: ['agent'], channel: 'phone' };
const vip = { email: 'huang@hualian.example.com', name: '黄先生', tier: 'vip' as const };

const ticketInput = (overrides: Partial<NewTicket> = {}): NewTicket => ({
  subject: '咨询会员积分',
  description: '',
  priority: 'normal',
  tags: [],
  customFields: {},
  customer: { email: 'c@example.com', tier: 'standard' },
  ...overrides,
});

describe('Routing on intake (createTicket with routing wired, on DynamoDB Local)', () => {
  it("sends a VIP's urgent ticket straight to the experts, claims the agent and explains why", async () => {
    // Prepare
    const world = await routedWorld([
      profile('exp-senior', { teams: ['experts'], level: 3, skills: { network: 4 } }),
      profile('exp-junior', { teams: ['experts'], level: 1, skills: { network: 4 } }),
      profile('desk-1', { teams: ['service-desk'], level: 3 }),
    ]);
    // Act
    const { ticket, created } = await createTicket(
      ticketInput({ priority: 'urgent', customer: vip }),
      staff,
      world.deps,
    );
    // Assess: assigned in the same write as the creation (version 1), with the explanation
    expect(created).toBe(true);
    expect(ticket).toMatchObject({ version: 1, team: 'experts', assignee: 'exp-senior', status: 'new' });
    expect(ticket.routing).toMatchObject({ rule: 'vip-urgent', relaxed: false });
    expect(ticket.routing!.reason).toContain('vip-urgent');
    expect(ticket.routing!.candidates.map((c) => c.agentId)).toEqual(['exp-senior', 'exp-junior']);
    expect(await world.deps.tickets.get(ticket.id)).toEqual(ticket);

    const history = await world.deps.tickets.history(ticket.id);
    expect(history.map((e) => e.type)).toEqual(['created', 'assigned']);
    expect(history[1]).toMatchObject({
      actor: { id: 'system' },
      version: 1,
      data: { by: 'routing', team: 'experts', assignee: 'exp-senior', rule: 'vip-urgent', queued: false },
    });
    expect(history[1]!.data.routing).toEqual(ticket.routing);

    expect(world.events.events.map((e) => e.name)).toEqual(['ticket.created', 'ticket.assigned']);
    expect(world.events.events[1]!.detail).toMatchObject({
      ticketId: ticket.id,
      team: 'experts',
      assignee: 'exp-senior',
      reason: ticket.routing!.reason,
    });
    expect(await world.agents.held('exp-senior')).toEqual({ [ticket.id]: 'phone' });
    expect((await world.agents.get('exp-senior'))!.load.total).toBe(1);
  });

  it('queues a ticket in its team when nobody qualifies, and says when requirements relax', async () => {
    // Prepare: the only field engineer with HVAC skills is away
    const world = await routedWorld([
      profile('field-away', {
        teams: ['field-repair'],
        skills: { hvac: 5 },
        fieldEngineer: true,
        availability: 'away',
      }),
    ]);
    // Act
    const { ticket } = await createTicket(
      ticketInput({
        subject: '空调不制冷',
        category: 'hvac',
        location: { lat: 31.23, lng: 121.47 },
      }),
      staff,
      world.deps,
    );
    // Assess
    expect(ticket).toMatchObject({ team: 'field-repair', assignee: null });
    expect(ticket.routing!.rule).toBe('category-hvac');
    expect(ticket.routing!.reason).toMatch(/queued in field-repair\. Requirements relax at /);
    expect((await world.deps.tickets.history(ticket.id))[1]!.data).toMatchObject({ queued: true });
    expect(world.events.events[1]!.detail).toMatchObject({ team: 'field-repair', assignee: null });
  });

  it('routes a replayed request only once (Idempotency-Key)', async () => {
    // Prepare
    const world = await routedWorld([profile('desk-1'), profile('desk-2')]);
    const input = ticketInput({ subject: '请问营业时间' });
    // Act
    const first = await createTicket(input, staff, world.deps, 'key-1');
    const again = await createTicket(input, staff, world.deps, 'key-1');
    // Assess
    expect(again).toEqual({ ticket: first.ticket, created: false });
    const loads = await Promise.all(['desk-1', 'desk-2'].map((id) => world.agents.get(id)));
    expect(loads.reduce((n, a) => n + a!.load.total, 0)).toBe(1);
    expect(
      (await world.deps.tickets.history(first.ticket.id)).filter((e) => e.type === 'assigned'),
    ).toHaveLength(1);
  });

  it('gives the claim back when concurrent requests with one key race and one loses', async () => {
    // Prepare
    const world = await routedWorld([
      profile('desk-1', { capacity: 10 }),
      profile('desk-2', { capacity: 10 }),
    ]);
    const input = ticketInput({ subject: '同时提交两次' });
    // Act
    const results = await Promise.all(
      Array.from({ length: 4 }, () => createTicket(input, staff, world.deps, 'same-key')),
    );
    // Assess: one ticket, and only its claim is held
    const ids = new Set(results.map((r) => r.ticket.id));
    expect(ids.size).toBe(1);
    const held = {
      ...(await world.agents.held('desk-1')),
      ...(await world.agents.held('desk-2')),
    };
    expect(Object.keys(held)).toEqual([...ids]);
  });

  it('still creates the ticket, unrouted, when routing fails', async () => {
    // Prepare: an agent store that cannot be read
    const world = await routedWorld([profile('desk-1')]);
    const broken: TicketDeps = {
      ...world.deps,
      routing: {
        config: world.config,
        agents: {
          ...world.agents,
          listByTeam: async () => {
            throw new Error('throttled');
          },
        },
      },
    };
    // Act
    const { ticket } = await createTicket(ticketInput(), staff, broken);
    // Assess
    expect(ticket).toMatchObject({ team: null, assignee: null, routing: null });
    expect(await world.deps.tickets.get(ticket.id)).toEqual(ticket);
    expect((await world.deps.tickets.history(ticket.id)).map((e) => e.type)).toEqual(['created']);
    expect(world.logs).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'routing.failed', fields: expect.anything() }),
    );
  });

  it('leaves tickets unrouted while no routing configuration is stored', async () => {
    // Prepare
    const base = await freshTicketDeps(() => start);
    const agents = dynamoAgentStore(base.client, base.tableName);
    await agents.put(profile('desk-1'));
    const deps: TicketDeps = {
      ...base.deps,
      routing: { agents, config: dynamoRoutingConfigStore(base.client, base.tableName) },
    };
    // Act
    const { ticket } = await createTicket(ticketInput(), staff, deps);
    // Assess
    expect(ticket).toMatchObject({ assignee: null, routing: null });
    expect((await agents.get('desk-1'))!.load.total).toBe(0);
  });
});
