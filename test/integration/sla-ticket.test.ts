import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { slaEvaluateHandler } from '#functions/sla-evaluate/task.ts';
import { dynamoAgentStore } from '#shared/adapters/dynamo/dynamo-agent-store.ts';
import { dynamoSlaConfigStore } from '#shared/adapters/dynamo/dynamo-sla-config-store.ts';
import { AgentProfile } from '#shared/domain/routing/agent.ts';
import { defaultRoutingConfig } from '#shared/domain/routing/default-config.ts';
import type { Contact, ContactDirectory } from '#shared/domain/sla/contacts.ts';
import { defaultSlaPolicies, SlaPolicies, type SlaPolicyInput } from '#shared/domain/sla/policy.ts';
import type { SlaConfigStore } from '#shared/domain/sla/sla-config.ts';
import { timelineOf } from '#shared/domain/sla/ticket-mapping.ts';
import type { SlaTimerStep } from '#shared/domain/sla/timer.ts';
import type { NewTicket, Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import { addReply } from '#shared/use-cases/add-reply.ts';
import { assignTicket } from '#shared/use-cases/assign-ticket.ts';
import { changeTicket } from '#shared/use-cases/change-ticket.ts';
import { createTicket } from '#shared/use-cases/create-ticket.ts';
import type { TicketDeps } from '#shared/use-cases/deps.ts';
import { getTicket } from '#shared/use-cases/read-tickets.ts';
import { slaTimerDeps, ticketSlaSubjects } from '#shared/use-cases/sla-actions.ts';
import { transitionTicket } from '#shared/use-cases/transition-ticket.ts';
import {
  agent,
  customer,
  freshTicketDeps,
  type recordingNotifier,
  type recordingPublisher,
  type recordingStarter,
} from '../support/ticket-fixtures.ts';

const t0 = Date.parse('2026-06-08T01:00:00Z'); // Monday 09:00 in Beijing
const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();

const people: Record<string, Contact> = {
  'sup-desk': { name: '陈静', email: 'chen.jing@desk.example.com', phone: '+8613800000002', locale: 'zh' },
  'agent-li': { name: '李工', email: 'li@desk.example.com', locale: 'zh' },
  'agent-anna': { name: 'Anna', email: 'anna@desk.example.com', locale: 'en' },
};
const contacts: ContactDirectory = {
  agent: async (id) => people[id] ?? null,
  team: async (id) =>
    id === 'desk'
      ? {
          supervisor: 'sup-desk',
          escalation: {
            name: '值班经理',
            email: 'duty@desk.example.com',
            phone: '+8613800000009',
            locale: 'zh',
          },
        }
      : null,
  defaultTeam: async () => 'desk',
  onCall: async () => null,
};

interface World {
  deps: TicketDeps;
  events: ReturnType<typeof recordingPublisher>;
  timers: ReturnType<typeof recordingStarter>;
  notifier: ReturnType<typeof recordingNotifier>;
  store: SlaConfigStore;
  errors: { message: string; fields?: Record<string, unknown> }[];
  setMinute(m: number): void;
  ticketItem(id: string): Promise<Record<string, unknown>>;
  client: DynamoDBClient;
  tableName: string;
  /** The timer's EvaluateCheckpoint on this ticket, then what follows its change (sent, published). */
  evaluate(ticket: Ticket): Promise<SlaTimerStep>;
  /** Runs the reactions of the changes so far (timer plans, events, messages), as the dispatcher does. */
  drain(): Promise<void>;
  outboxOf: Awaited<ReturnType<typeof freshTicketDeps>>['outboxOf'];
  /** What the dispatcher ran for each record (its `dispatch.done` log lines). */
  dispatched: { ticketId: string; recordId: string; version: number; reactions: Record<string, string> }[];
}

async function world(): Promise<World> {
  let now = t0;
  const errors: World['errors'] = [];
  const dispatched: World['dispatched'] = [];
  const logger = {
    info(message: string, fields?: Record<string, unknown>) {
      if (message === 'dispatch.done') dispatched.push(fields as World['dispatched'][number]);
    },
    warn() {},
    error(message: string, fields?: Record<string, unknown>) {
      errors.push({ message, fields });
    },
  };
  const fresh = await freshTicketDeps(() => new Date(now), { logger });
  const { deps, client, tableName } = fresh;
  const store = dynamoSlaConfigStore(client, tableName);
  const withSla: TicketDeps = { ...deps, sla: { config: store, store } };
  const evaluate = slaEvaluateHandler(
    slaTimerDeps({
      ...withSla,
      contacts,
      ticketLink: (t) => `https://desk.example.com/tickets/${t.id}`,
    }),
  );
  const doc = DynamoDBDocumentClient.from(client);
  return {
    deps: withSla,
    events: fresh.events,
    timers: fresh.timers,
    notifier: fresh.notifier as ReturnType<typeof recordingNotifier>,
    store,
    errors,
    setMinute: (m) => {
      now = t0 + m * 60_000;
    },
    client,
    tableName,
    ticketItem: async (id) =>
      (await doc.send(new GetCommand({ TableName: tableName, Key: { pk: `TICKET#${id}`, sk: 'TICKET' } })))
        .Item!,
    async evaluate(ticket) {
      const step = await evaluate({ ticketId: ticket.id, version: ticket.sla.timerVersion ?? 0 });
      await fresh.drain();
      return step;
    },
    drain: fresh.drain,
    outboxOf: fresh.outboxOf,
    dispatched,
  };
}

const request = (overrides: Partial<NewTicket> = {}): NewTicket => ({
  subject: '电梯停在 12 楼，门打不开',
  description: '有人被困',
  priority: 'urgent',
  tags: [],
  customFields: {},
  customer: { email: customer.email!, name: '赵女士', tier: 'standard' },
  ...overrides,
});

const stateOf = (ticket: Ticket) => ticket.sla.targets?.map((t) => `${t.target}#${t.cycle}:${t.state}`);

describe('Ticket ↔ SLA on DynamoDB Local', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });

  it('keeps the SLA right through reply, pending, customer reply, resolve and reopen, and plans the timer', async () => {
    // Act + Assess, step by step on one ticket
    const { ticket: created } = await createTicket(request(), agent, w.deps);
    expect(created.sla).toMatchObject({
      policy: 'urgent',
      calendar: '24x7',
      firstResponseDueAt: at(30),
      resolutionDueAt: at(240),
      paused: false,
      breached: [],
      timerVersion: 1,
    });
    expect(stateOf(created)).toEqual(['firstResponse#1:running', 'resolution#1:running']);
    await w.drain();
    expect(w.timers.calls).toEqual(['start v1']);
    expect(await w.ticketItem(created.id)).toMatchObject({
      gsDue: expect.stringMatching(/^DUE#\d+$/), // one shard of the due index (index-shards.ts)
      gsDueAt: `${at(240)}#${created.id}`,
    });

    w.setMinute(10);
    const replied = (
      await addReply(created.id, { body: '已派人前往', public: true }, agent, undefined, w.deps)
    ).ticket;
    expect(stateOf(replied)).toEqual(['firstResponse#1:met', 'resolution#1:running']);
    expect(replied.sla.firstResponseDueAt).toBeNull();
    // Meeting a target moves no deadline: the running timer finds nothing at its next wake-up.
    await w.drain();
    expect(w.timers.calls).toEqual(['start v1']);

    w.setMinute(12);
    await transitionTicket(created.id, { to: 'open' }, agent, undefined, w.deps);
    w.setMinute(20);
    const pending = (await transitionTicket(created.id, { to: 'pending' }, agent, undefined, w.deps)).ticket;
    expect(pending.sla).toMatchObject({ paused: true, resolutionDueAt: null, timerVersion: 1 });
    expect(stateOf(pending)).toEqual(['firstResponse#1:met', 'resolution#1:paused']);
    await w.drain();
    expect(w.timers.calls).toEqual(['start v1', 'stop v1']);
    expect((await w.ticketItem(created.id)).gsDue).toBeUndefined();

    w.setMinute(80);
    const answered = (
      await addReply(created.id, { body: '还是打不开', public: true }, customer, undefined, w.deps)
    ).ticket;
    // 20 minutes ran before the pause, so the 240-minute resolution is due 220 minutes after the resume.
    expect(answered.status).toBe('open');
    expect(answered.sla).toMatchObject({
      paused: false,
      nextResponseDueAt: at(140),
      resolutionDueAt: at(300),
      timerVersion: answered.version,
    });
    expect(stateOf(answered)).toEqual([
      'firstResponse#1:met',
      'nextResponse#1:running',
      'resolution#1:running',
    ]);
    await w.drain();
    expect(w.timers.calls.at(-1)).toBe(`start v${answered.version}`);

    w.setMinute(100);
    const resolved = (
      await transitionTicket(
        created.id,
        { to: 'resolved', summary: '已处理 / Done' },
        agent,
        undefined,
        w.deps,
      )
    ).ticket;
    expect(stateOf(resolved)).toEqual(['firstResponse#1:met', 'nextResponse#1:met', 'resolution#1:met']);
    await w.drain();
    expect(w.timers.calls.at(-1)).toBe(`stop v${answered.version}`);
    expect((await w.ticketItem(created.id)).gsDue).toBeUndefined();

    w.setMinute(130);
    const reopened = (await transitionTicket(created.id, { to: 'open' }, agent, undefined, w.deps)).ticket;
    expect(reopened.sla).toMatchObject({ resolutionDueAt: at(370), timerVersion: reopened.version });
    expect(stateOf(reopened)).toEqual(['firstResponse#1:met', 'nextResponse#1:met', 'resolution#2:running']);
    await w.drain();
    expect(w.timers.calls.at(-1)).toBe(`start v${reopened.version}`);

    // The mapping read the audit trail as the SLA clock's timeline:
    const timeline = timelineOf(await w.deps.tickets.history(created.id)).map((e) => e.type);
    expect(timeline).toEqual([
      'created',
      'staff_replied',
      'pending',
      'customer_replied',
      'resumed',
      'resolved',
      'reopened',
    ]);
  });

  it('restarts the timer under a new version when a priority change selects another policy', async () => {
    // Prepare: a normal ticket is on office hours (4 business hours from Monday 09:00 is 14:00)
    const { ticket } = await createTicket(request({ priority: 'normal' }), agent, w.deps);
    expect(ticket.sla).toMatchObject({
      policy: 'normal',
      calendar: 'cn-office',
      firstResponseDueAt: at(300),
    });

    // Act
    w.setMinute(10);
    const raised = await changeTicket(ticket.id, agent, undefined, w.deps, (current, now) => ({
      ticket: { ...current, priority: 'urgent', version: current.version + 1, updatedAt: now.toISOString() },
      audit: [],
      events: [],
    }));

    // Assess
    expect(raised.ticket.sla).toMatchObject({
      policy: 'urgent',
      firstResponseDueAt: at(30),
      timerVersion: 2,
    });
    await w.drain();
    expect(w.timers.calls).toEqual(['start v1', 'stop v1', 'start v2']);
  });

  it('records a breach and its escalation once, notifies the team supervisor, and publishes sla.* events', async () => {
    // Prepare: untouched and unassigned, 31 minutes on
    const { ticket } = await createTicket(request(), agent, w.deps);
    w.setMinute(31);

    // Act
    const step = await w.evaluate(ticket);
    const again = await w.evaluate(ticket);

    // Assess: the 75 % warning is not sent after the breach; L1 goes to the (default team's) supervisor
    const history = await w.deps.tickets.history(ticket.id);
    expect(history.filter((e) => e.data.slaKey).map((e) => [e.type, e.data.slaKey])).toEqual([
      ['sla.breached', 'firstResponse#1:breach'],
      ['escalated', 'firstResponse#1:escalation:1'],
    ]);
    expect(step).toMatchObject({ done: false, actions: 2, checkpointAt: at(60) });
    expect(again).toMatchObject({ actions: 0, checkpointAt: at(60) });
    const stored = (await w.deps.tickets.get(ticket.id))!;
    expect(stored.sla.breached).toEqual(['firstResponse']);
    expect(stored.sla.breaches).toEqual([{ target: 'firstResponse', cycle: 1, at: at(30) }]);
    expect(w.events.events.filter((e) => e.name.startsWith('sla.')).map((e) => e.name)).toEqual([
      'sla.breached',
      'sla.escalated',
    ]);
    expect(w.events.events.find((e) => e.name === 'sla.escalated')?.detail).toMatchObject({
      ticketId: ticket.id,
      key: 'firstResponse#1:escalation:1',
      level: 1,
      policy: 'urgent',
      version: stored.version,
    });
    expect(w.notifier.sent).toEqual([
      expect.objectContaining({
        channel: 'email',
        to: 'chen.jing@desk.example.com',
        kind: 'sla.escalation',
        ticketId: ticket.id,
      }),
    ]);
    expect(w.notifier.sent[0]!.subject).toBe(`【SLA 升级 L1】${ticket.number} 首次响应已超时 1 分钟`);
    expect(w.notifier.sent[0]!.body).toContain(`https://desk.example.com/tickets/${ticket.id}`);

    // Act: 30 minutes after the breach, L2 goes to the manager by SMS
    w.setMinute(61);
    await w.evaluate(ticket);

    // Assess
    expect(w.notifier.sent.at(-1)).toMatchObject({
      channel: 'sms',
      to: '+8613800000009',
      kind: 'sla.escalation',
    });
    expect(w.notifier.sent.at(-1)!.body).toMatch(/L2.*首次响应已超时 31 分钟/);
  });

  it('shows the time left counting down between changes, and a passed deadline as breached, on read', async () => {
    // Prepare
    const { ticket } = await createTicket(request(), agent, w.deps);

    // Act
    w.setMinute(20);
    const early = await getTicket(ticket.id, agent, w.deps);
    w.setMinute(45);
    const late = await getTicket(ticket.id, agent, w.deps);

    // Assess
    expect(early.sla.targets?.[0]).toMatchObject({
      target: 'firstResponse',
      state: 'running',
      remainingMinutes: 10,
    });
    expect(late.sla.targets?.[0]).toMatchObject({
      state: 'breached',
      remainingMinutes: -15,
      breachedAt: at(30),
    });
    expect(late.sla.breached).toEqual(['firstResponse']);
  });

  it('applies each action exactly once when several evaluations race', async () => {
    // Prepare
    const { ticket } = await createTicket(request(), agent, w.deps);
    w.setMinute(31);

    // Act
    const steps = await Promise.all(Array.from({ length: 6 }, () => w.evaluate(ticket)));

    // Assess
    const keys = (await w.deps.tickets.history(ticket.id)).flatMap((e) =>
      e.data.slaKey ? [e.data.slaKey] : [],
    );
    expect(keys.sort()).toEqual(['firstResponse#1:breach', 'firstResponse#1:escalation:1']);
    expect(w.notifier.sent).toHaveLength(1);
    expect(steps.every((s) => s.checkpointAt === at(60))).toBe(true);
  });

  it('keeps the record when a notification fails, and logs the failure without the address', async () => {
    // Prepare
    const { ticket } = await createTicket(request(), agent, w.deps);
    w.setMinute(31);
    w.notifier.failing = true;

    // Act
    const step = await w.evaluate(ticket);

    // Assess
    expect(step.actions).toBe(2);
    expect((await w.deps.tickets.get(ticket.id))!.sla.breached).toEqual(['firstResponse']);
    const failure = w.errors.find((e) => e.message === 'notification.failed');
    expect(failure?.fields).toMatchObject({
      ticketId: ticket.id,
      channel: 'email',
      who: 'team_supervisor:desk',
    });
    expect(JSON.stringify(failure)).not.toContain('@');
  });

  it('moves agent load when an escalation reassigns the ticket to another agent', async () => {
    // Prepare: routing wired; `high` tickets go to desk-2 at breach
    const r = await world();
    const agents = dynamoAgentStore(r.client, r.tableName, r.deps.clock);
    const routing = r.deps.routing;
    expect(await routing.config.put(defaultRoutingConfig, 0)).toBe(true);
    for (const id of ['desk-1', 'desk-2']) {
      await routing.agents.put(
        AgentProfile.parse({
          id,
          name: id,
          teams: ['service-desk'],
          languages: ['zh'],
          capacity: 3,
          availability: 'online',
        }),
      );
    }
    await routing.agents.put(
      AgentProfile.parse({
        id: 'desk-2',
        name: 'desk-2',
        teams: ['service-desk'],
        languages: ['zh'],
        capacity: 3,
        availability: 'away',
      }),
    );
    const move: SlaPolicyInput = {
      id: 'high-move',
      name: 'High, moved at breach',
      match: { priorities: ['high'] },
      calendarId: '24x7',
      targets: { firstResponse: { minutes: 60 }, resolution: { minutes: 480 } },
      escalation: [{ level: 1, afterBreachMinutes: 0, reassignTo: { assignee: 'desk-2' }, notify: [] }],
    };
    expect(await r.store.put('sla', { policies: SlaPolicies.parse([move]) }, 0, change)).not.toBeNull();
    const { ticket } = await createTicket(
      request({ priority: 'high', subject: '咨询会员积分' }),
      agent,
      r.deps,
    );
    expect(ticket.assignee).toBe('desk-1');
    expect(await agents.held('desk-1')).toEqual({ [ticket.id]: ticket.channel });
    await routing.agents.put(
      AgentProfile.parse({
        id: 'desk-2',
        name: 'desk-2',
        teams: ['service-desk'],
        languages: ['zh'],
        capacity: 3,
        availability: 'online',
      }),
    );
    r.setMinute(61);

    // Act
    await r.evaluate(ticket);

    // Assess: desk-1 got its capacity back, desk-2 holds the ticket
    expect((await r.deps.tickets.get(ticket.id))?.assignee).toBe('desk-2');
    expect(await agents.held('desk-1')).toEqual({});
    expect(await agents.held('desk-2')).toEqual({ [ticket.id]: ticket.channel });
  });

  it("takes an escalation's reassignment through the same write path and reactions as an API reassignment", async () => {
    // Prepare: two high tickets on desk-1 (desk-2 away at intake); `high` escalates to desk-2 at breach
    const r = await world();
    const agents = dynamoAgentStore(r.client, r.tableName, r.deps.clock);
    const desk = (id: string, availability: 'online' | 'away') =>
      AgentProfile.parse({
        id,
        name: id,
        teams: ['service-desk'],
        languages: ['zh'],
        capacity: 3,
        availability,
      });
    expect(await r.deps.routing.config.put(defaultRoutingConfig, 0)).toBe(true);
    await agents.put(desk('desk-1', 'online'));
    await agents.put(desk('desk-2', 'away'));
    const move: SlaPolicyInput = {
      id: 'high-move',
      name: 'High, moved at breach',
      match: { priorities: ['high'] },
      calendarId: '24x7',
      targets: { firstResponse: { minutes: 60 }, resolution: { minutes: 480 } },
      escalation: [{ level: 1, afterBreachMinutes: 0, reassignTo: { assignee: 'desk-2' }, notify: [] }],
    };
    expect(await r.store.put('sla', { policies: SlaPolicies.parse([move]) }, 0, change)).not.toBeNull();
    const byHand = (await createTicket(request({ priority: 'high', subject: '咨询会员积分' }), agent, r.deps))
      .ticket;
    const byTimer = (
      await createTicket(request({ priority: 'high', subject: '咨询会员等级' }), agent, r.deps)
    ).ticket;
    expect([byHand.assignee, byTimer.assignee]).toEqual(['desk-1', 'desk-1']);
    await agents.put(desk('desk-2', 'online'));
    await r.drain();
    r.setMinute(61);

    // Act: a supervisor moves one by hand; the SLA timer moves the other
    const supervisorActor = {
      id: 'sup-1',
      name: '陈静',
      roles: ['supervisor' as const],
      channel: 'api' as const,
    };
    await assignTicket(
      byHand.id,
      { agentId: 'desk-2', reason: '平衡工作量' },
      supervisorActor,
      undefined,
      r.deps,
    );
    await r.evaluate(byTimer);
    await r.drain();

    // Assess: the same kind of record, followed by the same reactions, for both
    for (const ticket of [byHand, byTimer]) {
      const change = (await r.outboxOf(ticket.id)).at(-1)!;
      expect(change.record, ticket.subject).toMatchObject({
        before: { assignee: 'desk-1', team: 'service-desk' },
        after: { assignee: 'desk-2', team: 'service-desk' },
      });
      expect(
        change.record.events.map((e) => e.name),
        ticket.subject,
      ).toContain('ticket.assigned');
      const ran = r.dispatched.find((d) => d.recordId === change.record.id);
      expect(ran?.reactions, ticket.subject).toEqual({
        'publish-events': 'done',
        'agent-capacity': 'done',
        analytics: 'done',
      });
      expect(
        r.events.events.some(
          (e) =>
            e.name === 'ticket.assigned' &&
            e.detail.ticketId === ticket.id &&
            (e.detail as { assignee: string | null }).assignee === 'desk-2',
        ),
      ).toBe(true);
      expect((await r.deps.tickets.history(ticket.id)).at(-1)).toMatchObject({
        type: 'assigned',
        version: change.record.version,
      });
    }
    // …so the load moved for both, through the one agent-capacity reaction
    expect(await agents.held('desk-1')).toEqual({});
    expect(await agents.held('desk-2')).toEqual({ [byHand.id]: 'api', [byTimer.id]: 'api' });
  });

  it('raises priority on escalation and then waits for the deadlines of the policy that now applies', async () => {
    // Prepare: `high` tickets escalate at breach, raising to urgent; its own L2 would be 2 hours later
    const high: SlaPolicyInput = {
      id: 'high-raise',
      name: 'High, raised at breach',
      match: { priorities: ['high'] },
      calendarId: '24x7',
      targets: { firstResponse: { minutes: 60 }, resolution: { minutes: 480 } },
      escalation: [
        {
          level: 1,
          afterBreachMinutes: 0,
          raisePriorityTo: 'urgent',
          notify: [{ role: 'assignee', channel: 'email' }],
        },
        { level: 2, afterBreachMinutes: 120, notify: [{ role: 'manager', channel: 'email' }] },
      ],
    };
    const policies = SlaPolicies.parse([high, ...defaultSlaPolicies.filter((p) => p.id === 'urgent')]);
    expect(await w.store.put('sla', { policies }, 0, change)).not.toBeNull();
    const { ticket } = await createTicket(request({ priority: 'high' }), agent, w.deps);
    w.setMinute(61);

    // Act
    const step = await w.evaluate(ticket);

    // Assess: raised, recorded with its key, and the next wake-up is urgent's L2 (+30 after its 30-min breach)
    const stored = (await w.deps.tickets.get(ticket.id))!;
    expect(stored.priority).toBe('urgent');
    expect(stored.sla.policy).toBe('urgent');
    const raise = (await w.deps.tickets.history(ticket.id)).find((e) => e.type === 'updated');
    expect(raise?.data).toMatchObject({
      slaKey: 'firstResponse#1:escalation:1:raise_priority',
      from: 'high',
      to: 'urgent',
    });
    expect(step.checkpointAt).toBe(at(60));
  });

  it('gives the timer the ticket, its timeline, its timer version and the keys already sent', async () => {
    // Prepare
    const { ticket } = await createTicket(request(), agent, w.deps);
    w.setMinute(31);
    await w.evaluate(ticket);

    // Act
    const subject = await ticketSlaSubjects(w.deps).load(ticket.id);

    // Assess
    expect(subject).toMatchObject({
      ticket: { id: ticket.id, priority: 'urgent', tier: 'standard', status: 'new', assignee: null },
      timeline: [{ type: 'created', at: at(0) }],
      timerVersion: 1,
    });
    expect([...(subject?.sent ?? [])].sort()).toEqual([
      'firstResponse#1:breach',
      'firstResponse#1:escalation:1',
    ]);
    expect(await ticketSlaSubjects(w.deps).load('no-such-ticket')).toBeNull();
  });
});

const change = {
  version: 1,
  at: at(0),
  by: { id: 'admin-1', role: 'admin' },
  summary: { added: [], removed: [], changed: [] },
};
