/**
 * The SLA timer's numbers: breach-detection lag with real, scaled waits; state transitions per ticket on
 * the common paths; and the AWS cost per 10,000 tickets those counts imply.
 * Run: `node --import tsx bench/sla-timer.ts [tickets=20] [timeScale=600]`.
 *
 * The lag is measured on the synthesized definition run by aws-local-stepfunctions with the real
 * handlers and a virtual clock (the local runtime's design: Wait until the wall instant that the
 * checkpoint maps to). Until the timer is wired into `npm start`, this is the local-runtime path minus
 * HTTP and DynamoDB Local. Transition counts come from the workflow test scenarios' event logs.
 */
import '../infra/local/polyfills.ts';
import { slaCheckpointHandler } from '#functions/sla-checkpoint/task.ts';
import { slaEvaluateHandler } from '#functions/sla-evaluate/task.ts';
import { alwaysOpenCalendar, defaultCalendars } from '#shared/domain/sla/calendar.ts';
import { defaultSlaPolicies } from '#shared/domain/sla/policy.ts';
import type { SlaAction, SlaTicket, TimelineEntry } from '#shared/domain/sla/sla-clock.ts';
import type { SlaTimerDeps } from '#shared/domain/sla/timer-steps.ts';
import { localSlaTimer, transitionsOf } from '#workflows/sla-timer.local.ts';
import { synthesizeSlaTimerAsl } from '#workflows/sla-timer.ts';
import { SlaWorld, type WorldOptions } from '../test/workflow/support/sla-world.ts';

const tickets = Number(process.argv[2] ?? 20);
const timeScale = Number(process.argv[3] ?? 600);

/** AWS list prices, us-east-1, as of 2026 (check https://aws.amazon.com/step-functions/pricing/). */
const price = {
  /** Standard workflows: per state transition ($0.025 per 1,000). */
  transition: 0.025 / 1000,
  /** Lambda requests: $0.20 per million. */
  lambdaRequest: 0.2 / 1_000_000,
  /** Lambda arm64 duration: per GB-second. */
  lambdaGbSecond: 0.0000133334,
  /** EventBridge custom events: $1.00 per million (one per warning, breach, escalation). */
  event: 1 / 1_000_000,
};
/** Assumed per timer step: 512 MB for 60 ms (a DynamoDB read, a policy lookup, maybe a write). */
const stepGbSeconds = 0.5 * 0.06;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function detectionLag(definition: ReturnType<typeof synthesizeSlaTimerAsl>) {
  const wallBase = Date.now();
  const virtualBase = Date.parse('2026-06-08T01:00:00Z');
  const now = () => new Date(virtualBase + (Date.now() - wallBase) * timeScale);
  const toWall = (virtual: Date) => new Date(wallBase + (virtual.getTime() - virtualBase) / timeScale);

  const subjects = new Map<string, { ticket: SlaTicket; timeline: TimelineEntry[]; sent: Set<string> }>();
  const lags: { kind: SlaAction['kind']; virtualMs: number }[] = [];
  let stopAfterEscalation: (ticketId: string) => void = () => {};
  const deps: SlaTimerDeps = {
    clock: { now },
    toWall,
    waitPrecisionMs: 1,
    subjects: {
      load: async (id) => {
        const s = subjects.get(id);
        return s ? { ticket: s.ticket, timeline: s.timeline, timerVersion: 1, sent: [...s.sent] } : null;
      },
    },
    config: {
      load: async () => ({
        policies: defaultSlaPolicies,
        calendars: [alwaysOpenCalendar, ...defaultCalendars],
      }),
    },
    actions: {
      apply: async (id, actions) => {
        const at = now().getTime();
        for (const action of actions) {
          subjects.get(id)?.sent.add(action.key);
          lags.push({ kind: action.kind, virtualMs: at - Date.parse(action.scheduledAt) });
          if (action.kind === 'escalation') stopAfterEscalation(id);
        }
      },
    },
  };
  const timer = localSlaTimer({
    definition,
    handlers: {
      checkpoint: slaCheckpointHandler(deps),
      evaluate: slaEvaluateHandler(deps),
      alert: async () => ({}),
    },
  });
  stopAfterEscalation = (id) => void timer.stop(id);

  for (let i = 0; i < tickets; i++) {
    const id = `B-${i}`;
    // Staggered over one virtual minute so the deadlines do not all fall on the same millisecond.
    const created = new Date(now().getTime() - (i * 60_000) / tickets).toISOString();
    subjects.set(id, {
      ticket: {
        id,
        priority: 'urgent',
        tier: 'standard',
        category: null,
        team: 'support',
        assignee: 'a1',
        status: 'new',
      },
      timeline: [{ type: 'created', at: created }],
      sent: new Set(),
    });
    await timer.start(id, 1, { ticketId: id, version: 1 });
  }
  await timer.idle();
  return lags;
}

const paths: [string, WorldOptions][] = [
  ['resolved early (stopped while waiting)', { script: [{ at: 8, entry: 'resolved' }] }],
  [
    'met: replied at 10 min, resolved at 170 min',
    {
      script: [
        { at: 10, entry: 'staff_replied' },
        { at: 170, entry: 'resolved' },
      ],
    },
  ],
  [
    'met, stop lost (timer ends itself)',
    {
      stopIsLost: true,
      script: [
        { at: 10, entry: 'staff_replied' },
        { at: 170, entry: 'resolved' },
      ],
    },
  ],
  [
    'warned, then met',
    {
      script: [
        { at: 25, entry: 'staff_replied' },
        { at: 100, entry: 'resolved' },
      ],
    },
  ],
  [
    'breached + L1',
    {
      script: [
        { at: 40, entry: 'staff_replied' },
        { at: 50, entry: 'resolved' },
      ],
    },
  ],
  ['untouched: L1 → L2 → L3', { script: [{ at: 200, entry: 'resolved' }] }],
  [
    'paused and resumed',
    {
      script: [
        { at: 5, entry: 'staff_replied' },
        { at: 20, entry: 'pending' },
        { at: 80, entry: 'resumed' },
        { at: 170, entry: 'resolved' },
      ],
    },
  ],
  [
    'priority normal → urgent',
    {
      ticket: { priority: 'normal' },
      script: [
        { at: 10, patch: { priority: 'urgent' } },
        { at: 25, entry: 'resolved' },
      ],
    },
  ],
];

async function main() {
  const definition = synthesizeSlaTimerAsl();

  const started = performance.now();
  const lags = await detectionLag(definition);
  const wallSeconds = (performance.now() - started) / 1000;
  console.log(
    `\n## Detection lag — ${tickets} urgent tickets left untouched, time scale ${timeScale}× (${wallSeconds.toFixed(1)} s wall)\n`,
  );
  console.log('| action | n | p50 wall ms | p95 wall ms | max wall ms | max virtual s |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const kind of ['warning', 'breach', 'escalation'] as const) {
    const virtual = lags
      .filter((l) => l.kind === kind)
      .map((l) => l.virtualMs)
      .sort((a, b) => a - b);
    if (virtual.length === 0) continue;
    const wall = virtual.map((v) => v / timeScale);
    console.log(
      `| ${kind} | ${virtual.length} | ${percentile(wall, 50).toFixed(1)} | ${percentile(wall, 95).toFixed(1)} | ${wall.at(-1)!.toFixed(1)} | ${(virtual.at(-1)! / 1000).toFixed(1)} |`,
    );
  }
  console.log(
    '\nIn AWS the wait is a TimestampPath rounded up to the second: detection within ~1 s plus one Lambda call.',
  );

  console.log('\n## State transitions per ticket (urgent policy; every state entered and every retry)\n');
  console.log('| path | executions | transitions | Lambda steps | sla events | $ per 10,000 tickets |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [name, options] of paths) {
    const world = await new SlaWorld(definition, options).run();
    const transitions = world.executions.reduce((n, e) => n + transitionsOf(e), 0);
    const steps = world.paths
      .flat()
      .filter((s) => s === 'ComputeCheckpoint' || s === 'EvaluateCheckpoint').length;
    const events = world.applied.filter(
      (a) => a.action.kind !== 'raise_priority' && a.action.kind !== 'reassign',
    ).length;
    const cost =
      transitions * price.transition +
      steps * (price.lambdaRequest + stepGbSeconds * price.lambdaGbSecond) +
      events * price.event;
    console.log(
      `| ${name} | ${world.executions.length} | ${transitions} | ${steps} | ${events} | ${(cost * 10_000).toFixed(2)} |`,
    );
  }
  console.log(
    `\nPrices: $0.025 per 1,000 transitions, Lambda $0.20 per million requests + arm64 duration at ${stepGbSeconds} GB-s a step, EventBridge $1 per million events; free tiers ignored.`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
