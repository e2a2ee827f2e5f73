import { DomainError } from '../errors.ts';
import type { Clock, Logger } from '../ports.ts';
import type { BusinessCalendar } from './calendar.ts';
import { type SlaPolicy, selectPolicy } from './policy.ts';
import {
  type Checkpoint,
  computeSla,
  evaluate,
  nextCheckpoint,
  type SlaAction,
  type SlaClockInput,
  type SlaSnapshot,
  type SlaTicket,
  type TimelineEntry,
} from './sla-clock.ts';
import { type SlaTimerInput, type SlaTimerStep, type TimerWall, waitTimestamp } from './timer.ts';

/** A ticket as the timer sees it: its SLA fields, its timeline, and what the timer already did. */
export interface SlaSubject {
  ticket: SlaTicket;
  timeline: readonly TimelineEntry[];
  /** The version of the timer that should be running; an execution of another version is stale. */
  timerVersion: number | null;
  /** Keys of the actions already applied (the idempotency ledger). */
  sent: readonly string[];
}

export interface SlaSubjects {
  load(ticketId: string): Promise<SlaSubject | null>;
}

export interface SlaConfig {
  load(): Promise<{ policies: readonly SlaPolicy[]; calendars: readonly BusinessCalendar[] }>;
}

/**
 * Carries out timer actions: publishes `sla.warning` / `sla.breached` / `sla.escalated`, sends the
 * notifications, raises priority, reassigns, and records each key so a later `load` lists it in
 * `sent`. Must be idempotent per `action.key` (a retried step hands the same actions again).
 * Answers `reload: true` when what it changed moved the deadlines (a raised priority selects another
 * policy): the step then computes its next checkpoint from the ticket as it is now.
 */
export interface SlaActionSink {
  apply(
    ticketId: string,
    actions: readonly SlaAction[],
    context: { version: number; snapshot: SlaSnapshot },
    // biome-ignore lint/suspicious/noConfusingVoidType: a sink with nothing to report returns void, as before.
  ): Promise<void | { reload?: boolean }>;
}

/** Wall mapping (`toWall`, `waitPrecisionMs`, `jitterMs`): see `TimerWall`. */
export interface SlaTimerDeps extends TimerWall {
  subjects: SlaSubjects;
  config: SlaConfig;
  actions: SlaActionSink;
  clock: Clock;
  logger?: Logger;
}

const finished = (
  reason: SlaTimerStep['reason'],
  actions = 0,
  lagMs: number | null = null,
): SlaTimerStep => ({
  done: true,
  checkpointAt: null,
  waitUntil: null,
  reason,
  actions,
  lagMs,
});

type Loaded = { ok: true; input: SlaClockInput; sent: readonly string[] } | { ok: false; step: SlaTimerStep };

async function load(request: SlaTimerInput, deps: SlaTimerDeps): Promise<Loaded> {
  const subject = await deps.subjects.load(request.ticketId);
  if (!subject) return { ok: false, step: finished('not_found') };
  if (subject.timerVersion !== null && subject.timerVersion !== request.version) {
    return { ok: false, step: finished('superseded') };
  }
  const { policies, calendars } = await deps.config.load();
  const policy = selectPolicy(policies, subject.ticket);
  if (!policy) return { ok: false, step: finished('no_policy') };
  const calendar = calendars.find((c) => c.id === policy.calendarId);
  if (!calendar) {
    // A configuration fault, not a ticket state: fail the step so the workflow alerts.
    throw new DomainError(
      'unprocessable',
      'SLA.UNKNOWN_CALENDAR',
      `Policy ${policy.id} names unknown calendar ${policy.calendarId}`,
    );
  }
  return {
    ok: true,
    input: { ticket: subject.ticket, timeline: subject.timeline, policy, calendar },
    sent: subject.sent,
  };
}

function toStep(
  ticketId: string,
  next: Checkpoint | null,
  deps: SlaTimerDeps,
  actions: number,
  lagMs: number | null,
  active: boolean,
) {
  if (!next) return finished(active ? 'nothing_left' : 'inactive', actions, lagMs);
  const at = new Date(next.at);
  return {
    done: false,
    checkpointAt: next.at,
    waitUntil: waitTimestamp(at, ticketId, deps),
    reason: 'checkpoint',
    actions,
    lagMs,
  } satisfies SlaTimerStep;
}

/**
 * The ComputeCheckpoint task: when must this ticket's timer wake next?
 *
 * 1. Load the ticket, its timeline and the actions already sent; end if it is gone or the execution
 *    is stale (another version is the ticket's timer).
 * 2. Select the policy and its calendar.
 * 3. Return the next checkpoint (system and wall time), or done.
 */
export async function computeCheckpoint(request: SlaTimerInput, deps: SlaTimerDeps): Promise<SlaTimerStep> {
  const loaded = await load(request, deps);
  if (!loaded.ok) return loaded.step;
  const now = deps.clock.now();
  const next = nextCheckpoint(loaded.input, now, loaded.sent);
  return toStep(request.ticketId, next, deps, 0, null, next !== null || computeSla(loaded.input, now).active);
}

/**
 * The EvaluateCheckpoint task: the timer woke; do what is due, once.
 *
 * 1. Load as for ComputeCheckpoint (stale executions end here).
 * 2. Evaluate the clocks at now against the actions already sent.
 * 3. Hand the due actions to the sink, which applies and records them idempotently.
 * 4. Return the next checkpoint (recomputed if the actions moved the deadlines), or done.
 */
export async function evaluateCheckpoint(request: SlaTimerInput, deps: SlaTimerDeps): Promise<SlaTimerStep> {
  const loaded = await load(request, deps);
  if (!loaded.ok) return loaded.step;
  const now = deps.clock.now();
  const result = evaluate(loaded.input, now, loaded.sent);
  let lagMs: number | null = null;
  if (result.actions.length > 0) {
    const applied = await deps.actions.apply(request.ticketId, result.actions, {
      version: request.version,
      snapshot: result.snapshot,
    });
    lagMs = Math.max(...result.actions.map((a) => now.getTime() - Date.parse(a.scheduledAt)));
    deps.logger?.info('sla actions applied', {
      ticketId: request.ticketId,
      version: request.version,
      keys: result.actions.map((a) => a.key),
      lagMs,
    });
    if (applied?.reload) {
      // The timer changed the ticket's deadlines itself: wait for the new ones, in this same execution.
      const fresh = await load(request, deps);
      if (!fresh.ok) return { ...fresh.step, actions: result.actions.length, lagMs };
      const next = nextCheckpoint(fresh.input, now, fresh.sent);
      const active = next !== null || computeSla(fresh.input, now).active;
      return toStep(request.ticketId, next, deps, result.actions.length, lagMs, active);
    }
  }
  return toStep(request.ticketId, result.next, deps, result.actions.length, lagMs, result.snapshot.active);
}
