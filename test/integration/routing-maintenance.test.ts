import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { type Actor, systemActor } from '#shared/domain/actor.ts';
import { AgentProfile, type AgentProfileInput } from '#shared/domain/routing/agent.ts';
import { activeStatuses } from '#shared/domain/ticket/lifecycle.ts';
import { type NewTicket, touch } from '#shared/domain/ticket/ticket.entity.ts';
import { changeTicket } from '#shared/use-cases/change-ticket.ts';
import { createTicket } from '#shared/use-cases/create-ticket.ts';
import type { TicketDeps } from '#shared/use-cases/deps.ts';
import {
  maintainRouting,
  reconcileClaims,
  routeUnrouted,
  sweepQueues,
} from '#shared/use-cases/routing-maintenance.ts';
import { transitionTicket } from '#shared/use-cases/transition-ticket.ts';
import { hvacRelaxConfig } from '../fixtures/routing-fixtures.ts';
import { routedWorld } from '../support/routed-world.ts';

const start = new Date('2026-11-20T08:00:00Z');

const config = hvacRelaxConfig;

const profile = (id: string, overrides: Partial<AgentProfileInput> = {}) =>
  AgentProfile.parse({
    id,
    name: id,
    teams: ['desk'],
    languages: ['zh', 'en'],
    capacity: 2,
    availability: 'online',
    ...overrides,
  });

/**
 * A fresh table with the config above (unless `storeConfig: false`), agents written through the store,
 * and a clock the test moves.
 */
async function world(agentProfiles: AgentProfile[], { storeConfig = true } = {}) {
  const base = await routedWorld(storeConfig ? config : null, agentProfiles, start);
  const { deps, agents, configs } = base;
  return {
    ...base,
    /**
     * Writes whose reactions are never run (nothing drains them): they leave agents' load as it was,
     * as a writer that bypassed capacity would.
     */
    unrouted: deps,
    /** Intake whose routing fails: the agents cannot be read (`routing.failed`, ticket stored unrouted). */
    failing: {
      ...deps,
      routing: {
        config: configs,
        agents: {
          ...agents,
          listByTeam: async () => {
            throw new Error('throttled');
          },
        },
      },
    } as TicketDeps,
    /** Every active ticket's assignee, read from the store. */
    async assignees(ids: string[]) {
      const tickets = await Promise.all(ids.map((id) => base.deps.tickets.get(id)));
      return tickets.map((t) => (t && activeStatuses.includes(t.status) ? t.assignee : null));
    },
  };
}

const staff: Actor = { id: 'u-desk', name: '前台', roles: ['agent'], channel: 'phone' };
const supervisor: Actor = { id: 'sup-1', name: '陈静', roles: ['supervisor'], channel: 'api' };

const ticketInput = (overrides: Partial<NewTicket> = {}): NewTicket => ({
  subject: '咨询会员积分',
  description: '',
  priority: 'normal',
  tags: [],
  customFields: {},
  customer: { email: 'c@example.com', tier: 'standard' },
  ...overrides,
});
const hvacInput = (overrides: Partial<NewTicket> = {}) =>
  ticketInput({ subject: '空调不制冷', category: 'hvac', ...overrides });

describe('The queue sweep (sweepQueues, on DynamoDB Local)', () => {
  it('assigns a queued ticket once its relaxation step unlocks, with no agent event', async () => {
    // Prepare: the only repair agent has hvac 2, below the rule's 3, and is online the whole time
    const w = await world([profile('rep-2', { teams: ['repair'], skills: { hvac: 2 } })]);
    const { ticket } = await createTicket(hvacInput(), staff, w.deps);
    expect(ticket).toMatchObject({ team: 'repair', assignee: null });
    w.advance(10);
    const early = await sweepQueues(w.deps);
    expect(early).toMatchObject({ freeAgents: 1, queued: 1, tried: 0, assigned: 0 });
    w.advance(25);

    // Act: 35 minutes after creation, step 1 (hvac ≥ 2) is unlocked
    const report = await sweepQueues(w.deps);

    await w.drain();
    // Assess
    expect(report).toMatchObject({ queued: 1, tried: 1, assigned: 1, taken: 0, truncated: false });
    const stored = (await w.deps.tickets.get(ticket.id))!;
    expect(stored).toMatchObject({ assignee: 'rep-2', team: 'repair', version: 2 });
    expect(stored.routing).toMatchObject({ rule: 'hvac', relaxed: true });
    expect(stored.routing!.reason).toMatch(
      /^Re-routed by the queue sweep after 35 min in the repair queue\. /,
    );
    expect(stored.routing!.reason).toContain('Requirements relaxed to step 1 (after 30 min in queue)');
    expect((await w.deps.tickets.history(ticket.id)).at(-1)).toMatchObject({
      type: 'assigned',
      actor: { id: 'system' },
      data: { by: 'sweep', assignee: 'rep-2', queued: false },
    });
    expect(w.events.events.at(-1)).toMatchObject({
      name: 'ticket.assigned',
      detail: { ticketId: ticket.id, assignee: 'rep-2', version: 2 },
    });
    expect(await w.agents.held('rep-2')).toEqual({ [ticket.id]: 'phone' });
    expect((await w.agents.get('rep-2'))!.load.total).toBe(1);
    expect(w.logs).toContainEqual(
      expect.objectContaining({
        message: 'routing.swept',
        fields: expect.objectContaining({ relaxed: true }),
      }),
    );
  });

  it('does nothing, reading no queue, while nobody is free', async () => {
    // Prepare
    const w = await world([
      profile('rep-2', { teams: ['repair'], skills: { hvac: 2 }, availability: 'away' }),
    ]);
    await createTicket(hvacInput(), staff, w.deps);
    w.advance(45);
    // Act
    const report = await sweepQueues(w.deps);
    // Assess
    expect(report).toMatchObject({ freeAgents: 0, queued: 0, tried: 0, assigned: 0 });
  });

  it('routes at most maxRoutes tickets per run, highest priority first, and the next run goes on', async () => {
    // Prepare: four waiting tickets, one agent with room for all of them once relaxed
    const w = await world([profile('rep-2', { teams: ['repair'], skills: { hvac: 2 }, capacity: 10 })]);
    const normal = [];
    for (let i = 0; i < 3; i++) normal.push((await createTicket(hvacInput(), staff, w.deps)).ticket.id);
    const urgent = (await createTicket(hvacInput({ priority: 'urgent' }), staff, w.deps)).ticket.id;
    w.advance(31);
    // Act
    const first = await sweepQueues(w.deps, { maxRoutes: 2 });
    const second = await sweepQueues(w.deps, { maxRoutes: 2 });
    // Assess
    expect(first).toMatchObject({ queued: 4, tried: 2, assigned: 2, truncated: true });
    expect(await w.assignees([urgent, normal[0]!])).toEqual(['rep-2', 'rep-2']);
    expect(second).toMatchObject({ queued: 2, assigned: 2, truncated: false });
    expect(await w.assignees(normal)).toEqual(['rep-2', 'rep-2', 'rep-2']);
  });

  /** Two agents with five units of capacity between them, who also serve the desk; eight HVAC tickets wait. */
  async function contested() {
    const w = await world([
      profile('rep-a', { teams: ['repair', 'desk'], skills: { hvac: 2 }, capacity: 3 }),
      profile('rep-b', { teams: ['repair', 'desk'], skills: { hvac: 2 }, capacity: 2 }),
    ]);
    const hvac: string[] = [];
    for (let i = 0; i < 8; i++) hvac.push((await createTicket(hvacInput(), staff, w.deps)).ticket.id);
    expect(await w.assignees(hvac)).toEqual(Array(8).fill(null));
    w.advance(31);
    return { w, hvac };
  }

  /** Each agent at capacity, holding exactly the active tickets assigned to them, each assigned once. */
  async function expectConsistent(w: Awaited<ReturnType<typeof world>>, ids: string[]) {
    const assignees = await w.assignees(ids);
    for (const [agentId, capacity] of [
      ['rep-a', 3],
      ['rep-b', 2],
    ] as const) {
      expect((await w.agents.get(agentId))!.load.total, agentId).toBe(capacity);
      expect(Object.keys(await w.agents.held(agentId)).sort(), agentId).toEqual(
        ids.filter((_, i) => assignees[i] === agentId).sort(),
      );
    }
    expect(assignees.filter((x) => x !== null)).toHaveLength(5);
    for (const id of ids) {
      const assigned = (await w.deps.tickets.history(id)).filter(
        (e) => e.type === 'assigned' && e.data.queued === false,
      );
      expect(assigned.length, id).toBeLessThanOrEqual(1);
    }
    return assignees;
  }

  it('never exceeds capacity nor assigns a ticket twice when three sweeps run at once', async () => {
    // Prepare
    const { w, hvac } = await contested();

    // Act: three runs on the same snapshot, deciding the same tickets for the same agents
    const runs = await Promise.all([sweepQueues(w.deps), sweepQueues(w.deps), sweepQueues(w.deps)]);

    // Assess: the five units went to five tickets, counted once between the runs
    await expectConsistent(w, hvac);
    expect(runs.reduce((n, r) => n + r.assigned, 0)).toBe(5);
    expect(runs.every((r) => r.failed === 0)).toBe(true);
  });

  it('keeps capacity and claims right when whole maintenance runs race intake for the same agents', async () => {
    // Prepare
    const { w, hvac } = await contested();

    // Act: three runs at once while desk tickets arrive, competing for the same capacity
    const [runs, desk] = await Promise.all([
      Promise.all([maintainRouting(w.deps), maintainRouting(w.deps), maintainRouting(w.deps)]),
      Promise.all(
        Array.from({ length: 3 }, async (_, i) => {
          await new Promise((r) => setTimeout(r, 40 * i));
          return (await createTicket(ticketInput({ subject: `问题 ${i}` }), staff, w.deps)).ticket.id;
        }),
      ),
    ]);

    // Assess
    const ids = [...hvac, ...desk];
    const assignees = await expectConsistent(w, ids);
    expect(runs.every((r) => r.failed.length === 0)).toBe(true);
    expect(runs.reduce((n, r) => n + r.sweep!.assigned, 0)).toBe(
      assignees.slice(0, hvac.length).filter((x) => x !== null).length,
    );
  });
});

describe('The claim reconciler (reconcileClaims, on DynamoDB Local)', () => {
  it('releases an orphaned claim older than the grace period and leaves a fresh one alone', async () => {
    // Prepare: claims whose ticket writes never happened (the function died between claim and write)
    const w = await world([profile('desk-1', { capacity: 3 })]);
    expect(await w.agents.claim('desk-1', 'T-LOST-OLD', { channel: 'web' })).toBe(true);
    w.advance(6);
    expect(await w.agents.claim('desk-1', 'T-LOST-NEW', { channel: 'web' })).toBe(true);

    // Act
    const report = await reconcileClaims(w.deps);

    // Assess
    expect(report).toMatchObject({ agents: 1, claims: 2, young: 1, released: 1 });
    expect(await w.agents.held('desk-1')).toEqual({ 'T-LOST-NEW': 'web' });
    expect((await w.agents.get('desk-1'))!.load).toEqual({ total: 1, byChannel: { web: 1 } });
    expect(w.logs).toContainEqual(
      expect.objectContaining({
        message: 'routing.orphan_released',
        fields: expect.objectContaining({ ticketId: 'T-LOST-OLD', why: 'no ticket' }),
      }),
    );

    // Act: once it is old too
    w.advance(5);
    const later = await reconcileClaims(w.deps);

    // Assess
    expect(later).toMatchObject({ released: 1, young: 0 });
    expect((await w.agents.get('desk-1'))!.load).toEqual({ total: 0, byChannel: { web: 0 } });
  });

  it('keeps the claims of tickets that are their holders’, however old', async () => {
    // Prepare
    const w = await world([profile('desk-1', { capacity: 3 })]);
    const { ticket } = await createTicket(ticketInput(), staff, w.deps);
    expect(ticket.assignee).toBe('desk-1');
    w.advance(60);
    // Act
    const report = await reconcileClaims(w.deps);
    // Assess
    expect(report).toMatchObject({ claims: 1, released: 0, unheldClaimed: 0 });
    expect(await w.agents.held('desk-1')).toEqual({ [ticket.id]: 'phone' });
  });

  it('releases the claim of a ticket that was resolved or given to someone else, and claims it for them', async () => {
    // Prepare: changes written without routing, so the load did not follow (a lost settle)
    const w = await world([profile('desk-1', { capacity: 3 }), profile('desk-2', { capacity: 3 })]);
    const resolved = (await createTicket(ticketInput(), staff, w.deps)).ticket;
    const moved = (await createTicket(ticketInput({ subject: '发票' }), staff, w.deps)).ticket;
    const holderOfMoved = moved.assignee!;
    const other = holderOfMoved === 'desk-1' ? 'desk-2' : 'desk-1';
    await transitionTicket(resolved.id, { to: 'open' }, supervisor, undefined, w.unrouted);
    await transitionTicket(
      resolved.id,
      { to: 'resolved', summary: '已处理 / Done' },
      supervisor,
      undefined,
      w.unrouted,
    );
    await changeTicket(moved.id, systemActor(), undefined, w.unrouted, (current, now) => ({
      ticket: { ...touch(current, now), assignee: other },
      audit: [],
      events: [],
    }));
    expect(Object.keys(await w.agents.held(resolved.assignee!))).toContain(resolved.id);
    w.advance(6);

    // Act
    const report = await reconcileClaims(w.deps);

    // Assess
    expect(report).toMatchObject({ released: 2, unheldClaimed: 1, unheldUnclaimed: 0 });
    expect(Object.keys(await w.agents.held(holderOfMoved))).not.toContain(moved.id);
    expect(Object.keys(await w.agents.held(resolved.assignee!))).not.toContain(resolved.id);
    expect(await w.agents.held(other)).toMatchObject({ [moved.id]: 'phone' });
    const whys = w.logs.filter((l) => l.message === 'routing.orphan_released').map((l) => l.fields!.why);
    expect(whys.sort()).toEqual(['assigned elsewhere', 'resolved']);
    expect(w.logs).toContainEqual(
      expect.objectContaining({
        level: 'info',
        message: 'routing.unheld_assignment',
        fields: { agentId: other, ticketId: moved.id, claimed: true },
      }),
    );
  });

  it('logs an assigned ticket its agent does not hold and cannot take, and leaves a recent one alone', async () => {
    // Prepare: two tickets given to agents without a claim; desk-full has no room
    const w = await world([profile('desk-1', { capacity: 3 }), profile('desk-full', { capacity: 0 })]);
    const { ticket } = await createTicket(ticketInput(), staff, w.deps);
    const recent = (await createTicket(ticketInput({ subject: '退款' }), staff, w.deps)).ticket;
    const giveTo = (id: string, agentId: string) =>
      changeTicket(id, systemActor(), undefined, w.unrouted, (current, now) => ({
        ticket: { ...touch(current, now), assignee: agentId },
        audit: [],
        events: [],
      }));
    await giveTo(ticket.id, 'desk-full');
    await w.agents.release('desk-1', ticket.id); // (its old holder's claim is not what this test is about)
    w.advance(6);
    await w.agents.release('desk-1', recent.id);
    await giveTo(recent.id, 'desk-1'); // still desk-1's, unheld, but changed just now

    // Act
    const report = await reconcileClaims(w.deps);

    // Assess
    expect(report).toMatchObject({ unheldClaimed: 0, unheldUnclaimed: 1, young: 1 });
    expect(w.logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'routing.unheld_assignment',
        fields: { agentId: 'desk-full', ticketId: ticket.id, claimed: false },
      }),
    );
    expect(await w.agents.held('desk-1')).toEqual({});
    expect((await w.deps.tickets.get(ticket.id))!.assignee).toBe('desk-full');
  });

  it('does not release a claim renewed after the reconciler looked (a router writing the ticket now)', async () => {
    // Prepare: an old claim, claimed again (renewed) just now by a router about to write the ticket
    const w = await world([profile('desk-1', { capacity: 3 })]);
    await w.agents.claim('desk-1', 'T-1', { channel: 'web' });
    w.advance(10);
    const cutoff = new Date(start.getTime() + 5 * 60_000);
    expect(await w.agents.claim('desk-1', 'T-1', { channel: 'web' })).toBe(true);

    // Act
    const released = await w.agents.release('desk-1', 'T-1', { claimedBefore: cutoff });

    // Assess
    expect(released).toBe(false);
    expect(await w.agents.heldClaims('desk-1')).toEqual([
      { ticketId: 'T-1', channel: 'web', claimedAt: '2026-11-20T08:10:00.000Z' },
    ]);
    expect((await w.agents.get('desk-1'))!.load.total).toBe(1);
  });

  it('claims and dates claims on agent items stored before claim times were kept', async () => {
    // Prepare: an agent item without `heldAt`, holding a claim made back then
    const w = await world([profile('desk-1', { capacity: 3 })]);
    const doc = DynamoDBDocumentClient.from(w.client);
    await doc.send(
      new UpdateCommand({
        TableName: w.tableName,
        Key: { pk: 'AGENT#desk-1', sk: 'AGENT' },
        UpdateExpression: 'SET held.#old = :ch, lastAssignedAt = :at, #load.#total = :one REMOVE heldAt',
        ExpressionAttributeNames: { '#old': 'T-OLD', '#load': 'load', '#total': 'total' },
        ExpressionAttributeValues: { ':ch': '-', ':at': '2026-11-20T07:00:00.000Z', ':one': 1 },
      }),
    );

    // Act
    const claimed = await w.agents.claim('desk-1', 'T-NEW', { channel: 'email' });
    const claims = await w.agents.heldClaims('desk-1');
    const report = await reconcileClaims(w.deps);

    // Assess: the new claim is dated; the old one, dated by lastAssignedAt (no later than any claim), goes
    expect(claimed).toBe(true);
    expect(claims).toEqual([
      { ticketId: 'T-NEW', channel: 'email', claimedAt: start.toISOString() },
      { ticketId: 'T-OLD', channel: null, claimedAt: start.toISOString() },
    ]);
    expect(report).toMatchObject({ young: 2, released: 0 });
    w.advance(6);
    expect(await reconcileClaims(w.deps)).toMatchObject({ released: 2 });
    expect((await w.agents.get('desk-1'))!.load.total).toBe(0);
  });
});

describe('Routing tickets intake left without a team (routeUnrouted, on DynamoDB Local)', () => {
  it('routes and assigns, at the next run, a ticket created while routing failed', async () => {
    // Prepare: intake cannot read the agents, so the ticket is stored with no team
    const w = await world([profile('desk-1')]);
    const { ticket } = await createTicket(ticketInput(), staff, w.failing);
    expect(ticket).toMatchObject({ team: null, assignee: null, routing: null });
    expect(w.logs).toContainEqual(expect.objectContaining({ level: 'error', message: 'routing.failed' }));
    w.advance(3);

    // Act
    const report = await maintainRouting(w.deps);

    await w.drain();
    // Assess: assigned with its explanation, audited, announced, and counted on the agent
    expect(report.failed).toEqual([]);
    expect(report.unrouted).toMatchObject({ found: 1, assigned: 1, queued: 0, taken: 0, failed: 0 });
    const stored = (await w.deps.tickets.get(ticket.id))!;
    expect(stored).toMatchObject({ team: 'desk', assignee: 'desk-1', version: 2 });
    expect(stored.routing!.reason).toMatch(
      /^Routed by the sweep 3 min after it was created without a team \(routing was off or failed\)\. No rule matched → default team desk; /,
    );
    expect((await w.deps.tickets.history(ticket.id)).map((e) => e.type)).toEqual(['created', 'assigned']);
    expect((await w.deps.tickets.history(ticket.id)).at(-1)).toMatchObject({
      actor: { id: 'system' },
      data: { by: 'sweep', team: 'desk', assignee: 'desk-1', queued: false, routing: stored.routing },
    });
    expect(w.events.events.at(-1)).toMatchObject({
      name: 'ticket.assigned',
      detail: { ticketId: ticket.id, team: 'desk', assignee: 'desk-1', version: 2 },
    });
    expect(await w.agents.held('desk-1')).toEqual({ [ticket.id]: 'phone' });
    expect((await w.agents.get('desk-1'))!.load.total).toBe(1);

    // Act: the next run finds nothing left to do
    w.advance(1);
    const again = await maintainRouting(w.deps);

    // Assess
    expect(again.unrouted).toMatchObject({ found: 0, assigned: 0 });
    expect(await w.deps.tickets.history(ticket.id)).toHaveLength(2);
    expect((await w.agents.get('desk-1'))!.load.total).toBe(1);
  });

  it('does nothing while no configuration is stored, logging nothing per ticket, and routes once one is', async () => {
    // Prepare: a fresh deployment before the first PUT /config/routing
    const w = await world([profile('desk-1')], { storeConfig: false });
    const { ticket } = await createTicket(ticketInput(), staff, w.deps);
    expect(ticket).toMatchObject({ team: null, routing: null });
    w.advance(1);
    const before = w.logs.length;

    // Act
    const idle = await maintainRouting(w.deps);

    // Assess: nothing written, only the run's own line of counts logged
    expect(idle.unrouted).toMatchObject({ skipped: true, found: 0 });
    expect((await w.deps.tickets.get(ticket.id))!.version).toBe(1);
    expect(w.logs.slice(before).map((l) => l.message)).toEqual(['routing.maintenance']);

    // Act: the configuration arrives
    expect(await w.configs.put(config, 0)).toBe(true);
    w.advance(1);
    const report = await maintainRouting(w.deps);

    // Assess
    expect(report.unrouted).toMatchObject({ skipped: false, found: 1, assigned: 1 });
    expect(await w.deps.tickets.get(ticket.id)).toMatchObject({ team: 'desk', assignee: 'desk-1' });
    expect((await w.agents.get('desk-1'))!.load.total).toBe(1);
  });

  it("puts it in its rule's queue when nobody there is free, where the queue sweep assigns it later", async () => {
    // Prepare: the only repair agent has hvac 2, below the rule's 3 until the ticket has waited 30 minutes
    const w = await world([profile('rep-2', { teams: ['repair'], skills: { hvac: 2 } })]);
    const { ticket } = await createTicket(hvacInput(), staff, w.failing);
    w.advance(5);

    // Act
    const first = await maintainRouting(w.deps);

    // Assess: routed into the repair queue, audited as queued
    expect(first.unrouted).toMatchObject({ found: 1, assigned: 0, queued: 1 });
    expect(await w.deps.tickets.get(ticket.id)).toMatchObject({ team: 'repair', assignee: null });
    expect((await w.deps.tickets.history(ticket.id)).at(-1)).toMatchObject({
      type: 'assigned',
      data: { by: 'sweep', team: 'repair', assignee: null, queued: true, rule: 'hvac' },
    });
    expect(await w.agents.held('rep-2')).toEqual({});

    // Act: 35 minutes after creation the relaxed step unlocks
    w.advance(30);
    const later = await maintainRouting(w.deps);

    // Assess: no longer unrouted; the queue sweep takes it
    expect(later.unrouted).toMatchObject({ found: 0 });
    expect(later.sweep).toMatchObject({ assigned: 1 });
    expect(await w.deps.tickets.get(ticket.id)).toMatchObject({ team: 'repair', assignee: 'rep-2' });
  });

  it('routes each ticket once when two runs race for the same unrouted tickets', async () => {
    // Prepare: three unrouted tickets, two agents with room for two each
    const w = await world([profile('desk-1'), profile('desk-2')]);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await createTicket(ticketInput({ subject: `问题 ${i}` }), staff, w.failing)).ticket.id);
    w.advance(2);

    // Act
    const runs = await Promise.all([maintainRouting(w.deps), maintainRouting(w.deps)]);

    await w.drain();
    // Assess: every ticket assigned once, each agent holding exactly its tickets
    expect(runs.every((r) => r.failed.length === 0 && r.unrouted!.failed === 0)).toBe(true);
    expect(runs.reduce((n, r) => n + r.unrouted!.assigned, 0)).toBe(3);
    const assignees = await w.assignees(ids);
    expect(assignees.every((a) => a === 'desk-1' || a === 'desk-2')).toBe(true);
    for (const id of ids) {
      const assigned = (await w.deps.tickets.history(id)).filter((e) => e.type === 'assigned');
      expect(assigned, id).toHaveLength(1);
    }
    for (const agentId of ['desk-1', 'desk-2']) {
      const mine = ids.filter((_, i) => assignees[i] === agentId).sort();
      expect(Object.keys(await w.agents.held(agentId)).sort(), agentId).toEqual(mine);
      expect((await w.agents.get(agentId))!.load.total, agentId).toBe(mine.length);
    }
    expect(w.events.events.filter((e) => e.name === 'ticket.assigned')).toHaveLength(3);
  });

  it('leaves alone a ticket that got a team (or an assignee) before its write, giving the claim back', async () => {
    // Prepare: three unrouted tickets; one is moved to the billing queue before the run, one is given to
    // a person without a team, and one is moved while the run is deciding it (right after its claim)
    const w = await world([profile('desk-1', { capacity: 5 })]);
    const moveTo = (id: string, change: { team?: string; assignee?: string }) =>
      changeTicket(id, systemActor(), undefined, w.unrouted, (current, now) => ({
        ticket: { ...touch(current, now), ...change },
        audit: [],
        events: [],
      }));
    const early = (await createTicket(ticketInput({ subject: '发票' }), staff, w.failing)).ticket;
    const owned = (await createTicket(ticketInput({ subject: '退款' }), staff, w.failing)).ticket;
    const racing = (await createTicket(ticketInput(), staff, w.failing)).ticket;
    await moveTo(early.id, { team: 'billing' });
    await moveTo(owned.id, { assignee: 'desk-2' });
    const racingDeps: TicketDeps = {
      ...w.deps,
      routing: {
        ...w.deps.routing!,
        agents: {
          ...w.agents,
          async claim(agentId, ticketId, options) {
            const claimed = await w.agents.claim(agentId, ticketId, options);
            if (ticketId === racing.id) await moveTo(racing.id, { team: 'billing' });
            return claimed;
          },
        },
      },
    };
    w.advance(2);

    // Act
    const report = await routeUnrouted(racingDeps);

    // Assess: only the racing ticket was found; its write was refused and its claim given back
    expect(report).toMatchObject({ found: 1, assigned: 0, queued: 0, taken: 1, failed: 0 });
    expect(await w.deps.tickets.get(racing.id)).toMatchObject({
      team: 'billing',
      assignee: null,
      version: 2,
    });
    expect(await w.deps.tickets.get(early.id)).toMatchObject({ team: 'billing', assignee: null, version: 2 });
    expect(await w.deps.tickets.get(owned.id)).toMatchObject({ team: null, assignee: 'desk-2', version: 2 });
    for (const id of [early.id, owned.id, racing.id])
      expect(
        (await w.deps.tickets.history(id)).filter((e) => e.type === 'assigned'),
        id,
      ).toEqual([]);
    expect(await w.agents.held('desk-1')).toEqual({});
    expect((await w.agents.get('desk-1'))!.load.total).toBe(0);
  });
});
