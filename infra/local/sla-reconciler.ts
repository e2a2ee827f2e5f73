import type { Logger } from '#shared/domain/ports.ts';
import {
  reconcileSlaTimers,
  type SlaReconcileDeps,
  type SlaReconcileReport,
  slaReconcileDefaults,
} from '#shared/use-cases/sla-timer-health.ts';
import { transitionsOf } from '#workflows/sla-timer.local.ts';
import { json } from './dev-routes.ts';
import type { GatewayRoute } from './http-gateway.ts';
import { type PeriodicJob, periodicJob } from './periodic-job.ts';
import type { LocalSla } from './sla-runtime.ts';
import type { VirtualClock } from './virtual-clock.ts';

/** As in AWS, where a schedule rule runs it every 15 minutes. */
const everyVirtualMs = 15 * 60_000;
/** Under a large time scale 15 virtual minutes are milliseconds: never more often than this. */
const minWallMs = 5000;
/** Real time the dispatcher may take to start a committed change's timer, however fast the clock runs. */
const minWallGraceMs = 2000;

export interface LocalSlaReconciler extends PeriodicJob<SlaReconcileReport> {
  /** The grace period handed to the reconciler, in virtual milliseconds. */
  readonly graceMs: number;
}

/**
 * The SLA timer reconciler of `functions/sla-reconcile`, run in process every 15 virtual minutes (at
 * most every 5 real seconds), one run at a time. Its grace period is ten virtual minutes or two real
 * seconds, whichever is longer: locally the dispatcher starts a timer milliseconds after the commit.
 */
export function localSlaReconciler(options: {
  deps: SlaReconcileDeps;
  clock: VirtualClock;
  logger: Logger;
}): LocalSlaReconciler {
  const { clock } = options;
  const graceMs = Math.max(slaReconcileDefaults.graceMs, minWallGraceMs * clock.timeScale);
  const job = periodicJob({
    clock,
    everyVirtualMs,
    minWallMs,
    run: (shouldStop) =>
      reconcileSlaTimers(options.deps, { graceMs, shouldStop }).catch((error: unknown) => {
        options.logger.error('sla.reconcile_failed', {
          error: error instanceof Error ? error.message : String(error),
        });
        throw error;
      }),
  });
  return { ...job, graceMs };
}

/**
 * `GET /dev/timers?ticket=<id>`: the SLA timer's executions (all, or one ticket's) with their status and
 * state transitions; `DELETE /dev/timers/{ticketId}`: ends the ticket's running execution as if an
 * operator deleted it (the reconciler's test and a way to try it by hand).
 */
export function timerRoutes(sla: () => LocalSla | undefined): GatewayRoute[] {
  return [
    {
      method: 'GET',
      path: '/dev/timers',
      name: 'dev-timers',
      invoke: async (event) => {
        const key = event.queryStringParameters?.ticket;
        const executions = (sla()?.timer.executions ?? []).filter((e) => !key || e.key === key);
        return json(200, {
          executions: executions.map((e) => ({
            name: e.name,
            ticketId: e.key,
            version: e.version,
            status: e.status,
            transitions: transitionsOf(e),
          })),
        });
      },
    },
    {
      method: 'DELETE',
      path: '/dev/timers/{ticketId}',
      name: 'dev-delete-timer',
      invoke: async (event) => {
        const ticketId = event.pathParameters?.ticketId ?? '';
        const timer = sla()?.timer;
        const execution = timer?.running(ticketId);
        if (!timer || !execution) {
          return json(404, {
            error: { code: 'DEV.TIMER_NOT_RUNNING', message: `No SLA timer runs for ticket ${ticketId}` },
          });
        }
        await timer.stop(ticketId);
        return json(200, { stopped: execution.name });
      },
    },
  ];
}
