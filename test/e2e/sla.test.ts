import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.ts';
import {
  apiClient,
  type DevTokens,
  dynamoDbLocalProcesses,
  type RuntimeProcess,
  removeDataDir,
  runtimeSuite,
  startRuntimeProcess,
  tempDataDir,
} from './support/runtime-process.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field and asserted on.
type Json = any;

const rt = runtimeSuite({ args: ['--time-scale', '600'], stopSignal: 'SIGKILL' });

const minutes = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 60_000;

async function outboxOf(ticketId: string) {
  const { body } = await rt.api<{ messages: Json[] }>('GET', '/dev/outbox');
  return body.messages.filter((m) => m.ticketId === ticketId);
}

async function historyOf(ticketId: string): Promise<Json[]> {
  const { body } = await rt.api('GET', `/tickets/${ticketId}/history`, { token: rt.tokens.supervisor });
  return body.items ?? body;
}

describe('The SLA timer in the local runtime (--time-scale 600)', () => {
  let ticket: Json;
  let wallCreated: number;

  it('gives a new urgent ticket the urgent policy, its due times and a running timer', async () => {
    // Act
    wallCreated = Date.now();
    const created = await rt.api('POST', '/tickets', {
      token: rt.tokens.agent,
      body: { subject: '机房空调停机，温度上升', priority: 'urgent', customer: { email: 'ops@example.com' } },
    });

    // Assess
    expect(created.status).toBe(201);
    ticket = created.body;
    expect(ticket.sla).toMatchObject({ policy: 'urgent', paused: false, breached: [], timerVersion: 1 });
    expect(minutes(ticket.createdAt, ticket.sla.firstResponseDueAt)).toBe(30);
    expect(minutes(ticket.createdAt, ticket.sla.resolutionDueAt)).toBe(240);
    expect(ticket.sla.targets.map((t: Json) => [t.target, t.state])).toEqual([
      ['firstResponse', 'running'],
      ['resolution', 'running'],
    ]);
  });

  it('left untouched, warns and then escalates through the outbox, within seconds', async () => {
    // Act: 22.5 virtual minutes (the 75 % warning) is 2.25 s; the 30-minute breach is 3 s
    const messages = await eventually(async () => {
      const found = await outboxOf(ticket.id);
      return found.some((m) => m.kind === 'sla.escalation') ? found : undefined;
    }, 20_000);
    const wallSeconds = (Date.now() - wallCreated) / 1000;

    // Assess
    const warning = messages.find((m) => m.kind === 'sla.warning');
    const escalation = messages.find((m) => m.kind === 'sla.escalation');
    expect(wallSeconds).toBeLessThan(20);
    expect(warning).toMatchObject({ channel: 'email', ticketId: ticket.id });
    expect(escalation).toMatchObject({ channel: 'email', ticketId: ticket.id });
    expect(warning.subject).toContain(ticket.number);
    expect(warning.body).toContain(`/console/tickets/${ticket.id}`); // staff open it in the console
    expect(escalation.subject).toMatch(/L1/);
    // sentAt is on the virtual clock: the warning after 22.5 minutes, the escalation after 30
    expect(minutes(ticket.createdAt, warning.sentAt)).toBeGreaterThanOrEqual(22.5);
    expect(minutes(ticket.createdAt, warning.sentAt)).toBeLessThan(30);
    expect(minutes(ticket.createdAt, escalation.sentAt)).toBeGreaterThanOrEqual(30);
  });

  it('records sla.warning, sla.breached and the escalation in the history, and breached on the ticket', async () => {
    // Act
    const history = await historyOf(ticket.id);
    const current = (await rt.api('GET', `/tickets/${ticket.id}`, { token: rt.tokens.supervisor })).body;

    // Assess
    const types = history.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['sla.warning', 'sla.breached', 'escalated']));
    const breach = history.find((e) => e.type === 'sla.breached');
    expect(breach).toMatchObject({
      actor: { id: 'system' },
      data: { slaKey: 'firstResponse#1:breach', target: 'firstResponse', policy: 'urgent' },
    });
    // Detected within a few virtual seconds of the deadline (a few wall milliseconds at 600×)
    expect(minutes(ticket.sla.firstResponseDueAt, breach.at)).toBeGreaterThanOrEqual(0);
    expect(minutes(ticket.sla.firstResponseDueAt, breach.at)).toBeLessThan(2);
    expect(current.sla.breached).toEqual(['firstResponse']);
    expect(current.sla.targets[0]).toMatchObject({ target: 'firstResponse', state: 'breached' });
    // Each fact once, however often the timer woke
    const keys = history.flatMap((e) => (e.data?.slaKey ? [e.data.slaKey] : []));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('sends nothing for a ticket answered in time: the reply meets the first response', async () => {
    // Prepare
    const created = (
      await rt.api('POST', '/tickets', {
        token: rt.tokens.agent,
        body: { subject: '门禁卡失效', priority: 'urgent', customer: { email: 'gate@example.com' } },
      })
    ).body;

    // Act: answered at once (well before the 2.25 s warning), then resolved
    const reply = await rt.api('POST', `/tickets/${created.id}/replies`, {
      token: rt.tokens.agent,
      body: { body: '已收到，马上处理。', public: true },
    });
    await rt.api('POST', `/tickets/${created.id}/transitions`, {
      token: rt.tokens.agent,
      body: { to: 'open' },
    });
    const resolved = await rt.api('POST', `/tickets/${created.id}/transitions`, {
      token: rt.tokens.agent,
      body: { to: 'resolved', summary: '已处理 / Done' },
    });
    await new Promise((r) => setTimeout(r, 4000)); // past the 30-minute deadline in virtual time

    // Assess
    expect(reply.status).toBe(201);
    expect(resolved.body.sla.targets.map((t: Json) => [t.target, t.state])).toEqual([
      ['firstResponse', 'met'],
      ['resolution', 'met'],
    ]);
    expect((await outboxOf(created.id)).filter((m) => m.kind.startsWith('sla.'))).toEqual([]);
    expect((await historyOf(created.id)).filter((e) => e.type.startsWith('sla.'))).toEqual([]);
  });

  it('stops within 10 s with timers running, leaving no DynamoDB Local behind', async () => {
    // Act
    const { code, ms } = await rt.runtime.stop('SIGINT');

    // Assess
    expect(ms).toBeLessThan(10_000);
    expect(code).toBe(0);
    expect(dynamoDbLocalProcesses(rt.dataDir)).toEqual([]);
  });
});

describe('SLA timers across a restart of the local runtime', () => {
  const restartDir = tempDataDir();
  let first: RuntimeProcess | undefined;
  let second: RuntimeProcess | undefined;

  afterAll(async () => {
    await Promise.all([first?.stop('SIGKILL'), second?.stop('SIGKILL')]);
    for (const pid of dynamoDbLocalProcesses(restartDir)) process.kill(pid, 'SIGKILL');
    removeDataDir(restartDir);
  });

  it('starts the timers of active tickets again, so a ticket opened before the restart still escalates', async () => {
    // Prepare: opened, then the runtime stops before the 75 % warning (2.25 s at 600×)
    first = await startRuntimeProcess({ dataDir: restartDir, args: ['--time-scale', '600', '--no-seed'] });
    const firstApi = apiClient(first.url);
    const agent = (await firstApi<DevTokens>('GET', '/dev/tokens')).body.agent;
    const ticket = (
      await firstApi('POST', '/tickets', {
        token: agent,
        body: { subject: '停电后发电机未启动', priority: 'urgent', customer: { email: 'power@example.com' } },
      })
    ).body;
    await first.stop('SIGINT');

    // Act
    second = await startRuntimeProcess({ dataDir: restartDir, args: ['--time-scale', '600', '--no-seed'] });
    const secondApi = apiClient(second.url);
    const token = (await secondApi<DevTokens>('GET', '/dev/tokens')).body.supervisor;
    const history = await eventually(async () => {
      const { body } = await secondApi('GET', `/tickets/${ticket.id}/history`, { token });
      const items: Json[] = body.items ?? body;
      return items.some((e) => e.type === 'escalated') ? items : undefined;
    }, 20_000);

    // Assess: recorded once each, by the timer of the same version
    const keys = history.flatMap((e) => (e.data?.slaKey ? [e.data.slaKey] : []));
    expect(keys).toEqual(expect.arrayContaining(['firstResponse#1:breach', 'firstResponse#1:escalation:1']));
    expect(new Set(keys).size).toBe(keys.length);
  });
});
