import { slaCheckpointHandler } from '#functions/sla-checkpoint/task.ts';
import { slaEvaluateHandler } from '#functions/sla-evaluate/task.ts';
import { slaTimerDegradedHandler } from '#functions/sla-timer-degraded/task.ts';
import type { Logger } from '#shared/domain/ports.ts';
import type { TimerWall } from '#shared/domain/sla/timer.ts';
import type { SlaTimerDeps } from '#shared/domain/sla/timer-steps.ts';
import { activeStatuses } from '#shared/domain/ticket/lifecycle.ts';
import type { TicketStore } from '#shared/domain/ticket/ticket.store.ts';
import type { TicketDeps } from '#shared/use-cases/deps.ts';
import { type LocalSlaTimer, localSlaTimer } from '#workflows/sla-timer.local.ts';
import type { AslDefinition } from '#workflows/sla-timer.ts';
import type { VirtualClock } from './virtual-clock.ts';

/**
 * The longest real time one local Wait lasts. Node timers overflow after ~24.8 days (TOOLCHAIN.md), and a
 * checkpoint can be weeks away at time scale 1; the timer then wakes early, finds nothing due (evaluation
 * is idempotent) and waits again. An hour keeps the wake-ups rare and the overflow far away.
 */
export const maxLocalWaitMs = 60 * 60 * 1000;

/** The failure back-off of the definition (5 minutes of SLA time), in real ms at this time scale. */
const backoffMs = (timeScale: number) => Math.max(10, Math.round((5 * 60_000) / timeScale));

/** Waits end at the wall instant the virtual clock maps each checkpoint to, clamped to `maxLocalWaitMs`. */
export const localWall = (clock: VirtualClock): TimerWall => ({
  toWall: (at) => new Date(Math.min(clock.toWall(at).getTime(), Date.now() + maxLocalWaitMs)),
  waitPrecisionMs: 1,
});

export interface LocalSla {
  timer: LocalSlaTimer;
  /** `sla.timer_failed` alerts the definition's AlertTimerFailure state raised. */
  alerts: unknown[];
  /** Restarts the timers of active tickets (timers live in memory and do not survive a restart). */
  resume(): Promise<number>;
  /** Aborts every execution and waits (briefly) for the steps in flight. */
  stop(): Promise<void>;
}

/**
 * The SLA timer in the local runtime: the CDK-synthesized definition on aws-local-stepfunctions, its two
 * task states bound to the Lambda handlers' factories over the deps the same wirings build (tickets and
 * config in DynamoDB Local; messages follow through the outbox), so the timer is what
 * `platform.stateMachine()` starts and stops.
 */
export function localSla(options: {
  tickets: TicketStore;
  clock: VirtualClock;
  logger: Logger;
  definition: AslDefinition;
  steps: { checkpoint: SlaTimerDeps; evaluate: SlaTimerDeps; degraded: TicketDeps };
}): LocalSla {
  const { clock } = options;
  const alerts: unknown[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const track =
    <T>(run: (input: unknown) => Promise<T>) =>
    (input: unknown): Promise<T> => {
      const call = run(input);
      inFlight.add(call);
      void call.catch(() => {}).finally(() => inFlight.delete(call));
      return call;
    };

  const timer = localSlaTimer({
    definition: options.definition,
    wall: localWall(clock),
    handlers: {
      checkpoint: track(slaCheckpointHandler(options.steps.checkpoint)),
      evaluate: track(slaEvaluateHandler(options.steps.evaluate)),
      alert: track(async (input) => {
        alerts.push(input);
        options.logger.error('sla.timer_failed', { alert: input });
        return {};
      }),
      degraded: track(slaTimerDegradedHandler(options.steps.degraded)),
    },
    waitMs: { backoff: backoffMs(clock.timeScale) },
  });

  return {
    timer,
    alerts,
    async resume() {
      let started = 0;
      for (const status of activeStatuses) {
        let cursor: string | undefined;
        do {
          const page = await options.tickets.list({ status }, { limit: 100, ...(cursor ? { cursor } : {}) });
          for (const ticket of page.items) {
            const version = ticket.sla.timerVersion;
            if (version === null || version === undefined || timer.running(ticket.id)) continue;
            // The steps end it at once if there is nothing left to wait for (paused, every level sent).
            await timer.start(ticket.id, version, { ticketId: ticket.id, version });
            started++;
          }
          cursor = page.cursor;
        } while (cursor);
      }
      return started;
    },
    async stop() {
      for (const execution of timer.executions) {
        if (execution.status === 'running') await timer.stop(execution.key);
      }
      // Steps already running finish their DynamoDB calls before DynamoDB Local goes away.
      await Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise((r) => setTimeout(r, 2000).unref()),
      ]);
    },
  };
}
