import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoAgentStore } from '#shared/adapters/dynamo/dynamo-agent-store.ts';
import { systemActor } from '#shared/domain/actor.ts';
import { auditEvent } from '#shared/domain/audit/audit-event.ts';
import { AgentProfile, type AgentProfileInput } from '#shared/domain/routing/agent.ts';
import { defaultRoutingConfig } from '#shared/domain/routing/default-config.ts';
import { touch } from '#shared/domain/ticket/ticket.entity.ts';
import { changeTicket } from '#shared/use-cases/change-ticket.ts';
import { createTicket } from '#shared/use-cases/create-ticket.ts';
import { routeTicket } from '#shared/use-cases/route-ticket.ts';
import { agent, customer, freshTicketDeps } from '../support/ticket-fixtures.ts';

const now = new Date('2026-11-20T08:00:00Z');
const clock = { now: () => now };

const profile = (id: string, overrides: Partial<AgentProfileInput> = {}) =>
  AgentProfile.parse({
    id,
    name: id,
    teams: ['service-desk'],
    skills: { account: 3 },
    languages: ['zh', 'en'],
    capacity: 2,
    availability: 'online',
    ...overrides,
  });

describe('DynamoDB agent store (against DynamoDB Local)', () => {
  let ctx: Awaited<ReturnType<typeof freshTicketDeps>>;
  let store: ReturnType<typeof dynamoAgentStore>;
  beforeAll(async () => {
    ctx = await freshTicketDeps(clock.now);
    store = dynamoAgentStore(ctx.client, ctx.tableName, clock);
  });

  describe('put() / get() / list()', () => {
    it('stores a profile with zero load and finds it by id, in the list and in each of its teams', async () => {
      // Act
      const stored = await store.put(profile('put-1', { teams: ['billing', 'complaints'] }));
      // Assess
      expect(stored).toMatchObject({ id: 'put-1', load: { total: 0, byChannel: {} }, lastAssignedAt: null });
      expect(await store.get('put-1')).toEqual(stored);
      expect((await store.list()).map((a) => a.id)).toContain('put-1');
      expect((await store.listByTeam('billing')).map((a) => a.id)).toEqual(['put-1']);
      expect((await store.listByTeam('complaints')).map((a) => a.id)).toEqual(['put-1']);
      expect(await store.get('nobody')).toBeNull();
    });

    it('moves an agent between teams and keeps their live load when the profile is replaced', async () => {
      // Prepare
      await store.put(profile('put-2', { teams: ['experts'], capacity: 3 }));
      expect(await store.claim('put-2', 'T-held', { channel: 'email' })).toBe(true);
      // Act
      const replaced = await store.put(
        profile('put-2', { teams: ['field-repair'], capacity: 5, name: '王强' }),
      );
      // Assess
      expect(replaced).toMatchObject({
        name: '王强',
        capacity: { max: 5 },
        load: { total: 1, byChannel: { email: 1 } },
      });
      expect((await store.listByTeam('experts')).map((a) => a.id)).not.toContain('put-2');
      expect((await store.listByTeam('field-repair')).map((a) => a.id)).toContain('put-2');
    });

    it('keeps agent partitions apart from the team ticket queues on the shared index', async () => {
      // Prepare: a ticket in team billing and an agent of team billing.
      // Staff choose a team on create (a customer may not: docs/security.md).
      await createTicket(
        {
          subject: '发票',
          description: '',
          priority: 'normal',
          team: 'billing',
          tags: [],
          customFields: {},
          customer: { email: customer.email!, name: '客户', tier: 'standard' },
        },
        agent,
        ctx.deps,
      );
      await store.put(profile('put-3', { teams: ['billing'] }));
      // Act
      const queue = await ctx.deps.tickets.list({ team: 'billing' }, { limit: 50 });
      // Assess
      expect(queue.items.every((t) => t.number.startsWith('GD-'))).toBe(true);
      expect(queue.items.length).toBeGreaterThan(0);
    });
  });

  describe('setAvailability()', () => {
    it('changes availability and answers null for an unknown agent', async () => {
      await store.put(profile('avail-1'));
      expect(await store.setAvailability('avail-1', 'away')).toMatchObject({ availability: 'away' });
      expect(await store.setAvailability('nobody', 'online')).toBeNull();
    });
  });

  describe('claim()', () => {
    it('takes capacity, counting the channel and recording when, until the agent is full', async () => {
      // Prepare
      await store.put(profile('claim-1', { capacity: 2 }));
      // Act
      const first = await store.claim('claim-1', 'T-1', {
        channel: 'phone',
        at: new Date('2026-11-20T09:00:00Z'),
      });
      const second = await store.claim('claim-1', 'T-2', { channel: 'web' });
      const third = await store.claim('claim-1', 'T-3', { channel: 'web' });
      // Assess
      expect([first, second, third]).toEqual([true, true, false]);
      expect(await store.get('claim-1')).toMatchObject({
        load: { total: 2, byChannel: { phone: 1, web: 1 } },
        lastAssignedAt: now.toISOString(),
      });
      expect(await store.held('claim-1')).toEqual({ 'T-1': 'phone', 'T-2': 'web' });
    });

    it('refuses an agent who is not online, and an unknown agent', async () => {
      await store.put(profile('claim-2', { availability: 'away' }));
      expect(await store.claim('claim-2', 'T-1')).toBe(false);
      expect(await store.claim('nobody', 'T-1')).toBe(false);
    });

    it('respects a per-channel cap, including a cap of zero', async () => {
      // Prepare
      await store.put(profile('claim-3', { capacity: { max: 5, perChannel: { phone: 1, email: 0 } } }));
      // Act / Assess
      expect(await store.claim('claim-3', 'T-1', { channel: 'phone' })).toBe(true);
      expect(await store.claim('claim-3', 'T-2', { channel: 'phone' })).toBe(false);
      expect(await store.claim('claim-3', 'T-3', { channel: 'email' })).toBe(false);
      expect(await store.claim('claim-3', 'T-4', { channel: 'web' })).toBe(true);
      expect((await store.get('claim-3'))!.load).toEqual({ total: 2, byChannel: { phone: 1, web: 1 } });
    });

    it('counts a retried claim for the same ticket once', async () => {
      await store.put(profile('claim-4', { capacity: 1 }));
      expect(await store.claim('claim-4', 'T-1', { channel: 'web' })).toBe(true);
      expect(await store.claim('claim-4', 'T-1', { channel: 'web' })).toBe(true);
      expect((await store.get('claim-4'))!.load.total).toBe(1);
    });
  });

  describe('release()', () => {
    it('gives back a ticket once, however often the release is replayed', async () => {
      // Prepare
      await store.put(profile('rel-1', { capacity: 3 }));
      await store.claim('rel-1', 'T-1', { channel: 'email' });
      await store.claim('rel-1', 'T-2', { channel: 'email' });
      // Act
      const first = await store.release('rel-1', 'T-1');
      const replay = await store.release('rel-1', 'T-1');
      // Assess
      expect([first, replay]).toEqual([true, false]);
      expect((await store.get('rel-1'))!.load).toEqual({ total: 1, byChannel: { email: 1 } });
      expect(await store.held('rel-1')).toEqual({ 'T-2': 'email' });
    });

    it('never takes the load below zero', async () => {
      await store.put(profile('rel-2'));
      await store.claim('rel-2', 'T-1');
      expect(await store.release('rel-2')).toBe(true);
      expect(await store.release('rel-2')).toBe(false);
      expect((await store.get('rel-2'))!.load.total).toBe(0);
      // The ticket is still recorded as held; releasing it now only forgets it.
      expect(await store.release('rel-2', 'T-1')).toBe(true);
      expect((await store.get('rel-2'))!.load.total).toBe(0);
    });
  });

  describe('routing 500 tickets at once to 20 agents of capacity 10', () => {
    it('never lets an agent exceed capacity, assigns or queues every ticket, and loses none', {
      timeout: 180_000,
    }, async () => {
      // Prepare: a fresh table; 20 agents who can do any team's work; a watcher sampling loads throughout.
      const fresh = await freshTicketDeps(clock.now);
      const agents = dynamoAgentStore(fresh.client, fresh.tableName, clock);
      const teams = defaultRoutingConfig.teams.map((t) => t.id);
      const skills = Object.fromEntries(
        [
          'elevator',
          'hvac',
          'electrical',
          'billing',
          'account',
          'app',
          'complaint-handling',
          'network',
          'database',
        ].map((s) => [s, 4]),
      );
      const ids = Array.from({ length: 20 }, (_, i) => `agent-${String(i).padStart(2, '0')}`);
      for (const [i, id] of ids.entries()) {
        await agents.put(
          profile(id, {
            teams,
            skills,
            capacity: 10,
            level: 1 + (i % 3),
            fieldEngineer: true,
            location: { lat: 31.2 + i / 100, lng: 121.45 + i / 100 },
          }),
        );
      }
      const doc = DynamoDBDocumentClient.from(fresh.client);
      let maxObserved = 0;
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          const { Responses } = await doc.send(
            new BatchGetCommand({
              RequestItems: {
                [fresh.tableName]: {
                  Keys: ids.map((id) => ({ pk: `AGENT#${id}`, sk: 'AGENT' })),
                  ConsistentRead: true,
                },
              },
            }),
          );
          const loads = (Responses?.[fresh.tableName] ?? []).map((item) => Number(item.load?.total ?? 0));
          maxObserved = Math.max(maxObserved, ...loads);
          await new Promise((r) => setTimeout(r, 25));
        }
      })();
      const subjects = [
        '电梯困人',
        '发票开错了',
        '投诉维修师傅',
        '忘记密码',
        'Wi-Fi down on floor 3',
        '空调不制冷',
      ];

      // Act: create, route (decide + claim with fallback) and record each ticket, all at once.
      const outcomes = await Promise.all(
        Array.from({ length: 500 }, async (_, i) => {
          const { ticket } = await createTicket(
            {
              subject: `${subjects[i % subjects.length]} #${i}`,
              description: '',
              priority: i % 7 === 0 ? 'high' : 'normal',
              tags: [],
              customFields: {},
            },
            customer,
            fresh.deps,
          );
          const route = await routeTicket(ticket, defaultRoutingConfig, { agents, clock });
          const next = {
            ...touch(ticket, now),
            team: route.team,
            assignee: route.assignee,
            routing: route.routing,
          };
          const audit = auditEvent(
            fresh.deps.ids.next(),
            ticket.id,
            'assigned',
            systemActor(),
            now,
            next.version,
            {
              team: route.team,
              assignee: route.assignee,
              rule: route.routing.rule,
            },
          );
          const written = await changeTicket(ticket.id, systemActor(), ticket.version, fresh.deps, () => ({
            ticket: next,
            audit: [audit],
            events: [],
          }));
          expect(written.ticket.version).toBe(next.version);
          return { ticketId: ticket.id, ...route };
        }),
      );
      watching = false;
      await watcher;

      // Assess: capacity held at every sample and at the end; claims and stored loads agree.
      const stored = await Promise.all(ids.map((id) => agents.get(id)));
      const held = await Promise.all(ids.map((id) => agents.held(id)));
      const assigned = outcomes.filter((o) => o.assignee);
      const queued = outcomes.filter((o) => !o.assignee);
      const claimsPerAgent = new Map<string, number>();
      for (const o of assigned) claimsPerAgent.set(o.assignee!, (claimsPerAgent.get(o.assignee!) ?? 0) + 1);

      expect(maxObserved).toBeLessThanOrEqual(10);
      for (const [i, agent] of stored.entries()) {
        expect(agent!.load.total).toBeLessThanOrEqual(10);
        expect(agent!.load.total).toBe(claimsPerAgent.get(agent!.id) ?? 0);
        expect(Object.keys(held[i]!).sort()).toEqual(
          assigned
            .filter((o) => o.assignee === agent!.id)
            .map((o) => o.ticketId)
            .sort(),
        );
      }
      expect(assigned).toHaveLength(200);
      expect(queued).toHaveLength(300);
      expect(new Set(outcomes.map((o) => o.ticketId)).size).toBe(500);

      // Every ticket is in the table, either with its assignee or waiting unassigned in its team's queue.
      const tickets = await Promise.all(outcomes.map((o) => fresh.deps.tickets.get(o.ticketId)));
      for (const [i, t] of tickets.entries()) {
        expect(t).not.toBeNull();
        expect(t!.team).toBe(outcomes[i]!.team);
        expect(t!.assignee).toBe(outcomes[i]!.assignee);
        expect(t!.routing?.reason).toBeTruthy();
      }
      let waiting = 0;
      for (const team of teams) {
        let cursor: string | undefined;
        do {
          const page = await fresh.deps.tickets.list({ team, status: 'new' }, { limit: 100, cursor });
          waiting += page.items.filter((t) => t.assignee === null).length;
          cursor = page.cursor;
        } while (cursor);
      }
      expect(waiting).toBe(300);
      console.log(
        `concurrency: 500 tickets → ${assigned.length} assigned, ${queued.length} queued; ` +
          `claims that lost a race: ${outcomes.reduce((n, o) => n + o.passedOver.length, 0)}; max load seen ${maxObserved}`,
      );
    });
  });
});
