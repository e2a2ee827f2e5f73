import type { Logger } from '#shared/domain/ports.ts';
import type { OutboxDispatcher } from '#shared/reactions/dispatcher.ts';
import { periodicJob } from './periodic-job.ts';
import type { VirtualClock } from './virtual-clock.ts';

/** How often the sweep looks, in virtual time (reactions back off by 30 s and more). */
const everyVirtualMs = 15_000;
/** Never more often than this in real time, however fast the virtual clock runs. */
const minWallMs = 250;

export interface LocalOutboxRetry {
  /** Runs one sweep now (after the one in progress, if any). */
  runNow(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The `outbox-retry` function's schedule, in process: every 15 virtual seconds (at most four times a
 * real second), the outbox records whose failed reactions are due again, one sweep at a time.
 */
export function localOutboxRetry(input: {
  dispatcher: Pick<OutboxDispatcher, 'retryDue'>;
  clock: VirtualClock;
  logger: Logger;
}): LocalOutboxRetry {
  const { runNow, stop } = periodicJob({
    clock: input.clock,
    everyVirtualMs,
    minWallMs,
    run: () =>
      input.dispatcher.retryDue().catch((error: unknown) => {
        input.logger.error('outbox.retry_failed', {
          error: error instanceof Error ? error.message : String(error),
        });
        return 0;
      }),
  });
  return { runNow, stop };
}
