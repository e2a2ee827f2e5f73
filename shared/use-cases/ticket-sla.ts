import type { AuditEvent } from '../domain/audit/audit-event.ts';
import { businessMsBetween } from '../domain/sla/calendar.ts';
import { computeSla } from '../domain/sla/sla-clock.ts';
import {
  clockInputOf,
  type SlaConfiguration,
  sentKeysOf,
  slaStateOf,
  timelineOf,
} from '../domain/sla/ticket-mapping.ts';
import { planTimer, type TimerPlan, timerView } from '../domain/sla/timer.ts';
import type { SlaConfig } from '../domain/sla/timer-steps.ts';
import type { SlaState, Ticket } from '../domain/ticket/ticket.entity.ts';
import type { TimerEffect } from '../domain/ticket/ticket-change.ts';
import type { TicketDeps } from './deps.ts';

/** What computing a ticket's SLA needs: the configured policies and calendars. */
export interface TicketSlaDeps {
  config: SlaConfig;
}

/** The SLA side of one ticket change: the `sla` field to store, and what to do with the timer after commit. */
export interface SlaUpdate {
  state: SlaState;
  plan: TimerPlan;
  /** The timer version after the change (the new one on start/restart). */
  version: number | null;
  /** The version that was running before, which a restart or stop ends. */
  previousVersion: number | null;
  /** From the timer itself: deadlines moved, so its next checkpoint must be computed afresh. */
  reload: boolean;
  /** The next checkpoint after the change (what a started timer waits for first), or null. */
  checkpointAt: string | null;
}

type SlaChangeDeps = Pick<TicketDeps, 'tickets'> & { sla: TicketSlaDeps };

const loadConfig = async (sla: TicketSlaDeps): Promise<SlaConfiguration> => sla.config.load();

/**
 * The SLA of a ticket being created: the policy it falls under, every target's due time, and whether a
 * timer must start (it must whenever a policy sets a target).
 */
export async function slaOnCreate(
  ticket: Ticket,
  audit: readonly AuditEvent[],
  sla: TicketSlaDeps,
  now: Date,
): Promise<SlaUpdate> {
  const config = await loadConfig(sla);
  const input = clockInputOf(ticket, timelineOf(audit), config);
  const view = timerView(input, now, sentKeysOf(audit));
  const plan = planTimer(false, null, view);
  const version = plan === 'start' ? ticket.version : null;
  return {
    state: slaStateOf(input && computeSla(input, now), version),
    plan,
    version,
    previousVersion: null,
    reload: false,
    checkpointAt: view.checkpointAt,
  };
}

/**
 * The SLA of a ticket after a change (a reply, pending, resume, resolve, reopen, a new priority or
 * tier, a reassignment, a timer action), from its history plus the change's own audit events.
 *
 * 1. Map both versions of the ticket and their timelines onto the SLA clock, under the policy each selects.
 * 2. Ask `planTimer` whether the running timer still waits for the right instant (`keep`), must give way
 *    to a new version (`restart`: the new ticket version is the new timer version), start or stop.
 * 3. Return the `sla` field to store with the change.
 */
export async function slaOnChange(
  current: Ticket,
  next: Ticket,
  audit: readonly AuditEvent[],
  deps: SlaChangeDeps,
  now: Date,
  options: { history?: readonly AuditEvent[]; fromTimer?: boolean; restoreTimer?: boolean } = {},
): Promise<SlaUpdate> {
  const [config, history] = await Promise.all([
    loadConfig(deps.sla),
    options.history ?? deps.tickets.history(current.id),
  ]);
  const after = [...history, ...audit];
  const beforeInput = clockInputOf(current, timelineOf(history), config);
  const afterInput = clockInputOf(next, timelineOf(after), config);
  const beforeView = timerView(beforeInput, now, sentKeysOf(history));
  const afterView = timerView(afterInput, now, sentKeysOf(after));
  const previousVersion = current.sla.timerVersion ?? null;
  // A timer has work as long as its ticket had a checkpoint ahead; once it had none, it has ended itself.
  const running =
    options.fromTimer === true || (previousVersion !== null && beforeView.checkpointAt !== null);
  // The reconciler's restore: whatever was running is gone; start the next version if there is work.
  const plan: TimerPlan = options.restoreTimer
    ? afterView.checkpointAt === null
      ? 'none'
      : previousVersion !== null
        ? 'restart'
        : 'start'
    : planTimer(running, beforeView, afterView);

  if (options.fromTimer) {
    return {
      state: slaStateOf(afterInput && computeSla(afterInput, now), previousVersion),
      plan: 'keep',
      version: previousVersion,
      previousVersion,
      reload: plan === 'restart' || plan === 'stop',
      checkpointAt: afterView.checkpointAt,
    };
  }
  const version = plan === 'start' || plan === 'restart' ? next.version : previousVersion;
  return {
    state: slaStateOf(afterInput && computeSla(afterInput, now), version),
    plan,
    version,
    previousVersion,
    reload: false,
    checkpointAt: afterView.checkpointAt,
  };
}

/** What the SLA timer must do after the change, for its outbox record (null: nothing). */
export function timerEffectOf(update: SlaUpdate): TimerEffect | null {
  if (update.plan === 'keep' || update.plan === 'none') return null;
  return {
    plan: update.plan,
    version: update.version,
    previousVersion: update.previousVersion,
    ...(update.plan === 'stop' ? {} : { checkpointAt: update.checkpointAt }),
  };
}

const twoDecimals = (minutes: number) => Math.round(minutes * 100) / 100;

/**
 * The ticket with its `sla` as of `now`: a running clock's remaining time counts down (in its
 * calendar's business minutes) and a clock past its deadline shows as breached, without a write. The
 * stored `sla` is as of the ticket's last change or timer action (`computedAt`).
 */
export async function presentSla(ticket: Ticket, sla: TicketSlaDeps | undefined, now: Date): Promise<Ticket> {
  const targets = ticket.sla.targets;
  if (!sla || !targets?.some((t) => t.state === 'running')) return ticket;
  const config = await loadConfig(sla);
  const calendar = config.calendars.find((c) => c.id === ticket.sla.calendar);
  if (!calendar) return ticket;
  const nowMs = now.getTime();
  const breaches = [...(ticket.sla.breaches ?? [])];
  const live = targets.map((t) => {
    if (t.state !== 'running' || t.dueAt === null) return t;
    const due = Date.parse(t.dueAt);
    if (due > nowMs)
      return { ...t, remainingMinutes: twoDecimals(businessMsBetween(calendar, nowMs, due) / 60_000) };
    if (!breaches.some((b) => b.target === t.target && b.cycle === t.cycle)) {
      breaches.push({ target: t.target, cycle: t.cycle, at: t.dueAt });
    }
    return {
      ...t,
      state: 'breached' as const,
      breachedAt: t.dueAt,
      remainingMinutes: twoDecimals(-businessMsBetween(calendar, due, nowMs) / 60_000),
    };
  });
  breaches.sort((a, b) => a.at.localeCompare(b.at));
  return {
    ...ticket,
    sla: {
      ...ticket.sla,
      targets: live,
      breaches,
      breached: [...new Set([...ticket.sla.breached, ...breaches.map((b) => b.target)])],
      computedAt: now.toISOString(),
    },
  };
}
