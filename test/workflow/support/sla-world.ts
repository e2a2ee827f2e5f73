import { slaCheckpointHandler } from '#functions/sla-checkpoint/task.ts';
import { slaEvaluateHandler } from '#functions/sla-evaluate/task.ts';
import { alwaysOpenCalendar, type BusinessCalendar, defaultCalendars } from '#shared/domain/sla/calendar.ts';
import { defaultSlaPolicies, type SlaPolicy, selectPolicy } from '#shared/domain/sla/policy.ts';
import type { SlaAction, SlaClockInput, SlaTicket, TimelineEntry } from '#shared/domain/sla/sla-clock.ts';
import { applyTimerPlan, planTimer, type TimerPlan, timerView } from '#shared/domain/sla/timer.ts';
import type { SlaTimerDeps } from '#shared/domain/sla/timer-steps.ts';
import {
  type LocalExecution,
  type LocalSlaTimer,
  localSlaTimer,
  transitionsOf,
} from '#workflows/sla-timer.local.ts';
import type { AslDefinition } from '#workflows/sla-timer.ts';
import { slaTimerStates } from '#workflows/sla-timer.ts';

export const t0 = Date.parse('2026-06-08T01:00:00Z'); // Monday 09:00 in Beijing
/** The instant `m` minutes after t0. */
export const minute = (m: number) => new Date(t0 + m * 60_000);
/** Minutes after t0 of an instant. */
export const minutesOf = (iso: string) => (Date.parse(iso) - t0) / 60_000;

/** A change to the ticket at a minute: a timeline entry, and/or new field values. */
export interface Change {
  at: number;
  entry?: TimelineEntry['type'];
  public?: boolean;
  patch?: Partial<Omit<SlaTicket, 'id'>>;
}

export interface WorldOptions {
  ticket?: Partial<SlaTicket>;
  script?: Change[];
  policies?: readonly SlaPolicy[];
  calendars?: readonly BusinessCalendar[];
  /** Fail the next N calls of a task (thrown like a Lambda error). */
  faults?: { checkpoint?: number; evaluate?: number; alert?: number; degraded?: number };
  /** Simulate a lost StopExecution: `stop` does nothing, the stale timer must end itself. */
  stopIsLost?: boolean;
  /** Start timers without the first checkpoint (as an older record would): the timer computes it. */
  computeFirst?: boolean;
}

export interface AppliedAction {
  action: SlaAction;
  /** Minutes after t0 on the world clock when the sink applied it. */
  appliedAt: number;
  execution: string;
}

const statusAfter: Partial<Record<TimelineEntry['type'], SlaTicket['status']>> = {
  pending: 'pending',
  resumed: 'open',
  resolved: 'resolved',
  reopened: 'open',
  closed: 'closed',
};

/** A failure as a Lambda reports it: the error name becomes the state error. */
class Throttled extends Error {
  constructor(task: string) {
    super(`${task}: ProvisionedThroughputExceededException`);
    this.name = 'Throttled';
  }
}

/**
 * One ticket and its SLA timer on the synthesized definition, run by aws-local-stepfunctions with the
 * task states bound to the real handlers. The world plays the API: it applies scripted changes at their
 * minute, and asks `planTimer` whether to start, restart or stop the timer, exactly as the ticket use
 * cases will. Waits are shortened to a few real ms and the world clock jumps to each checkpoint as its
 * Wait begins (or to the change that interrupts it), so hours of SLA time run in milliseconds.
 */
export class SlaWorld {
  now = minute(0);
  ticket: SlaTicket;
  timeline: TimelineEntry[] = [];
  version = 0;
  timerVersion: number | null = null;
  readonly sent = new Set<string>();
  readonly applied: AppliedAction[] = [];
  readonly alerts: unknown[] = [];
  /** What RecordTimerDegraded was called with. */
  readonly degraded: unknown[] = [];
  readonly plans: { at: number; plan: TimerPlan }[] = [];
  readonly timer: LocalSlaTimer;
  private readonly script: Change[];
  private readonly policies: readonly SlaPolicy[];
  private readonly calendars: readonly BusinessCalendar[];
  private readonly faults: Required<NonNullable<WorldOptions['faults']>>;
  private currentExecution = '';
  private readonly computeFirst: boolean;

  constructor(definition: AslDefinition, options: WorldOptions = {}) {
    this.ticket = {
      id: 'T-1001',
      priority: 'urgent',
      tier: 'standard',
      category: null,
      team: 'support',
      assignee: 'agent-1',
      status: 'new',
      ...options.ticket,
    };
    this.script = [...(options.script ?? [])].sort((a, b) => a.at - b.at);
    this.policies = options.policies ?? defaultSlaPolicies;
    this.calendars = options.calendars ?? [alwaysOpenCalendar, ...defaultCalendars];
    this.faults = { checkpoint: 0, evaluate: 0, alert: 0, degraded: 0, ...options.faults };
    this.computeFirst = options.computeFirst === true;

    const deps: SlaTimerDeps = {
      clock: { now: () => this.now },
      subjects: {
        load: async (ticketId) =>
          ticketId === this.ticket.id
            ? {
                ticket: { ...this.ticket },
                timeline: [...this.timeline],
                timerVersion: this.timerVersion,
                sent: [...this.sent],
              }
            : null,
      },
      config: { load: async () => ({ policies: this.policies, calendars: this.calendars }) },
      actions: {
        apply: async (_ticketId, actions) => {
          for (const action of actions) {
            if (this.sent.has(action.key)) continue;
            this.sent.add(action.key);
            this.applied.push({
              action,
              appliedAt: (this.now.getTime() - t0) / 60_000,
              execution: this.currentExecution,
            });
          }
        },
      },
    };
    const checkpoint = slaCheckpointHandler(deps);
    const evaluate = slaEvaluateHandler(deps);
    const failing =
      <T>(task: 'checkpoint' | 'evaluate' | 'alert' | 'degraded', run: (input: unknown) => Promise<T>) =>
      async (input: unknown) => {
        if (this.faults[task] > 0) {
          this.faults[task] -= 1;
          throw new Throttled(task);
        }
        return run(input);
      };

    const timer = localSlaTimer({
      definition,
      handlers: {
        checkpoint: failing('checkpoint', checkpoint),
        evaluate: failing('evaluate', evaluate),
        alert: failing('alert', async (input) => {
          this.alerts.push(input);
          return {};
        }),
        degraded: failing('degraded', async (input) => {
          this.degraded.push(input);
          return { recorded: true };
        }),
      },
      waitMs: { checkpoint: 5, backoff: 5 },
      retryIntervalMs: 0,
      onEvent: (execution, event) => this.onEvent(execution, event),
    });
    this.timer = options.stopIsLost ? { ...timer, stop: async () => {} } : timer;
  }

  private clockInput(): SlaClockInput | null {
    const policy = selectPolicy(this.policies, this.ticket);
    const calendar = policy && this.calendars.find((c) => c.id === policy.calendarId);
    return policy && calendar ? { ticket: this.ticket, timeline: this.timeline, policy, calendar } : null;
  }

  /** Applies one change the way the ticket use cases will: write, then plan the timer. */
  private apply(change: Change): Promise<void> {
    this.now = minute(change.at);
    const running = this.timer.running(this.ticket.id) !== undefined;
    const before = timerView(this.clockInput(), this.now, this.sent);
    if (change.entry) {
      const at = this.now.toISOString();
      this.timeline.push(
        change.entry === 'staff_replied'
          ? { type: 'staff_replied', at, public: change.public ?? true }
          : ({ type: change.entry, at } as TimelineEntry),
      );
      const status = statusAfter[change.entry];
      if (status) this.ticket.status = status;
      else if (this.ticket.status === 'new' && change.entry === 'staff_replied') this.ticket.status = 'open';
      else if (this.ticket.status === 'pending' && change.entry === 'customer_replied')
        this.ticket.status = 'open';
    }
    if (change.patch) Object.assign(this.ticket, change.patch);
    this.version += 1;
    const after = timerView(this.clockInput(), this.now, this.sent);
    const plan = planTimer(running, before, after);
    this.plans.push({ at: change.at, plan });
    if (plan === 'start' || plan === 'restart') this.timerVersion = this.version;
    // As the write path does: the new timer is started with the first checkpoint it computed.
    const checkpointAt = this.computeFirst ? null : after.checkpointAt;
    return applyTimerPlan(plan, this.timer, this.ticket.id, this.version, checkpointAt);
  }

  private onEvent(
    execution: LocalExecution,
    event: { type: string; state?: { name: string; input: unknown } },
  ) {
    if (event.type !== 'StateEntered' || !event.state) return;
    // A superseded execution (its stop lost) does not move the world: it only wakes and must end itself.
    if (execution.version !== this.timerVersion) return;
    this.currentExecution = execution.name;
    if (event.state.name === slaTimerStates.backoff) {
      this.now = new Date(this.now.getTime() + 5 * 60_000);
      return;
    }
    if (event.state.name !== slaTimerStates.wait) return;
    const { timer } = event.state.input as { timer: { checkpointAt: string } };
    const wakeAt = minutesOf(timer.checkpointAt);
    // Changes that come before the checkpoint happen during this Wait, and may stop this execution.
    const current = () => execution.status === 'running' && execution.version === this.timerVersion;
    while (this.script[0] && this.script[0].at <= wakeAt && current()) {
      void this.apply(this.script.shift()!);
    }
    if (current()) this.now = new Date(Math.max(this.now.getTime(), minute(wakeAt).getTime()));
  }

  /** Creates the ticket at minute 0, starts its timer, and plays the script until nothing runs. */
  async run(): Promise<this> {
    await this.apply({ at: 0, entry: 'created' });
    for (let guard = 0; guard < 100; guard++) {
      await this.timer.idle();
      const next = this.script.shift();
      if (!next) break;
      await this.apply(next);
    }
    await this.timer.idle();
    return this;
  }

  /** Applied action keys with the minute each was applied, e.g. `firstResponse#1:breach@30`. */
  get log(): string[] {
    return this.applied.map((a) => `${a.action.key}@${a.appliedAt}`);
  }

  get executions(): readonly LocalExecution[] {
    return this.timer.executions;
  }

  /** State transitions across every execution of this ticket's timer. */
  get transitions(): number {
    return this.timer.executions.reduce((sum, e) => sum + transitionsOf(e), 0);
  }

  /** The states each execution entered, in order. */
  get paths(): string[][] {
    return this.timer.executions.map((e) =>
      e.events.flatMap((ev) => (ev.type === 'StateEntered' && ev.state ? [ev.state.name] : [])),
    );
  }
}
