import { describe, expect, it } from 'vitest';
import { pickQueuedTicket } from '#shared/domain/routing/decide.ts';
import type { RoutingRuleInput } from '#shared/domain/routing/routing-config.ts';
import { RoutingDecision } from '#shared/domain/ticket/ticket.entity.ts';
import { pickUpQueuedWork, queuesServedBy, routeTicket } from '#shared/use-cases/route-ticket.ts';
import {
  agent,
  config,
  memoryAgentStore,
  memoryQueue,
  minutesAfter,
  t0,
  ticket,
} from '../fixtures/routing-fixtures.ts';

const elevatorRule: RoutingRuleInput = {
  id: 'elevator',
  name: '电梯',
  when: { keywords: ['电梯'] },
  route: {
    team: 'repair',
    skills: [{ skill: 'elevator', minProficiency: 4 }],
    relax: [{ afterMinutes: 20, minProficiency: 3 }],
  },
};
const rules = config([elevatorRule]);

/** A ticket waiting in `team`'s queue, created `minutesAgo` before `now`. */
const waiting = (id: string, now: Date, minutesAgo: number, overrides: Parameters<typeof ticket>[0] = {}) =>
  ticket({
    id,
    team: 'repair',
    subject: '电梯异响',
    createdAt: minutesAfter(now, -minutesAgo).toISOString(),
    ...overrides,
  });

const clockAt = (now: Date) => ({ now: () => now });

describe('pickQueuedTicket()', () => {
  const now = minutesAfter(t0, 60);
  const fixer = agent('fixer', { teams: ['repair'], skills: { elevator: 4 } });

  it('gives the agent the highest-priority ticket first, and the oldest among equals', () => {
    // Prepare
    const queued = [
      waiting('old-normal', now, 50),
      waiting('new-urgent', now, 5, { priority: 'urgent' }),
      waiting('old-urgent', now, 30, { priority: 'urgent' }),
      waiting('low', now, 55, { priority: 'low' }),
    ];
    // Act
    const pick = pickQueuedTicket(fixer, queued, rules, now);
    // Assess
    expect(pick?.ticket.id).toBe('old-urgent');
  });

  it('skips tickets the agent does not qualify for and those already assigned', () => {
    const queued = [
      waiting('taken', now, 50, { priority: 'urgent', assignee: 'someone' }),
      waiting('billing', now, 40, { priority: 'urgent', team: 'billing', subject: '发票' }),
      waiting('mine', now, 10),
    ];
    expect(pickQueuedTicket(fixer, queued, rules, now)?.ticket.id).toBe('mine');
  });

  it('lets a less proficient agent take a ticket only once it has waited past the relaxation step', () => {
    // Prepare
    const three = agent('three', { teams: ['repair'], skills: { elevator: 3 } });
    const fresh = [waiting('fresh', now, 19)];
    const stale = [waiting('stale', now, 20)];
    // Act
    const early = pickQueuedTicket(three, fresh, rules, now);
    const late = pickQueuedTicket(three, stale, rules, now);
    // Assess
    expect(early).toBeNull();
    expect(late?.ticket.id).toBe('stale');
    expect(late?.decision.relaxed).toBe(true);
    expect(late?.decision.routing.relaxed).toBe(true);
  });

  it('gives nothing to an agent who is away or full, and respects channel caps', () => {
    const queued = [waiting('phone', now, 10, { channel: 'phone' }), waiting('web', now, 5)];
    expect(pickQueuedTicket({ ...fixer, availability: 'away' }, queued, rules, now)).toBeNull();
    expect(pickQueuedTicket({ ...fixer, load: { total: 5, byChannel: {} } }, queued, rules, now)).toBeNull();
    const phoneCapped = {
      ...fixer,
      capacity: { max: 5, perChannel: { phone: 1 } },
      load: { total: 1, byChannel: { phone: 1 } },
    };
    expect(pickQueuedTicket(phoneCapped, queued, rules, now)?.ticket.id).toBe('web');
  });

  it('routes a transferred ticket within the team it was moved to', () => {
    // Prepare: the elevator rule says repair, but a supervisor moved the ticket to billing.
    const moved = [waiting('moved', now, 10, { team: 'billing' })];
    const biller = agent('biller', { teams: ['billing'] });
    // Act
    const pick = pickQueuedTicket(biller, moved, rules, now);
    // Assess
    expect(pick?.decision).toMatchObject({ team: 'billing', pinned: true });
    expect(pickQueuedTicket(fixer, moved, rules, now)).toBeNull();
  });

  it('explains the pickup in the ticket routing shape', () => {
    const pick = pickQueuedTicket(fixer, [waiting('q', now, 42)], rules, now)!;
    expect(RoutingDecision.parse(pick.decision.routing)).toEqual(pick.decision.routing);
    expect(pick.decision.routing.reason).toContain('Picked up from the repair queue after 42 min by fixer');
    expect(pick.decision.routing.candidates).toEqual([
      { agentId: 'fixer', score: pick.decision.candidates[0]!.score },
    ]);
  });
});

describe('routeTicket()', () => {
  it('claims the best candidate and explains the assignment', async () => {
    // Prepare
    const store = memoryAgentStore([
      agent('four', { teams: ['repair'], skills: { elevator: 4 } }),
      agent('five', { teams: ['repair'], skills: { elevator: 5 } }),
    ]);
    // Act
    const result = await routeTicket(ticket({ subject: '电梯' }), rules, {
      agents: store,
      clock: clockAt(t0),
    });
    // Assess
    expect(result).toMatchObject({ team: 'repair', assignee: 'five', passedOver: [] });
    expect(store.snapshot('five')).toMatchObject({
      load: { total: 1, byChannel: { web: 1 } },
      lastAssignedAt: t0.toISOString(),
    });
  });

  it('falls back to the next candidate when a claim fails, and says so', async () => {
    // Prepare
    const store = memoryAgentStore([
      agent('four', { teams: ['repair'], skills: { elevator: 4 } }),
      agent('five', { teams: ['repair'], skills: { elevator: 5 } }),
    ]);
    store.refuse('five');
    // Act
    const result = await routeTicket(ticket({ subject: '电梯' }), rules, {
      agents: store,
      clock: clockAt(t0),
    });
    // Assess
    expect(result).toMatchObject({ assignee: 'four', passedOver: ['five'] });
    expect(result.routing.reason).toContain('picked four');
    expect(result.routing.reason).toContain('Claims on five failed');
    expect(store.snapshot('five')!.load.total).toBe(0);
  });

  it('reads the loads again and decides afresh after three lost claims', async () => {
    // Prepare: the three best agents are each taken by someone else once.
    const store = memoryAgentStore(
      [5, 5, 4, 4].map((level, i) => agent(`a${i}`, { teams: ['repair'], skills: { elevator: level } })),
    );
    for (const id of ['a0', 'a1', 'a2']) store.refuse(id);
    let reads = 0;
    const counting = {
      ...store,
      listByTeam: (team: string) => {
        reads++;
        return store.listByTeam(team);
      },
    };
    // Act
    const result = await routeTicket(ticket({ subject: '电梯' }), rules, {
      agents: counting,
      clock: clockAt(t0),
    });
    // Assess: the fresh decision's best agent, not the fourth of the stale list.
    expect(reads).toBe(2);
    expect(result).toMatchObject({ assignee: 'a0', passedOver: ['a0', 'a1', 'a2'] });
  });

  it('queues the ticket in its team when every claim fails', async () => {
    const store = memoryAgentStore([agent('five', { teams: ['repair'], skills: { elevator: 5 } })]);
    store.refuse('five');
    const result = await routeTicket(ticket({ subject: '电梯' }), rules, {
      agents: store,
      clock: clockAt(t0),
    });
    expect(result).toMatchObject({ team: 'repair', assignee: null, passedOver: ['five'] });
    expect(result.routing.reason).toContain('every claim failed');
    expect(store.claims).toEqual([]);
  });
});

describe('pickUpQueuedWork()', () => {
  const now = minutesAfter(t0, 60);

  it('fills an agent who frees capacity with queued work in queue order, up to capacity', async () => {
    // Prepare: the agent holds 1 of 3; four tickets wait.
    const store = memoryAgentStore([
      agent('fixer', { teams: ['repair'], skills: { elevator: 4 }, capacity: 3 }),
    ]);
    await store.claim('fixer', 'earlier-ticket');
    const {
      queue,
      assigner,
      ticket: stored,
    } = memoryQueue([
      waiting('q1', now, 50),
      waiting('q2', now, 40, { priority: 'high' }),
      waiting('q3', now, 30),
      waiting('q4', now, 20),
    ]);
    // Act
    const picked = await pickUpQueuedWork('fixer', rules, {
      agents: store,
      clock: clockAt(now),
      queue,
      tickets: assigner,
    });
    // Assess
    expect(picked.map((p) => p.ticket.id)).toEqual(['q2', 'q1']);
    expect(store.snapshot('fixer')!.load.total).toBe(3);
    expect(stored('q2')).toMatchObject({ assignee: 'fixer', team: 'repair' });
    expect(stored('q3').assignee).toBeNull();
  });

  it('gives the capacity back and takes the next ticket when the first was taken meanwhile', async () => {
    // Prepare
    const store = memoryAgentStore([
      agent('fixer', { teams: ['repair'], skills: { elevator: 4 }, capacity: 1 }),
    ]);
    const { queue, assigner, ticket: stored } = memoryQueue([waiting('q1', now, 50), waiting('q2', now, 40)]);
    assigner.stealBeforeAssign('q1');
    // Act
    const picked = await pickUpQueuedWork('fixer', rules, {
      agents: store,
      clock: clockAt(now),
      queue,
      tickets: assigner,
    });
    // Assess
    expect(picked.map((p) => p.ticket.id)).toEqual(['q2']);
    expect(stored('q1').assignee).toBe('someone-else');
    expect(store.snapshot('fixer')!.load.total).toBe(1);
  });

  it('keeps the claim when a concurrent pickup for the same agent wrote the ticket first', async () => {
    // Prepare: two pickups for one agent at once (they came online and freed capacity together)
    const store = memoryAgentStore([
      agent('fixer', { teams: ['repair'], skills: { elevator: 4 }, capacity: 2 }),
    ]);
    const { queue, assigner, ticket: stored } = memoryQueue([waiting('q1', now, 50)]);
    const deps = { agents: store, clock: clockAt(now), queue, tickets: assigner };
    // Act: both pick q1 and claim it (the second claim is the first one, idempotently); one writes it
    const [first, second] = await Promise.all([
      pickUpQueuedWork('fixer', rules, deps),
      pickUpQueuedWork('fixer', rules, deps),
    ]);
    // Assess: the ticket is the agent's and still counted against them, once
    expect([...first, ...second].map((p) => p.ticket.id)).toEqual(['q1']);
    expect(stored('q1').assignee).toBe('fixer');
    expect(await store.heldClaims('fixer')).toMatchObject([{ ticketId: 'q1' }]);
    expect(store.snapshot('fixer')!.load.total).toBe(1);
  });

  it('does nothing for an agent who is offline', async () => {
    const store = memoryAgentStore([
      agent('fixer', { teams: ['repair'], skills: { elevator: 4 }, availability: 'offline' }),
    ]);
    const { queue, assigner } = memoryQueue([waiting('q1', now, 50)]);
    expect(
      await pickUpQueuedWork('fixer', rules, {
        agents: store,
        clock: clockAt(now),
        queue,
        tickets: assigner,
      }),
    ).toEqual([]);
  });

  it('looks in the queues of teams whose relaxed rules add the agent', () => {
    const widening = config([
      { ...elevatorRule, route: { team: 'repair', relax: [{ afterMinutes: 30, addTeams: ['experts'] }] } },
    ]);
    expect(queuesServedBy({ teams: ['experts'] }, widening)).toEqual(['experts', 'repair']);
    expect(queuesServedBy({ teams: ['desk'] }, widening)).toEqual(['desk']);
  });
});
