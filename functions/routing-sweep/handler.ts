import type { Context, ScheduledEvent } from 'aws-lambda';
import { lambda, ticketDeps } from '#shared/runtime/lambda.ts';
import type { TicketDeps } from '#shared/use-cases/deps.ts';
import { type MaintenanceReport, maintainRouting } from '#shared/use-cases/routing-maintenance.ts';

/** Time left for the ticket in progress when the run stops taking new work (a route is a few writes). */
const reserveMs = 15_000;

/**
 * Target of the every-minute schedule: one routing maintenance run (reconcile claims, route tickets
 * left without a team, sweep queues), stopping early when the invocation's time runs low. A part that
 * failed fails the invocation, so it shows in the function's error metric; the next minute's run is
 * the retry.
 */
export function routingSweepHandler(deps: TicketDeps) {
  return async (_event: ScheduledEvent, context: Pick<Context, 'getRemainingTimeInMillis'>) => {
    const report: MaintenanceReport = await maintainRouting(deps, {
      shouldStop: () => context.getRemainingTimeInMillis() < reserveMs,
    });
    if (report.failed.length) throw new Error(`Routing maintenance failed: ${report.failed.join(', ')}`);
  };
}

export const handler = lambda(routingSweepHandler(ticketDeps()), (event: ScheduledEvent) => event.id);
