import { systemActor } from '../domain/actor.ts';
import { auditEvent } from '../domain/audit/audit-event.ts';
import { isNotFound } from '../domain/errors.ts';
import { slaExecutionName, type WorkflowStarter } from '../domain/sla/timer.ts';
import { computeCheckpoint, type SlaTimerDeps } from '../domain/sla/timer-steps.ts';
import { type Ticket, touch } from '../domain/ticket/ticket.entity.ts';
import type { DueTicket, DueTicketQuery, Page } from '../domain/ticket/ticket.store.ts';
import { makeEvent } from '../events/catalogue.ts';
import { changeTicketIf, eventBase } from './change-ticket.ts';
import type { TicketDeps } from './deps.ts';

/** What the SLA timer's RecordTimerDegraded state is invoked with. */
export interface TimerDegradedRequest {
  ticketId: string;
  version: number;
  failure: { error: string; cause: string };
}

/**
 * RecordTimerDegraded: the ticket's SLA timer gave up after repeated failed steps. The ticket shows it
 * (`slaTimerDegraded`), its history says so, and `sla.timer_degraded` tells the operators; the timer's
 * execution then fails, and the reconciler restarts it once the fault has cleared. A stale execution
 * (another timer version is the ticket's) records nothing. Written as the timer's own change, so it
 * starts no timer itself.
 */
export async function recordSlaTimerDegraded(
  request: TimerDegradedRequest,
  deps: TicketDeps,
): Promise<{ recorded: boolean }> {
  const error = `${request.failure.error}: ${request.failure.cause}`.slice(0, 500);
  const committed = await changeTicketIf(
    request.ticketId,
    systemActor(),
    undefined,
    deps,
    (current, now) => {
      if ((current.sla.timerVersion ?? null) !== request.version) return null;
      const ticket: Ticket = {
        ...touch(current, now),
        slaTimerDegraded: { at: now.toISOString(), version: request.version, error },
      };
      return {
        ticket,
        audit: [
          auditEvent(deps.ids.next(), ticket.id, 'sla.timer_degraded', systemActor(), now, ticket.version, {
            timerVersion: request.version,
            error,
          }),
        ],
        events: [
          makeEvent(deps.ids.next(), 'sla.timer_degraded', {
            ...eventBase(ticket),
            timerVersion: request.version,
            error,
          }),
        ],
      };
    },
    { fromTimer: true },
  ).catch((e: unknown) => {
    if (isNotFound(e)) return null;
    throw e;
  });
  if (committed) deps.metrics.count('SlaTimersDegraded');
  deps.logger.error('sla.timer_degraded', {
    ticketId: request.ticketId,
    version: request.version,
    recorded: committed !== null,
    error: request.failure.error,
  });
  return { recorded: committed !== null };
}

export interface SlaReconcileDeps extends TicketDeps {
  /** The SLA timer: which executions run now. */
  timers: Pick<WorkflowStarter, 'runningExecutions'>;
  /** ComputeCheckpoint's deps: whether a ticket still has a checkpoint to wait for. */
  checkpoint: SlaTimerDeps;
}

/** Active tickets with a running SLA, in due order (the sharded `byDue` index), every due time. */
const allDue = (cursor: string | undefined, budget: number): DueTicketQuery => ({
  before: '9999-12-31T23:59:59.999Z',
  budget,
  ...(cursor ? { cursor } : {}),
});

export interface SlaReconcileOptions {
  /**
   * A ticket changed this recently may have its timer's start still on the way (the reaction follows
   * the commit): left for the next run. @default 10 minutes
   */
  graceMs?: number;
  /** Most tickets one run reads. @default 5000 */
  budget?: number;
  /** Asked between tickets: a run that must end (the Lambda's time is short) stops early. */
  shouldStop?: () => boolean;
}

export interface SlaReconcileReport {
  /** Tickets read from the due index. */
  checked: number;
  /** Executions running when the run began. */
  running: number;
  /** Tickets whose timer was started again, with why. */
  restored: { ticketId: string; previousVersion: number | null; reason: 'missing' | 'degraded' }[];
  /** Tickets with no running timer and nothing left to wait for (every level sent): left alone. */
  idle: number;
  /** Left for the next run (changed within the grace period, or the run stopped). */
  deferred: number;
  /** Tickets the run could not restore (the error is logged; the next run tries again). */
  failed: string[];
  /** The due index had more than the budget: the rest waits for the next run. */
  truncated: boolean;
}

export const slaReconcileDefaults = { graceMs: 10 * 60_000, budget: 5000 } as const;

/**
 * The SLA timer reconciler (every 15 minutes in AWS; `POST /dev/jobs/sla-reconcile` locally): a ticket
 * whose timer is missing (its start was lost) or failed (it gave up, or its execution was deleted) gets
 * its timer back.
 *
 * 1. List the running executions (one call per thousand), then read the active tickets with a running
 *    SLA from the due index, up to the budget.
 * 2. For each whose timer version has no running execution — skipping those changed within the grace
 *    period — ask ComputeCheckpoint whether anything is left to wait for.
 * 3. If so, restart it through the one write path (`restoreTimer`: the next timer version, stopping the
 *    old one should it still run), with `sla.timer_restored` in its history and on the bus; the
 *    `slaTimerDegraded` mark is cleared. A ticket that changed meanwhile is left to its own timer.
 */
export async function reconcileSlaTimers(
  deps: SlaReconcileDeps,
  options: SlaReconcileOptions = {},
): Promise<SlaReconcileReport> {
  const graceMs = options.graceMs ?? slaReconcileDefaults.graceMs;
  const budget = options.budget ?? slaReconcileDefaults.budget;
  const running = await deps.timers.runningExecutions();
  const report: SlaReconcileReport = {
    checked: 0,
    running: running.size,
    restored: [],
    idle: 0,
    deferred: 0,
    failed: [],
    truncated: false,
  };
  const settledBefore = deps.clock.now().getTime() - graceMs;
  let cursor: string | undefined;
  do {
    const page: Page<DueTicket> = await deps.tickets.listDueTickets(
      allDue(cursor, Math.min(500, budget - report.checked)),
    );
    for (const due of page.items) {
      report.checked++;
      const version = due.timerVersion;
      if (version === null || running.has(slaExecutionName(due.id, version))) continue;
      try {
        // Only the few without a running timer are read whole.
        const ticket = options.shouldStop?.() ? null : await deps.tickets.get(due.id);
        if (!ticket || Date.parse(ticket.updatedAt) > settledBefore) {
          report.deferred++;
          continue;
        }
        const restored = await restore(ticket, version, deps);
        if (restored) report.restored.push(restored);
        else report.idle++;
      } catch (error) {
        report.failed.push(due.id);
        deps.logger.error('sla.reconcile_failed', {
          ticketId: due.id,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    cursor = page.cursor;
  } while (cursor && report.checked < budget);
  report.truncated = cursor !== undefined;
  if (report.restored.length > 0) deps.metrics.count('SlaTimersRestored', report.restored.length);
  deps.logger.info('sla.reconciled', {
    checked: report.checked,
    running: report.running,
    restored: report.restored.length,
    idle: report.idle,
    deferred: report.deferred,
    failed: report.failed.length,
    truncated: report.truncated,
  });
  return report;
}

async function restore(ticket: Ticket, version: number, deps: SlaReconcileDeps) {
  const step = await computeCheckpoint({ ticketId: ticket.id, version }, deps.checkpoint);
  if (step.done) return null;
  const reason = ticket.slaTimerDegraded ? ('degraded' as const) : ('missing' as const);
  const committed = await changeTicketIf(
    ticket.id,
    systemActor(),
    undefined,
    deps,
    (current, now) => {
      // Changed since it was read: that change planned its own timer.
      if ((current.sla.timerVersion ?? null) !== version) return null;
      const next: Ticket = { ...touch(current, now), slaTimerDegraded: null };
      return {
        ticket: next,
        audit: [
          auditEvent(deps.ids.next(), next.id, 'sla.timer_restored', systemActor(), now, next.version, {
            previousVersion: version,
            reason,
          }),
        ],
        // The restore starts the timer at this change's version (the write path's restart).
        events: [
          makeEvent(deps.ids.next(), 'sla.timer_restored', {
            ...eventBase(next),
            previousVersion: version,
            timerVersion: next.version,
            reason,
          }),
        ],
      };
    },
    { restoreTimer: true },
  );
  if (!committed) return null;
  deps.logger.info('sla.timer_restored', {
    ticketId: ticket.id,
    previousVersion: version,
    timerVersion: committed.sla.version,
    reason,
  });
  return { ticketId: ticket.id, previousVersion: version, reason };
}
