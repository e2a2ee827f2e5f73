import { describe, expect, it } from 'vitest';
import { dynamoAgentStore } from '#shared/adapters/dynamo/dynamo-agent-store.ts';
import { dynamoRoutingConfigStore } from '#shared/adapters/dynamo/dynamo-routing-config-store.ts';
import { type Actor, systemActor } from '#shared/domain/actor.ts';
import { AgentProfile, type AgentProfileInput } from '#shared/domain/routing/agent.ts';
import { defaultRoutingConfig } from '#shared/domain/routing/default-config.ts';
import { type NewTicket, touch } from '#shared/domain/ticket/ticket.entity.ts';
import { assignTicket } from '#shared/use-cases/assign-ticket.ts';
import { changeTicket } from '#shared/use-cases/change-ticket.ts';
import { createTicket } from '#shared/use-cases/create-ticket.ts';
import type { TicketDeps } from '#shared/use-cases/deps.ts';
import { AgentUpdate, putAgent, setAgentAvailability } from '#shared/use-cases/manage-agents.ts';
import { transitionTicket } from '#shared/use-cases/transition-ticket.ts';
import { routedWorld as sharedWorld } from '../support/routed-world.ts';
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

/** A fresh table with the demo routing configuration stored, these agents and a clock the test moves. */
const routedWorld = (agentProfiles: AgentProfile[] = []) =>
  sharedWorld(defaultRoutingConfig, agentProfiles, start);

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
    await world.drain();
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

  it('classifies the text on intake, routes on the intent and keeps the classification and key facts', async () => {
    // Prepare: wording no keyword rule knows ("blows warm air"), so only the intent can send it on site
    const world = await routedWorld([
      profile('field-1', { teams: ['field-repair'], fieldEngineer: true, skills: { hvac: 4 } }),
    ]);
    // Act
    const { ticket } = await createTicket(
      ticketInput({
        subject: 'Unit 1203 blows warm air since this morning',
        description: 'The unit in our meeting room 1203 blows warm air since 9am, the room is at 29 degrees.',
      }),
      staff,
      world.deps,
    );
    await world.drain();
    // Assess
    expect(ticket.intent).toBe('repair');
    expect(ticket.classification).toMatchObject({
      intent: 'repair',
      model: expect.stringMatching(/^intent-/),
    });
    expect(ticket.classification!.confidence).toBeGreaterThanOrEqual(0.5);
    expect(ticket.classification!.facts.places.join(' ')).toContain('1203');
    expect(ticket).toMatchObject({ team: 'field-repair', assignee: 'field-1' });
    expect(ticket.routing!.rule).toMatch(/^intent-repair/);
    expect(await world.deps.tickets.get(ticket.id)).toEqual(ticket);
    const created = world.events.events.find((e) => e.name === 'ticket.created');
    expect(created?.detail).toMatchObject({ ticketId: ticket.id, intent: 'repair' });
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
    await world.drain();
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
        config: world.configs,
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

const deskAgent: Actor = { id: 'desk-1', name: '张伟', roles: ['agent'], channel: 'api' };
const supervisorActor: Actor = { id: 'sup-1', name: '陈静', roles: ['supervisor'], channel: 'api' };
const hvacTicket = (overrides: Partial<NewTicket> = {}) =>
  ticketInput({
    subject: '空调不制冷',
    category: 'hvac',
    location: { lat: 31.23, lng: 121.47 },
    ...overrides,
  });
const fieldEngineer = (id: string, overrides: Partial<AgentProfileInput> = {}) =>
  profile(id, {
    teams: ['field-repair'],
    skills: { hvac: 5 },
    fieldEngineer: true,
    location: { lat: 31.22, lng: 121.48 },
    ...overrides,
  });

describe('Load release and queue pickup', () => {
  it('releases the agent when their ticket is resolved and hands them the next queued ticket', async () => {
    // Prepare: one agent of capacity 1; a first ticket takes it, a second waits
    const world = await routedWorld([profile('desk-1', { capacity: 1 })]);
    const first = (await createTicket(ticketInput(), staff, world.deps)).ticket;
    world.advance(1);
    const second = (await createTicket(ticketInput({ subject: '请问营业时间' }), staff, world.deps)).ticket;
    expect([first.assignee, second.assignee]).toEqual(['desk-1', null]);
    world.advance(5);
    // Act
    await transitionTicket(first.id, { to: 'open' }, deskAgent, undefined, world.deps);
    await transitionTicket(
      first.id,
      { to: 'resolved', summary: '已处理 / Done' },
      deskAgent,
      undefined,
      world.deps,
    );
    await world.drain();
    // Assess: the capacity moved to the waiting ticket, with an explanation of the pickup
    expect(await world.agents.held('desk-1')).toEqual({ [second.id]: 'phone' });
    const picked = (await world.deps.tickets.get(second.id))!;
    expect(picked).toMatchObject({ assignee: 'desk-1', team: 'service-desk', version: 2 });
    expect(picked.routing!.reason).toMatch(/Picked up from the service-desk queue after 5 min by desk-1/);
    const history = await world.deps.tickets.history(second.id);
    expect(history.at(-1)).toMatchObject({
      type: 'assigned',
      actor: { id: 'system' },
      data: { by: 'pickup', assignee: 'desk-1' },
    });
    expect(world.events.events.filter((e) => e.name === 'ticket.assigned').at(-1)!.detail).toMatchObject({
      ticketId: second.id,
      assignee: 'desk-1',
    });
  });

  it('gives the capacity back only once when a resolved ticket is then closed', async () => {
    // Prepare
    const world = await routedWorld([profile('desk-1', { capacity: 3 })]);
    const { ticket } = await createTicket(ticketInput(), staff, world.deps);
    await transitionTicket(ticket.id, { to: 'open' }, deskAgent, undefined, world.deps);
    await transitionTicket(
      ticket.id,
      { to: 'resolved', summary: '已处理 / Done' },
      deskAgent,
      undefined,
      world.deps,
    );
    // Act
    await transitionTicket(ticket.id, { to: 'closed' }, deskAgent, undefined, world.deps);
    await world.drain();
    // Assess
    expect((await world.agents.get('desk-1'))!.load.total).toBe(0);
    expect(await world.agents.held('desk-1')).toEqual({});
  });

  it('takes the capacity again when a resolved ticket is reopened', async () => {
    // Prepare
    const world = await routedWorld([profile('desk-1', { capacity: 3 })]);
    const { ticket } = await createTicket(ticketInput(), staff, world.deps);
    await transitionTicket(ticket.id, { to: 'open' }, deskAgent, undefined, world.deps);
    await transitionTicket(
      ticket.id,
      { to: 'resolved', summary: '已处理 / Done' },
      deskAgent,
      undefined,
      world.deps,
    );
    await world.drain();
    expect(await world.agents.held('desk-1')).toEqual({});
    // Act
    await transitionTicket(ticket.id, { to: 'open' }, deskAgent, undefined, world.deps);
    await world.drain();
    // Assess
    expect(await world.agents.held('desk-1')).toEqual({ [ticket.id]: 'phone' });
  });

  it('moves the load when another path (an SLA escalation) gives the ticket to someone else', async () => {
    // Prepare
    const world = await routedWorld([profile('desk-1'), profile('desk-2')]);
    const { ticket } = await createTicket(ticketInput(), staff, world.deps);
    const other = ticket.assignee === 'desk-1' ? 'desk-2' : 'desk-1';
    // Act: a change that sets the assignee without claiming, as the SLA timer's reassignment does
    await changeTicket(ticket.id, systemActor(), undefined, world.deps, (current, now) => ({
      ticket: { ...touch(current, now), assignee: other },
      audit: [],
      events: [],
    }));
    await world.drain();
    // Assess
    expect(await world.agents.held(ticket.assignee!)).toEqual({});
    expect(await world.agents.held(other)).toEqual({ [ticket.id]: 'phone' });
  });

  it('hands an agent who comes online the highest-priority, then oldest, queued work they qualify for', async () => {
    // Prepare: the only HVAC engineer is away; three HVAC tickets and one billing ticket wait
    const world = await routedWorld([fieldEngineer('field-1', { availability: 'away', capacity: 2 })]);
    const older = (await createTicket(hvacTicket(), staff, world.deps)).ticket;
    world.advance(1);
    const urgent = (await createTicket(hvacTicket({ priority: 'urgent' }), staff, world.deps)).ticket;
    world.advance(1);
    const newest = (await createTicket(hvacTicket(), staff, world.deps)).ticket;
    await createTicket(ticketInput({ subject: '发票开错了' }), staff, world.deps);
    const fieldActor: Actor = { id: 'field-1', roles: ['agent'], channel: 'api' };
    // Act
    const { pickedUp, agent } = await setAgentAvailability('field-1', 'online', fieldActor, world.deps);
    // Assess: two fit its capacity, urgent first
    expect(pickedUp).toEqual([urgent.id, older.id]);
    expect(agent.load.total).toBe(2);
    expect((await world.deps.tickets.get(newest.id))!.assignee).toBeNull();
    expect((await world.deps.tickets.get(urgent.id))!.assignee).toBe('field-1');
  });

  it('relaxes requirements by waiting time when picking up (proficiency 3 → 2 after 30 min)', async () => {
    // Prepare: an engineer whose HVAC level is below the rule's minimum
    const world = await routedWorld([
      fieldEngineer('field-2', { skills: { hvac: 2 }, availability: 'away' }),
    ]);
    const { ticket } = await createTicket(hvacTicket(), staff, world.deps);
    const fieldActor: Actor = { id: 'field-2', roles: ['agent'], channel: 'api' };
    world.advance(10);
    expect((await setAgentAvailability('field-2', 'online', fieldActor, world.deps)).pickedUp).toEqual([]);
    await setAgentAvailability('field-2', 'away', fieldActor, world.deps);
    world.advance(25);
    // Act: 35 minutes after creation, step 1 (hvac ≥ 2) is unlocked
    const { pickedUp } = await setAgentAvailability('field-2', 'online', fieldActor, world.deps);
    // Assess
    expect(pickedUp).toEqual([ticket.id]);
    const routing = (await world.deps.tickets.get(ticket.id))!.routing!;
    expect(routing).toMatchObject({ rule: 'category-hvac', relaxed: true });
    expect(routing.reason).toContain('Requirements relaxed to step 1 (after 30 min in queue)');
  });

  it('hands queued work to an agent whose capacity a supervisor raises', async () => {
    // Prepare
    const world = await routedWorld([profile('desk-1', { capacity: 1 })]);
    await createTicket(ticketInput(), staff, world.deps);
    const waiting = (await createTicket(ticketInput(), staff, world.deps)).ticket;
    expect(waiting.assignee).toBeNull();
    const {
      id: _id,
      load: _load,
      lastAssignedAt: _at,
      profileVersion: _version,
      updatedAt: _updatedAt,
      updatedBy: _by,
      ...current
    } = (await world.agents.get('desk-1'))!;
    // Act
    const { agent, pickedUp } = await putAgent(
      'desk-1',
      AgentUpdate.parse({ ...current, capacity: 2 }),
      supervisorActor,
      world.deps,
    );
    // Assess
    expect(pickedUp).toEqual([waiting.id]);
    expect(agent.load.total).toBe(2);
  });
});

describe('Manual reassignment and transfer', () => {
  async function assignedWorld() {
    const world = await routedWorld([
      profile('desk-1', { capacity: 2 }),
      profile('desk-2', { capacity: 2 }),
      profile('desk-full', { capacity: 0 }),
      profile('desk-off', { availability: 'offline' }),
      profile('cmp-1', { teams: ['complaints'], skills: { 'complaint-handling': 4 } }),
    ]);
    const { ticket } = await createTicket(ticketInput(), staff, world.deps);
    return { world, ticket };
  }

  it('reassigns to another agent with a reason, moving the load and auditing who and why', async () => {
    // Prepare
    const { world, ticket } = await assignedWorld();
    const from = ticket.assignee!;
    const to = from === 'desk-1' ? 'desk-2' : 'desk-1';
    // Act
    const { ticket: moved } = await assignTicket(
      ticket.id,
      { agentId: to, reason: '平衡工作量' },
      supervisorActor,
      undefined,
      world.deps,
    );
    await world.drain();
    // Assess
    expect(moved).toMatchObject({ assignee: to, team: 'service-desk', version: 2 });
    expect(moved.routing!.reason).toBe(`Assigned to ${to} by 陈静 (supervisor): 平衡工作量`);
    expect((await world.deps.tickets.history(ticket.id)).at(-1)).toMatchObject({
      type: 'assigned',
      actor: { id: 'sup-1', role: 'supervisor' },
      data: { reason: '平衡工作量', fromAssignee: from, toAssignee: to, fromTeam: 'service-desk' },
    });
    expect(await world.agents.held(from)).toEqual({});
    expect(await world.agents.held(to)).toEqual({ [ticket.id]: 'phone' });
    expect(world.events.events.at(-1)).toMatchObject({
      name: 'ticket.assigned',
      detail: { assignee: to, version: 2 },
    });
  });

  it('transfers to a team, where routing picks the person, audited as transferred', async () => {
    // Prepare
    const { world, ticket } = await assignedWorld();
    // Act
    const { ticket: moved } = await assignTicket(
      ticket.id,
      { team: 'complaints', reason: '客户情绪激动' },
      { id: ticket.assignee!, roles: ['agent'], channel: 'api' },
      undefined,
      world.deps,
    );
    await world.drain();
    // Assess
    expect(moved).toMatchObject({ team: 'complaints', assignee: 'cmp-1' });
    expect(moved.routing!.reason).toMatch(
      /^Transferred from service-desk to complaints by .*: 客户情绪激动\. /,
    );
    const history = await world.deps.tickets.history(ticket.id);
    expect(history.slice(-2).map((e) => [e.type, e.actor.id])).toEqual([
      ['transferred', ticket.assignee],
      ['assigned', 'system'],
    ]);
    expect(history.at(-2)!.data).toMatchObject({ fromTeam: 'service-desk', toTeam: 'complaints' });
    expect(await world.agents.held(ticket.assignee!)).toEqual({});
    expect(await world.agents.held('cmp-1')).toEqual({ [ticket.id]: 'phone' });
  });

  it("refuses an agent moving someone else's ticket, a full agent and an offline one, changing nothing", async () => {
    // Prepare
    const { world, ticket } = await assignedWorld();
    const other: Actor = { id: 'desk-3', roles: ['agent'], channel: 'api' };
    const move = (agentId: string, actor: Actor = supervisorActor) =>
      assignTicket(ticket.id, { agentId, reason: 'x' }, actor, undefined, world.deps);
    // Act / Assess
    await expect(move('desk-2', other)).rejects.toMatchObject({ code: 'ASSIGNMENT.FORBIDDEN' });
    await expect(move('desk-full')).rejects.toMatchObject({ code: 'AGENT.AT_CAPACITY' });
    await expect(move('desk-off')).rejects.toMatchObject({ code: 'AGENT.UNAVAILABLE' });
    await expect(move('nobody')).rejects.toMatchObject({ code: 'AGENT.NOT_FOUND' });
    await expect(
      assignTicket(ticket.id, { team: 'nowhere', reason: 'x' }, supervisorActor, undefined, world.deps),
    ).rejects.toMatchObject({ code: 'REQUEST.INVALID' });
    expect((await world.deps.tickets.get(ticket.id))!.version).toBe(1);
    expect(await world.agents.held(ticket.assignee!)).toEqual({ [ticket.id]: 'phone' });
  });

  it('answers a stale If-Match with 412 and gives the claim back', async () => {
    // Prepare
    const { world, ticket } = await assignedWorld();
    const to = ticket.assignee === 'desk-1' ? 'desk-2' : 'desk-1';
    await transitionTicket(ticket.id, { to: 'open' }, supervisorActor, undefined, world.deps);
    // Act / Assess
    await expect(
      assignTicket(ticket.id, { agentId: to, reason: 'x' }, supervisorActor, 1, world.deps),
    ).rejects.toMatchObject({ code: 'TICKET.VERSION_MISMATCH' });
    expect(await world.agents.held(to)).toEqual({});
  });
});
