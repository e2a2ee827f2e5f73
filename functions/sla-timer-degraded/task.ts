import * as z from 'zod';
import type { TicketDeps } from '#shared/use-cases/deps.ts';
import { recordSlaTimerDegraded } from '#shared/use-cases/sla-timer-health.ts';

const Request = z.object({
  ticketId: z.string().min(1).max(200),
  version: z.number().int().nonnegative(),
  failure: z.object({ error: z.string().max(1000), cause: z.string().max(20_000) }),
});

/**
 * The SLA timer's RecordTimerDegraded task (`{ticketId, version, failure}` in): the timer gave up, so the
 * ticket shows it and `sla.timer_degraded` goes out. Bound by the Lambda (handler.ts) and the local runtime.
 */
export function slaTimerDegradedHandler(deps: TicketDeps) {
  return async (event: unknown) => recordSlaTimerDegraded(Request.parse(event), deps);
}
