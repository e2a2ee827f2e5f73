import * as z from 'zod';
import { computeSla, nextCheckpoint, type SlaClockInput } from './sla-clock.ts';

/** What an SLA timer execution is started with (the state machine's input). */
export const SlaTimerInput = z.object({
  ticketId: z.string().min(1).max(200),
  /** The timer version: bumped each time the timer is (re)started; part of the execution name. */
  version: z.number().int().nonnegative(),
});
export type SlaTimerInput = z.infer<typeof SlaTimerInput>;

/**
 * What a timer is started with: its request and, when the starter knows it (the write path computed it
 * with the change), the first checkpoint on the system clock — the execution then starts waiting at
 * once, without a ComputeCheckpoint call. Null or absent: the timer computes it.
 */
export const SlaTimerStart = SlaTimerInput.extend({
  checkpointAt: z.string().datetime({ offset: true }).nullable().optional(),
});
export type SlaTimerStart = z.infer<typeof SlaTimerStart>;

/** What the ComputeCheckpoint and EvaluateCheckpoint tasks return into `$.timer`. */
export const SlaTimerStep = z.object({
  /** Nothing left to wait for: the execution ends. */
  done: z.boolean(),
  /** The next checkpoint on the system clock (virtual in the local runtime). */
  checkpointAt: z.string().nullable(),
  /** The same instant on the wall clock, whole seconds, for the Wait state's TimestampPath. */
  waitUntil: z.string().nullable(),
  reason: z.enum(['checkpoint', 'inactive', 'nothing_left', 'superseded', 'not_found', 'no_policy']),
  /** Actions applied by this step. */
  actions: z.number().int().nonnegative(),
  /** The longest delay between an action falling due and this step applying it, in ms. */
  lagMs: z.number().nullable(),
});
export type SlaTimerStep = z.infer<typeof SlaTimerStep>;

/** How a platform turns system time into the Wait state's timestamps. */
export interface TimerWall {
  /** System time → wall time (the local runtime's virtual clock); identity in AWS. */
  toWall?: (at: Date) => Date;
  /**
   * Wait timestamps are rounded up to this many ms. Step Functions truncates a Wait timestamp to whole
   * seconds, so in AWS (the default, 1000) rounding up keeps it from waking before the checkpoint; the
   * local runtime, where a wall second can be minutes of virtual time, uses 1.
   */
  waitPrecisionMs?: number;
  /**
   * Wake up to this many ms after the checkpoint, spread by the timer's key: tickets opened overnight
   * that fall due at 09:00 then wake over a minute, not in one burst of Lambda invocations. A warning
   * or breach is still computed for its own instant. @default 0
   */
  jitterMs?: number;
}

/** Step Functions: whole-second Wait timestamps, wake-ups spread over 30 s. */
export const awsTimerWall: TimerWall = { waitPrecisionMs: 1000, jitterMs: 30_000 };

/** A stable spread in [0, jitterMs) for a key. */
export const jitterOf = (key: string, jitterMs: number): number =>
  jitterMs > 0 ? Number.parseInt(fnv1a(key), 36) % jitterMs : 0;

/** The Wait state's timestamp for a checkpoint: wall time, spread by key, rounded up to the precision. */
export function waitTimestamp(at: Date, key: string, wall: TimerWall): string {
  const precisionMs = wall.waitPrecisionMs ?? 1000;
  const wallAt = (wall.toWall ? wall.toWall(at) : at).getTime() + jitterOf(key, wall.jitterMs ?? 0);
  return new Date(Math.ceil(wallAt / precisionMs) * precisionMs).toISOString().replace('.000Z', 'Z');
}

/** Every timer execution's input carries its failure count (the definition's CountFailure adds to it). */
export const freshTimerFailures = () => ({ count: 0 });

/**
 * The SLA timer execution's input: the request, no failures yet, and — when the starter knows the first
 * checkpoint — the step the execution starts from (its Choice waits for it at once).
 */
export function slaTimerExecutionInput(start: SlaTimerStart, wall: TimerWall) {
  const request = SlaTimerInput.parse(start);
  const timer: SlaTimerStep | undefined = start.checkpointAt
    ? {
        done: false,
        checkpointAt: start.checkpointAt,
        waitUntil: waitTimestamp(new Date(start.checkpointAt), request.ticketId, wall),
        reason: 'checkpoint',
        actions: 0,
        lagMs: null,
      }
    : undefined;
  return { ...request, failures: freshTimerFailures(), ...(timer ? { timer } : {}) };
}

/**
 * Starts and stops the per-ticket SLA timer (a Step Functions Standard execution in AWS; the local
 * executor in the local runtime). `start` names the execution with `slaExecutionName(ticketId,
 * version)`, so a retried start of the same version cannot create a second timer. `stop` ends whatever
 * timer the ticket has running and is a no-op when there is none. A timer whose version is no longer
 * the ticket's stops itself at its next step, so a lost `stop` costs a wake-up, not a duplicate message.
 */
export interface WorkflowStarter {
  start(ticketId: string, version: number, input: SlaTimerStart): Promise<{ executionName: string }>;
  /**
   * With `version` (the timer version being replaced), stops exactly that execution, which is all Step
   * Functions needs to find it by name; without, whatever runs for the ticket.
   */
  stop(ticketId: string, version?: number): Promise<void>;
  /**
   * The names of the executions running now (the reconciler compares them with the tickets' timer
   * versions). Step Functions lists them a thousand a page.
   */
  runningExecutions(): Promise<ReadonlySet<string>>;
}

const nameLimit = 80;
const allowed = /[^A-Za-z0-9_-]/g;

/** FNV-1a, 32 bit: a short, stable tag for ids too long or too odd for an execution name. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

/**
 * A timer execution's name, `<kind>-<id><suffix>`. Step Functions allows 80 characters of
 * `A-Z a-z 0-9 - _`; other characters become `_` and a long id is cut and tagged with a hash, so the
 * name stays unique per id and suffix.
 */
export function timerExecutionName(kind: string, id: string, suffix: string): string {
  const safe = id.replace(allowed, '_');
  const room = nameLimit - kind.length - 1 - suffix.length;
  // The hash (≤ 7 base-36 digits) keeps two ids that differ only in the cut or replaced part apart.
  const tagged = safe === id && safe.length <= room ? safe : `${safe.slice(0, room - 8)}_${fnv1a(id)}`;
  return `${kind}-${tagged}${suffix}`;
}

/** The execution name of a ticket's SLA timer at a version: `sla-<ticketId>-v<version>`. */
export function slaExecutionName(ticketId: string, version: number): string {
  if (!Number.isInteger(version) || version < 0) throw new RangeError(`bad timer version ${version}`);
  return timerExecutionName('sla', ticketId, `-v${version}`);
}

/** The version in an execution name made by `slaExecutionName`, or null. */
export function parseSlaExecutionName(name: string): { ticketKey: string; version: number } | null {
  const match = /^sla-(.+)-v(\d+)$/.exec(name);
  return match ? { ticketKey: match[1]!, version: Number(match[2]) } : null;
}

/** What decides whether a running timer is still right: the deadlines it waits on. */
export interface TimerView {
  policy: string | null;
  paused: boolean;
  /** Open clocks (`<target>#<cycle>`) and their due times. */
  open: Record<string, string | null>;
  checkpointAt: string | null;
}

/** The timer-relevant view of a ticket at `now` (null input: no policy applies). */
export function timerView(input: SlaClockInput | null, now: Date, alreadySent: Iterable<string>): TimerView {
  if (!input) return { policy: null, paused: false, open: {}, checkpointAt: null };
  const snapshot = computeSla(input, now);
  const open: Record<string, string | null> = {};
  if (snapshot.active) {
    for (const clock of snapshot.targets) {
      if (clock.stoppedAt === null) open[`${clock.target}#${clock.cycle}`] = clock.dueAt;
    }
  }
  return {
    policy: input.policy.id,
    paused: snapshot.paused,
    open,
    checkpointAt: nextCheckpoint(input, now, alreadySent)?.at ?? null,
  };
}

/**
 * - `start`: no timer runs and there is something to wait for;
 * - `restart`: deadlines moved (policy, pause/resume, a new clock, a changed due time) — stop the
 *   running execution and start the next version;
 * - `stop`: nothing left to wait for (resolved, closed, paused, every level sent);
 * - `keep`: the running timer is still right (e.g. a reply met a target: it wakes, finds nothing to
 *   do and waits for the next checkpoint — cheaper than a restart);
 * - `none`: no timer runs and none is needed.
 */
export type TimerPlan = 'start' | 'restart' | 'stop' | 'keep' | 'none';

/** What to do with a ticket's timer after a change, from its view before and after. */
export function planTimer(running: boolean, before: TimerView | null, after: TimerView): TimerPlan {
  if (after.checkpointAt === null) return running ? 'stop' : 'none';
  if (!running || !before) return running ? 'restart' : 'start';
  if (before.policy !== after.policy || before.paused !== after.paused) return 'restart';
  for (const [clock, dueAt] of Object.entries(after.open)) {
    if (!(clock in before.open) || before.open[clock] !== dueAt) return 'restart';
  }
  return 'keep';
}

/**
 * Applies a plan through the port: `restart` stops the running execution and starts `version`
 * (which the caller has bumped and stored as the ticket's timer version first).
 */
export async function applyTimerPlan(
  plan: TimerPlan,
  starter: WorkflowStarter,
  ticketId: string,
  version: number,
  checkpointAt: string | null = null,
): Promise<void> {
  if (plan === 'stop' || plan === 'restart') await starter.stop(ticketId);
  if (plan === 'start' || plan === 'restart')
    await starter.start(ticketId, version, { ticketId, version, checkpointAt });
}
