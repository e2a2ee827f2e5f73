import type { Context } from 'aws-lambda';
import {
  reconcileSlaTimers,
  type SlaReconcileDeps,
  type SlaReconcileReport,
} from '#shared/use-cases/sla-timer-health.ts';

/** Time left when a run stops reading whole tickets (a restore is a few reads and one write). */
const reserveMs = 20_000;

/**
 * Target of the 15-minute schedule: one reconciler run (restart SLA timers that are missing or gave
 * up). Tickets it could not restore fail the invocation, so they show in the function's error metric;
 * the next run is the retry.
 */
export function slaReconcileHandler(deps: SlaReconcileDeps) {
  return async (
    _event: unknown,
    context?: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<SlaReconcileReport> => {
    const report = await reconcileSlaTimers(deps, {
      ...(context ? { shouldStop: () => context.getRemainingTimeInMillis() < reserveMs } : {}),
    });
    if (report.failed.length) throw new Error(`SLA timers not restored: ${report.failed.length}`);
    return report;
  };
}
