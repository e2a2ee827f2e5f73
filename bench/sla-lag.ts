/**
 * The SLA timer measured through the local runtime (`startRuntime`, the same code as `npm start`): HTTP
 * API, DynamoDB Local, the synthesized state machine on aws-local-stepfunctions, the outbox.
 * Run: `node --import tsx bench/sla-lag.ts [tickets=50] [timeScale=600]`.
 *
 * 1. Breach detection lag: `tickets` urgent tickets are opened over HTTP and left untouched; for each,
 *    the lag is the audit event's time (when the timer recorded it) minus the instant it was due:
 *    the 75 % warning, the first-response breach and its level-1 escalation.
 * 2. Transitions per ticket on the common paths, scripted over HTTP on the same runtime once the first
 *    tickets are resolved: every state entered and every retry of every execution of the ticket's timer,
 *    as Step Functions bills them; plus the Lambda steps, `sla.*` events and messages they cost. (A local
 *    API call takes ~30 ms, i.e. ~20 virtual seconds at 600×: scripted steps land that much late.)
 * 3. The AWS cost per 10,000 tickets those counts imply, at list prices.
 */
import '../infra/local/polyfills.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRuntime } from '#infra/local/runtime.ts';
import { systemActor } from '#shared/domain/actor.ts';
import type { Logger } from '#shared/domain/ports.ts';
import type { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import { changeTicket } from '#shared/use-cases/change-ticket.ts';
import { transitionsOf } from '#workflows/sla-timer.local.ts';

const tickets = Number(process.argv[2] ?? 50);
const timeScale = Number(process.argv[3] ?? 600);

/** AWS list prices (us-east-1, on-demand; check https://aws.amazon.com/step-functions/pricing/ and friends). */
const price = {
  transition: 0.025 / 1000,
  lambdaRequest: 0.2 / 1_000_000,
  lambdaGbSecond: 0.0000133334, // arm64
  event: 1 / 1_000_000, // EventBridge custom events
  readUnit: 0.125 / 1_000_000, // DynamoDB on-demand read request unit
  writeUnit: 0.625 / 1_000_000, // DynamoDB on-demand write request unit
  logGb: 0.5, // CloudWatch Logs ingestion per GB (state machine logging at level ALL)
  email: 0.1 / 1000, // SES outbound
};
/** Assumptions per Lambda step and per state machine log line. */
const stepGbSeconds = 0.5 * 0.1; // 512 MB for 100 ms
const stepReadUnits = 3; // ticket (strongly consistent), its history query, config now and then
const logBytesPerTransition = 600;

const quiet: Logger = {
  info() {},
  warn() {},
  error(message, fields) {
    if (message !== 'sla.timer_failed') console.error(message, JSON.stringify(fields ?? {}).slice(0, 300));
  },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function runtime(scale: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'gongdan-bench-sla-'));
  const rt = await startRuntime({ port: 0, dataDir, timeScale: scale, logger: quiet });
  const tokens = await rt.tokens();
  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const response = await fetch(`${rt.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await response.json()) as Ticket & { ticket?: Ticket };
    if (response.status >= 300)
      throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json.ticket ?? json;
  };
  return {
    rt,
    tokens,
    call,
    async close() {
      await rt.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function detectionLag(env: Awaited<ReturnType<typeof runtime>>) {
  const { rt, tokens, call } = env;
  {
    const started = performance.now();
    const opened: Ticket[] = [];
    for (let i = 0; i < tickets; i++) {
      opened.push(
        await call('POST', '/tickets', tokens.agent, {
          subject: `压力测试 ${i}：冷库温度报警`,
          priority: 'urgent',
          customer: { email: `bench${i}@example.com` },
        }),
      );
    }
    const lags = { warning: [] as number[], breach: [] as number[], escalation: [] as number[] };
    const pending = new Set(opened.map((t) => t.id));
    const deadline = Date.now() + 120_000;
    while (pending.size > 0 && Date.now() < deadline) {
      await sleep(250);
      for (const ticket of opened) {
        if (!pending.has(ticket.id)) continue;
        const history = await rt.deps.tickets.history(ticket.id);
        const escalated = history.find((e) => e.data.slaKey === 'firstResponse#1:escalation:1');
        if (!escalated) continue;
        pending.delete(ticket.id);
        const created = Date.parse(ticket.createdAt);
        const due = Date.parse(ticket.sla.firstResponseDueAt!);
        const at = (key: string) => Date.parse(history.find((e) => e.data.slaKey === key)?.at ?? 'x');
        lags.warning.push(at('firstResponse#1:warning:75') - (created + 0.75 * (due - created)));
        lags.breach.push(at('firstResponse#1:breach') - due);
        lags.escalation.push(Date.parse(escalated.at) - due);
      }
    }
    const wall = (performance.now() - started) / 1000;
    const outbox = (await rt.outbox.list()).filter((m) => opened.some((t) => t.id === m.ticketId));
    console.log(
      `\n## Detection lag through the local runtime — ${tickets} untouched urgent tickets, time scale ${timeScale}× (${wall.toFixed(1)} s wall)\n`,
    );
    console.log('| recorded | n | p50 virtual s | p95 virtual s | max virtual s | p95 wall ms |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const [name, values] of Object.entries(lags)) {
      const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
      if (sorted.length === 0) continue;
      const s = (ms: number) => (ms / 1000).toFixed(1);
      console.log(
        `| ${name === 'escalation' ? 'escalation L1 (deadline → escalated in history)' : name === 'breach' ? 'sla.breached' : 'sla.warning (75 %)'} | ${sorted.length} | ${s(percentile(sorted, 50))} | ${s(percentile(sorted, 95))} | ${s(sorted.at(-1)!)} | ${(percentile(sorted, 95) / timeScale).toFixed(1)} |`,
      );
    }
    console.log(
      `\nOutbox: ${outbox.filter((m) => m.kind === 'sla.warning').length} sla.warning and ${outbox.filter((m) => m.kind === 'sla.escalation').length} sla.escalation messages for these tickets; ${pending.size} tickets not escalated within 120 s.`,
    );
    // Resolved, so their timers stop and leave the machine to the paths below.
    for (const ticket of opened) {
      await call('POST', `/tickets/${ticket.id}/transitions`, tokens.agent, { to: 'open' });
      await call('POST', `/tickets/${ticket.id}/transitions`, tokens.agent, {
        to: 'resolved',
        summary: '已处理 (bench)',
      });
    }
  }
}

type Step = { at: number; do: 'reply' | 'customer-reply' | 'open' | 'pending' | 'resolve' | 'urgent' };
const paths: [string, 'urgent' | 'normal', Step[]][] = [
  [
    'answered and resolved at once (5 min)',
    'urgent',
    [
      { at: 2, do: 'reply' },
      { at: 3, do: 'open' },
      { at: 5, do: 'resolve' },
    ],
  ],
  [
    'met: replied at 10 min, resolved at 170 min',
    'urgent',
    [
      { at: 10, do: 'reply' },
      { at: 11, do: 'open' },
      { at: 170, do: 'resolve' },
    ],
  ],
  [
    'warned, then met (reply at 25, resolved at 100)',
    'urgent',
    [
      { at: 25, do: 'reply' },
      { at: 26, do: 'open' },
      { at: 100, do: 'resolve' },
    ],
  ],
  [
    'breached + L1 (reply at 40, resolved at 50)',
    'urgent',
    [
      { at: 40, do: 'reply' },
      { at: 41, do: 'open' },
      { at: 50, do: 'resolve' },
    ],
  ],
  [
    'untouched until 200 min: warning, breach, L1–L3',
    'urgent',
    [
      { at: 199, do: 'open' },
      { at: 200, do: 'resolve' },
    ],
  ],
  [
    'paused 20–80 min (customer reply resumes), resolved at 170',
    'urgent',
    [
      { at: 5, do: 'reply' },
      { at: 6, do: 'open' },
      { at: 20, do: 'pending' },
      { at: 80, do: 'customer-reply' },
      { at: 90, do: 'reply' },
      { at: 170, do: 'resolve' },
    ],
  ],
  [
    'priority normal → urgent at 10 min, resolved at 25',
    'normal',
    [
      { at: 10, do: 'urgent' },
      { at: 20, do: 'reply' },
      { at: 21, do: 'open' },
      { at: 25, do: 'resolve' },
    ],
  ],
];

async function playPath(
  env: Awaited<ReturnType<typeof runtime>>,
  priority: 'urgent' | 'normal',
  steps: Step[],
  n: number,
): Promise<Ticket> {
  const { rt, tokens, call } = env;
  const customer = tokens.users.find((u) => u.roles.includes('customer'))!;
  const ticket = await call('POST', '/tickets', tokens.agent, {
    subject: `路径 ${n}：会议室投影仪无信号`,
    priority,
    customer: { email: customer.email, name: customer.name },
  });
  const created = Date.parse(ticket.createdAt);
  for (const step of steps) {
    await sleep(rt.clock.wallDelayUntil(new Date(created + step.at * 60_000)));
    const id = ticket.id;
    if (step.do === 'reply')
      await call('POST', `/tickets/${id}/replies`, tokens.agent, { body: '已处理中', public: true });
    if (step.do === 'customer-reply')
      await call('POST', `/tickets/${id}/replies`, customer.token, { body: '补充信息' });
    if (step.do === 'open') await call('POST', `/tickets/${id}/transitions`, tokens.agent, { to: 'open' });
    if (step.do === 'pending')
      await call('POST', `/tickets/${id}/transitions`, tokens.agent, { to: 'pending' });
    if (step.do === 'resolve')
      await call('POST', `/tickets/${id}/transitions`, tokens.agent, {
        to: 'resolved',
        summary: '已处理 (bench)',
      });
    if (step.do === 'urgent') {
      // No HTTP route changes priority yet: the same use-case path a route would take.
      await changeTicket(id, systemActor(), undefined, rt.deps, (current, now) => ({
        ticket: {
          ...current,
          priority: 'urgent',
          version: current.version + 1,
          updatedAt: now.toISOString(),
        },
        audit: [],
        events: [],
      }));
    }
  }
  return ticket;
}

async function transitionsPerPath(env: Awaited<ReturnType<typeof runtime>>) {
  {
    const results = await Promise.all(
      paths.map(([, priority, steps], i) => playPath(env, priority, steps, i)),
    );
    // Wait until none of these tickets' executions is still running.
    const deadline = Date.now() + 120_000;
    const running = () =>
      env.rt.sla.timer.executions.filter(
        (e) => e.status === 'running' && results.some((t) => t.id === e.key),
      );
    while (running().length > 0 && Date.now() < deadline) await sleep(100);
    await sleep(200);
    const outbox = await env.rt.outbox.list();

    console.log(
      `\n## Per ticket on common paths, through the local runtime at ${timeScale}× (urgent policy)\n`,
    );
    console.log(
      '| path | executions | transitions | Lambda steps | sla.* events | e-mails | SMS | timer $ per 10,000 tickets | with e-mails |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    const rows: { name: string; cost: number; transitions: number }[] = [];
    for (const [index, [name]] of paths.entries()) {
      const ticket = results[index]!;
      const executions = env.rt.sla.timer.executions.filter((e) => e.key === ticket.id);
      const transitions = executions.reduce((sum, e) => sum + transitionsOf(e), 0);
      const steps = executions
        .flatMap((e) => e.events)
        .filter(
          (ev) =>
            ev.type === 'StateEntered' &&
            (ev.state?.name === 'ComputeCheckpoint' || ev.state?.name === 'EvaluateCheckpoint'),
        ).length;
      const history = await env.rt.deps.tickets.history(ticket.id);
      const actions = history.filter((e) => typeof e.data.slaKey === 'string');
      const sinkWrites = new Set(actions.map((e) => e.at)).size;
      const messages = outbox.filter((m) => m.ticketId === ticket.id && m.kind.startsWith('sla.'));
      const emails = messages.filter((m) => m.channel === 'email').length;
      const sms = messages.filter((m) => m.channel === 'sms').length;
      const cost =
        transitions * (price.transition + (logBytesPerTransition / 1e9) * price.logGb) +
        steps *
          (price.lambdaRequest + stepGbSeconds * price.lambdaGbSecond + stepReadUnits * price.readUnit) +
        actions.length * price.event +
        (sinkWrites * 2 * 3 + actions.length * 2) * price.writeUnit;
      rows.push({ name, cost, transitions });
      console.log(
        `| ${name} | ${executions.length} | ${transitions} | ${steps} | ${actions.length} | ${emails} | ${sms} | ${(cost * 10_000).toFixed(2)} | ${((cost + emails * price.email) * 10_000).toFixed(2)} |`,
      );
    }
    console.log(
      `\nTimer $ = Step Functions Standard transitions ($0.025 per 1,000) + state machine logs at level ALL (${logBytesPerTransition} B a transition, $0.50/GB) + Lambda ($0.20 per million requests, arm64 ${stepGbSeconds} GB-s a step) + DynamoDB on demand (${stepReadUnits} read units a step; a transactional write of the ticket and one audit item per action) + EventBridge ($1 per million sla.* events). Messages are extra: SES $0.10 per 1,000 e-mails; SMS at the SNS price of the destination country.`,
    );
    const met = rows.filter((r) => /met|once/.test(r.name));
    console.log(
      `Tickets resolved within their SLA: ${Math.min(...met.map((r) => r.transitions))}–${Math.max(...met.map((r) => r.transitions))} transitions (the issue aims for ≤ 8).`,
    );
  }
}

async function main() {
  const env = await runtime(timeScale);
  try {
    await detectionLag(env);
    await transitionsPerPath(env);
  } finally {
    await env.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
