import * as z from 'zod';
import { addBusinessMs, alwaysOpenCalendar, type BusinessCalendar, businessMsBetween } from './calendar.ts';
import {
  type EscalationLevel,
  type Recipient,
  type SlaChannel,
  type SlaPolicy,
  SlaPriority,
  type SlaTarget,
  SlaTier,
  slaPriorities,
  slaTargets,
  warningPercents,
} from './policy.ts';

const Instant = z.iso.datetime({ offset: true });

/**
 * What happened to a ticket, as far as its SLA clocks care. The lead maps the audit trail onto these:
 * `staff_replied` with `public: false` is an internal note (it answers nothing); `pending` is the
 * move to 等待反馈 (clocks pause) and `resumed` the move back; a customer reply also resumes.
 */
export const TimelineEntry = z.discriminatedUnion('type', [
  z.object({ type: z.literal('created'), at: Instant }),
  z.object({ type: z.literal('staff_replied'), at: Instant, public: z.boolean() }),
  z.object({ type: z.literal('customer_replied'), at: Instant }),
  z.object({ type: z.literal('pending'), at: Instant }),
  z.object({ type: z.literal('resumed'), at: Instant }),
  z.object({ type: z.literal('resolved'), at: Instant }),
  z.object({ type: z.literal('reopened'), at: Instant }),
  z.object({ type: z.literal('closed'), at: Instant }),
]);
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const SlaTicketStatus = z.enum(['new', 'open', 'pending', 'resolved', 'closed']);

/** The ticket fields the SLA needs, independent of the ticket entity's shape. */
export const SlaTicket = z.object({
  id: z.string().min(1),
  priority: SlaPriority,
  tier: SlaTier,
  category: z.string().nullable(),
  team: z.string().nullable(),
  assignee: z.string().nullable(),
  /** A resolved or closed ticket gets no more warnings or escalations, whatever its timeline says. */
  status: SlaTicketStatus,
});
export type SlaTicket = z.infer<typeof SlaTicket>;

/** Everything a clock computation needs; `policy` already selected, `calendar` the policy's. */
export interface SlaClockInput {
  ticket: SlaTicket;
  timeline: readonly TimelineEntry[];
  policy: SlaPolicy;
  calendar: BusinessCalendar;
}

export type ClockState = 'running' | 'paused' | 'met' | 'breached';

/** One cycle of one target: the first response, the Nth next response, the Nth resolution. */
export interface TargetClock {
  target: SlaTarget;
  /** 1 for the first response and the first resolution; next responses and reopens count on. */
  cycle: number;
  state: ClockState;
  targetMinutes: number;
  startedAt: string;
  /** When the target is (or was) breached; null while paused before reaching it. */
  dueAt: string | null;
  /** Business minutes left (negative: overdue), two decimals. */
  remainingMinutes: number;
  /** When the clock stopped: the answering reply, resolve or close. */
  stoppedAt: string | null;
  breachedAt: string | null;
}

export interface SlaBreach {
  target: SlaTarget;
  cycle: number;
  at: string;
}

/** The SLA of a ticket at an instant, as the API shows it. */
export interface SlaSnapshot {
  policy: string;
  calendar: string;
  at: string;
  /** Waiting on the customer: every running clock is paused. */
  paused: boolean;
  /** Not resolved or closed: the timer still has work. */
  active: boolean;
  /** The latest cycle of each target the policy sets, in target order. */
  targets: TargetClock[];
  /** Every breach so far, earliest first. */
  breaches: SlaBreach[];
}

export type ResolvedRecipient =
  | { role: 'assignee'; channel: SlaChannel; agentId: string }
  | { role: 'team_supervisor' | 'manager' | 'on_call'; channel: SlaChannel; team: string | null }
  | { address: string; channel: SlaChannel };

interface ActionBase {
  /** Stable idempotency key: `<target>#<cycle>:<kind>[:<detail>]`. */
  key: string;
  target: SlaTarget;
  cycle: number;
  /** The instant the action became due (the checkpoint); now − scheduledAt is the detection lag. */
  scheduledAt: string;
  dueAt: string;
}

/** What the timer must do now. Apply each at most once, by `key`. */
export type SlaAction =
  | (ActionBase & {
      kind: 'warning';
      percent: number;
      remainingMinutes: number;
      recipients: ResolvedRecipient[];
    })
  | (ActionBase & { kind: 'breach' })
  | (ActionBase & {
      kind: 'escalation';
      level: number;
      overdueMinutes: number;
      recipients: ResolvedRecipient[];
    })
  | (ActionBase & { kind: 'raise_priority'; level: number; from: SlaPriority; to: SlaPriority })
  | (ActionBase & { kind: 'reassign'; level: number; team: string | null; assignee: string | null });

export interface Checkpoint {
  /** The next instant something must happen; may be in the past when it is already due. */
  at: string;
  /** The keys of what falls due then. */
  keys: string[];
}

export interface Evaluation {
  actions: SlaAction[];
  /** The checkpoint after these actions are applied, or null when nothing is left to wait for. */
  next: Checkpoint | null;
  snapshot: SlaSnapshot;
}

const minuteMs = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const minutes = (ms: number) => Math.round(ms / (minuteMs / 100)) / 100;

type Pause = [start: number, end: number | null];

interface Cycle {
  target: SlaTarget;
  cycle: number;
  targetMs: number;
  start: number;
  stop: number | null;
  pauses: Pause[];
}

interface Replay {
  cycles: Cycle[];
  paused: boolean;
  active: boolean;
}

/** Replays the timeline up to `nowMs` into clock cycles. Entries after `nowMs` have not happened yet. */
function replay(input: SlaClockInput, nowMs: number): Replay {
  const { policy } = input;
  const entries = input.timeline
    .map((entry, index) => ({ entry, index, ms: Date.parse(entry.at) }))
    .filter((e) => e.ms <= nowMs)
    .sort((a, b) => a.ms - b.ms || a.index - b.index);

  const cycles: Cycle[] = [];
  const open = new Map<SlaTarget, Cycle>();
  const counts: Record<SlaTarget, number> = { firstResponse: 0, nextResponse: 0, resolution: 0 };
  let created = false;
  let paused = false;
  let resolved = false;
  let closed = false;
  let responded = false;

  const start = (target: SlaTarget, at: number) => {
    const spec = policy.targets[target];
    if (!spec) return;
    counts[target] += 1;
    const cycle: Cycle = {
      target,
      cycle: counts[target],
      targetMs: spec.minutes * minuteMs,
      start: at,
      stop: null,
      pauses: [],
    };
    if (paused) cycle.pauses.push([at, null]);
    cycles.push(cycle);
    open.set(target, cycle);
  };
  const stop = (target: SlaTarget, at: number) => {
    const cycle = open.get(target);
    if (!cycle) return;
    const last = cycle.pauses.at(-1);
    if (last && last[1] === null) last[1] = at;
    cycle.stop = at;
    open.delete(target);
  };
  const pause = (at: number) => {
    paused = true;
    for (const cycle of open.values()) cycle.pauses.push([at, null]);
  };
  const resume = (at: number) => {
    paused = false;
    for (const cycle of open.values()) {
      const last = cycle.pauses.at(-1);
      if (last && last[1] === null) last[1] = at;
    }
  };

  for (const { entry, ms } of entries) {
    if (entry.type === 'created') {
      if (created) continue;
      created = true;
      start('firstResponse', ms);
      start('resolution', ms);
      continue;
    }
    if (!created || closed) continue;
    switch (entry.type) {
      case 'staff_replied':
        if (!entry.public || resolved) break;
        responded = true;
        stop('firstResponse', ms);
        stop('nextResponse', ms);
        break;
      case 'customer_replied':
        if (resolved) break;
        if (paused) resume(ms);
        if (responded && !open.has('nextResponse')) start('nextResponse', ms);
        break;
      case 'pending':
        if (!paused && !resolved) pause(ms);
        break;
      case 'resumed':
        if (paused) resume(ms);
        break;
      case 'resolved':
        if (resolved) break;
        if (paused) resume(ms);
        for (const target of slaTargets) stop(target, ms);
        resolved = true;
        // An unanswered ticket that was resolved has had its answer: later replies are next responses.
        responded = true;
        break;
      case 'reopened': {
        if (!resolved) break;
        resolved = false;
        const last = [...cycles].reverse().find((c) => c.target === 'resolution');
        if (policy.onReopen === 'continue' && last?.stop != null) {
          // The resolved spell counts as paused time of the same cycle.
          last.pauses.push([last.stop, ms]);
          last.stop = null;
          open.set('resolution', last);
        } else start('resolution', ms);
        break;
      }
      case 'closed':
        if (paused) resume(ms);
        for (const target of slaTargets) stop(target, ms);
        closed = true;
        break;
    }
  }
  const statusActive = input.ticket.status !== 'resolved' && input.ticket.status !== 'closed';
  return { cycles, paused, active: created && !resolved && !closed && statusActive };
}

/** The spans in which a cycle's clock runs: start → stop (or for ever), minus its pauses. */
function runningSpans(cycle: Cycle): [number, number][] {
  const spans: [number, number][] = [];
  let from = cycle.start;
  const end = cycle.stop ?? Number.POSITIVE_INFINITY;
  for (const [s, e] of cycle.pauses) {
    if (s > from) spans.push([from, Math.min(s, end)]);
    if (e === null) return spans;
    from = Math.max(from, e);
  }
  if (end > from) spans.push([from, end]);
  return spans;
}

/**
 * The instant at which `amount` ms of `calendar` time have run within `spans` (counting from `from`),
 * or null when the spans end first.
 */
function reach(
  calendar: BusinessCalendar,
  spans: [number, number][],
  amount: number,
  from = Number.NEGATIVE_INFINITY,
) {
  let left = amount;
  for (const [s0, e] of spans) {
    const s = Math.max(s0, from);
    if (e <= s) continue;
    if (e === Number.POSITIVE_INFINITY) return addBusinessMs(calendar, s, left);
    const available = businessMsBetween(calendar, s, e);
    if (available >= left) return addBusinessMs(calendar, s, left);
    left -= available;
  }
  return null;
}

function elapsed(calendar: BusinessCalendar, spans: [number, number][], nowMs: number) {
  let total = 0;
  for (const [s, e] of spans) {
    if (s >= nowMs) break;
    total += businessMsBetween(calendar, s, Math.min(e, nowMs));
  }
  return total;
}

interface CycleView {
  cycle: Cycle;
  spans: [number, number][];
  due: number | null;
  clock: TargetClock;
}

function viewCycle(input: SlaClockInput, cycle: Cycle, nowMs: number, paused: boolean): CycleView {
  const spans = runningSpans(cycle);
  const due = reach(input.calendar, spans, cycle.targetMs);
  const stopped = cycle.stop !== null;
  // Answered exactly at the deadline is met; still open at the deadline is breached.
  const breached = due !== null && (stopped ? due < cycle.stop! : due <= nowMs);
  const state: ClockState = breached ? 'breached' : stopped ? 'met' : paused ? 'paused' : 'running';
  const used = elapsed(input.calendar, spans, cycle.stop ?? nowMs);
  return {
    cycle,
    spans,
    due,
    clock: {
      target: cycle.target,
      cycle: cycle.cycle,
      state,
      targetMinutes: cycle.targetMs / minuteMs,
      startedAt: iso(cycle.start),
      dueAt: due === null ? null : iso(due),
      remainingMinutes: minutes(cycle.targetMs - used),
      stoppedAt: cycle.stop === null ? null : iso(cycle.stop),
      breachedAt: breached && due !== null ? iso(due) : null,
    },
  };
}

interface Computed {
  views: CycleView[];
  snapshot: SlaSnapshot;
  active: boolean;
}

function compute(input: SlaClockInput, nowMs: number): Computed {
  const { cycles, paused, active } = replay(input, nowMs);
  const views = cycles.map((c) => viewCycle(input, c, nowMs, paused && c.stop === null));
  const latest = slaTargets.flatMap((t) => {
    const last = views.filter((v) => v.cycle.target === t).at(-1);
    return last ? [last.clock] : [];
  });
  const breaches = views
    .flatMap((v) =>
      v.clock.breachedAt ? [{ target: v.cycle.target, cycle: v.cycle.cycle, at: v.clock.breachedAt }] : [],
    )
    .sort((a, b) => a.at.localeCompare(b.at));
  return {
    views,
    active,
    snapshot: {
      policy: input.policy.id,
      calendar: input.calendar.id,
      at: iso(nowMs),
      paused: paused && active,
      active,
      targets: latest,
      breaches,
    },
  };
}

const toMs = (now: Date) => {
  const ms = now.getTime();
  if (Number.isNaN(ms)) throw new RangeError('invalid date');
  return ms;
};

/** Each target's due time, remaining time and state at `now`, and the breaches so far. */
export function computeSla(input: SlaClockInput, now: Date): SlaSnapshot {
  return compute(input, toMs(now)).snapshot;
}

/** The fields of the ticket's `sla` (DESIGN.md §6) from a snapshot. */
export function slaSummary(snapshot: SlaSnapshot) {
  const due = (target: SlaTarget) => {
    const clock = snapshot.targets.find((t) => t.target === target);
    return clock && clock.stoppedAt === null ? clock.dueAt : null;
  };
  return {
    policy: snapshot.policy,
    firstResponseDueAt: due('firstResponse'),
    nextResponseDueAt: due('nextResponse'),
    resolutionDueAt: due('resolution'),
    breached: [...new Set(snapshot.breaches.map((b) => b.target))],
    paused: snapshot.paused,
    targets: snapshot.targets,
  };
}

interface Scheduled {
  key: string;
  kind: 'warning' | 'breach' | 'escalation';
  at: number;
  view: CycleView;
  percent?: number;
  level?: EscalationLevel;
}

const kindOrder = { warning: 0, breach: 1, escalation: 2 } as const;
const cycleKey = (c: Cycle) => `${c.target}#${c.cycle}`;

/** Every warning, breach and escalation the timeline calls for, whether sent or not. */
function schedule(input: SlaClockInput, computed: Computed): Scheduled[] {
  const items: Scheduled[] = [];
  for (const view of computed.views) {
    const { cycle, spans, due } = view;
    const base = cycleKey(cycle);
    const open = cycle.stop === null && computed.active;
    if (open) {
      for (const percent of warningPercents(input.policy, cycle.target)) {
        const at = reach(input.calendar, spans, (cycle.targetMs * percent) / 100);
        if (at !== null)
          items.push({ key: `${base}:warning:${percent}`, kind: 'warning', at, view, percent });
      }
    }
    if (due === null) continue;
    // A breach is recorded even when the clock stopped late (the reply came after the deadline).
    if (open || view.clock.breachedAt !== null)
      items.push({ key: `${base}:breach`, kind: 'breach', at: due, view });
    if (!open) continue;
    for (const level of input.policy.escalation) {
      if (level.targets && !level.targets.includes(cycle.target)) continue;
      const delay = level.afterBreachMinutes * minuteMs;
      const at =
        delay === 0
          ? due
          : level.clock === 'business'
            ? reach(input.calendar, spans, cycle.targetMs + delay)
            : reach(alwaysOpenCalendar, spans, delay, due);
      if (at !== null)
        items.push({ key: `${base}:escalation:${level.level}`, kind: 'escalation', at, view, level });
    }
  }
  return items.sort(
    (a, b) => a.at - b.at || kindOrder[a.kind] - kindOrder[b.kind] || a.key.localeCompare(b.key),
  );
}

/**
 * What is left to do: the items not sent, without warnings whose breach has already come (a "75 %"
 * warning after the deadline is noise — the breach says more).
 */
function pending(items: Scheduled[], nowMs: number, sent: ReadonlySet<string>) {
  const breachHandled = new Set(
    items
      .filter((i) => i.kind === 'breach' && (i.at <= nowMs || sent.has(i.key)))
      .map((i) => cycleKey(i.view.cycle)),
  );
  return items.filter(
    (i) => !sent.has(i.key) && !(i.kind === 'warning' && breachHandled.has(cycleKey(i.view.cycle))),
  );
}

function checkpointOf(items: Scheduled[], nowMs: number): Checkpoint | null {
  const first = items[0];
  if (!first) return null;
  const at = first.at;
  return { at: iso(at), keys: items.filter((i) => i.at <= Math.max(at, nowMs)).map((i) => i.key) };
}

/**
 * The next instant at which something must happen — a warning, a breach, the next escalation level —
 * or null when nothing is left to wait for (resolved, paused, or every level already sent).
 * At or before `now` means it is due already.
 */
export function nextCheckpoint(
  input: SlaClockInput,
  now: Date,
  alreadySent: Iterable<string>,
): Checkpoint | null {
  const nowMs = toMs(now);
  const computed = compute(input, nowMs);
  return checkpointOf(pending(schedule(input, computed), nowMs, new Set(alreadySent)), nowMs);
}

const recipientFallback: Recipient = { role: 'team_supervisor', channel: 'email' };

function resolveRecipients(recipients: readonly Recipient[], ticket: SlaTicket): ResolvedRecipient[] {
  const resolved = recipients.flatMap((r): ResolvedRecipient[] => {
    if ('address' in r) return [{ address: r.address, channel: r.channel }];
    if (r.role === 'assignee')
      return ticket.assignee ? [{ role: 'assignee', channel: r.channel, agentId: ticket.assignee }] : [];
    return [{ role: r.role, channel: r.channel, team: ticket.team }];
  });
  // Nobody to tell (an unassigned ticket's assignee): the team supervisor hears instead.
  if (resolved.length === 0 && recipients.length > 0) {
    return [{ role: 'team_supervisor', channel: recipientFallback.channel, team: ticket.team }];
  }
  return resolved;
}

const rank = (p: SlaPriority) => slaPriorities.indexOf(p);

function toActions(item: Scheduled, input: SlaClockInput, nowMs: number): SlaAction[] {
  const { view } = item;
  const base = {
    key: item.key,
    target: view.cycle.target,
    cycle: view.cycle.cycle,
    scheduledAt: iso(item.at),
    dueAt: iso(view.due ?? item.at),
  };
  const { ticket } = input;
  switch (item.kind) {
    case 'warning':
      return [
        {
          ...base,
          kind: 'warning',
          percent: item.percent ?? 0,
          remainingMinutes: minutes(view.cycle.targetMs - elapsed(input.calendar, view.spans, nowMs)),
          recipients: resolveRecipients(input.policy.warningRecipients, ticket),
        },
      ];
    case 'breach':
      return [{ ...base, kind: 'breach' }];
    case 'escalation': {
      const level = item.level!;
      const actions: SlaAction[] = [
        {
          ...base,
          kind: 'escalation',
          level: level.level,
          overdueMinutes: minutes(nowMs - (view.due ?? item.at)),
          recipients: resolveRecipients(level.notify, ticket),
        },
      ];
      if (level.raisePriorityTo && rank(level.raisePriorityTo) > rank(ticket.priority)) {
        actions.push({
          ...base,
          key: `${item.key}:raise_priority`,
          kind: 'raise_priority',
          level: level.level,
          from: ticket.priority,
          to: level.raisePriorityTo,
        });
      }
      const move = level.reassignTo;
      if (move) {
        const team = move.team ?? ticket.team;
        const assignee = move.assignee !== undefined ? move.assignee : move.team ? null : ticket.assignee;
        if (team !== ticket.team || assignee !== ticket.assignee) {
          actions.push({
            ...base,
            key: `${item.key}:reassign`,
            kind: 'reassign',
            level: level.level,
            team,
            assignee,
          });
        }
      }
      return actions;
    }
  }
}

/**
 * The actions due at `now` that are not in `alreadySent` (keys), and the checkpoint after them.
 * Idempotent: with the returned keys added to `alreadySent`, a second call at the same instant returns
 * no actions. An escalation level yields its notification and, when they change anything, its
 * priority raise and reassignment, each with its own key.
 */
export function evaluate(input: SlaClockInput, now: Date, alreadySent: Iterable<string>): Evaluation {
  const nowMs = toMs(now);
  const computed = compute(input, nowMs);
  const sent = new Set(alreadySent);
  const items = schedule(input, computed);
  const todo = pending(items, nowMs, sent);
  const due = todo.filter((i) => i.at <= nowMs);
  const actions = due.flatMap((i) => toActions(i, input, nowMs));
  for (const i of due) sent.add(i.key);
  return {
    actions,
    next: checkpointOf(pending(items, nowMs, sent), nowMs),
    snapshot: computed.snapshot,
  };
}
