import type { VirtualClock } from './virtual-clock.ts';

export interface PeriodicJob<R> {
  /** Real milliseconds between runs. */
  readonly wallIntervalMs: number;
  /** Runs once now (after the run in progress, if any); settles as that run does. */
  runNow(): Promise<R>;
  /** No more runs; the one in progress is asked to stop (`shouldStop`) and awaited. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * A scheduled function of the stack (an EventBridge schedule in AWS) run in process: every
 * `everyVirtualMs` of the runtime's clock, but never more often than `minWallMs` of real time, one run
 * at a time (a run asked for meanwhile waits for the one in progress). A failed run does not stop the
 * schedule; `run` logs its own failures.
 */
export function periodicJob<R>(options: {
  clock: VirtualClock;
  everyVirtualMs: number;
  minWallMs: number;
  run: (shouldStop: () => boolean) => Promise<R>;
}): PeriodicJob<R> {
  const { clock } = options;
  const wallIntervalMs = Math.max(
    options.minWallMs,
    clock.wallDelayUntil(new Date(clock.now().getTime() + options.everyVirtualMs)),
  );
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  const runNow = () => {
    const next = running.then(() => options.run(() => stopped));
    running = next.catch(() => {});
    return next;
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void runNow()
        .catch(() => {})
        .finally(schedule);
    }, wallIntervalMs);
    timer.unref();
  };
  schedule();

  return {
    wallIntervalMs,
    runNow,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
