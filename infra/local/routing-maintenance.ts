import type { Logger } from '#shared/domain/ports.ts';
import type { TicketDeps } from '#shared/use-cases/deps.ts';
import {
  type MaintenanceReport,
  maintainRouting,
  maintenanceDefaults,
} from '#shared/use-cases/routing-maintenance.ts';
import { type PeriodicJob, periodicJob } from './periodic-job.ts';
import type { VirtualClock } from './virtual-clock.ts';

/** As in AWS, where a schedule rule runs it every minute. */
const everyVirtualMs = 60_000;
/** Under a large time scale a virtual minute is a few real milliseconds: never more often than this. */
const minWallMs = 1000;
/** Real time a ticket write may take after its claim, however fast the virtual clock runs. */
const minWallGraceMs = 30_000;

export interface LocalRoutingMaintenance extends PeriodicJob<MaintenanceReport> {
  /** The grace period handed to the reconciler, in virtual milliseconds. */
  readonly graceMs: number;
}

/**
 * The routing maintenance of `functions/routing-sweep`, run in process every virtual minute of the
 * runtime's clock (but at most once a real second), one run at a time. The reconciler's grace period
 * is five virtual minutes or 30 real seconds, whichever is longer: under `--time-scale 600` five
 * virtual minutes pass in half a second, less than a ticket write may take on DynamoDB Local.
 */
export function localRoutingMaintenance(options: {
  deps: TicketDeps;
  clock: VirtualClock;
  logger: Logger;
}): LocalRoutingMaintenance {
  const { deps, clock } = options;
  const graceMs = Math.max(maintenanceDefaults.graceMs, minWallGraceMs * clock.timeScale);
  const job = periodicJob({
    clock,
    everyVirtualMs,
    minWallMs,
    run: (shouldStop) =>
      maintainRouting(deps, { graceMs, shouldStop }).catch((error: unknown): MaintenanceReport => {
        // maintainRouting logs and reports its own failures; this is only for the unexpected.
        options.logger.error('routing.maintenance_failed', {
          error: error instanceof Error ? error.message : String(error),
        });
        return {
          reconcile: null,
          unrouted: null,
          sweep: null,
          failed: ['reconcile', 'unrouted', 'sweep'],
          durationMs: 0,
        };
      }),
  });
  return { ...job, graceMs };
}
