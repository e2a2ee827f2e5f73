import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { slaCheckpointHandler } from '#functions/sla-checkpoint/handler.ts';
import { slaEvaluateHandler } from '#functions/sla-evaluate/handler.ts';
import { dynamoContactDirectory } from '#shared/adapters/dynamo/dynamo-contact-directory.ts';
import {
  cachedSlaConfigStore,
  dynamoSlaConfigStore,
} from '#shared/adapters/dynamo/dynamo-sla-config-store.ts';
import { activeStatuses } from '#shared/domain/ticket/lifecycle.ts';
import type { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import type { Notifier } from '#shared/notify/notifier.ts';
import type { TicketDeps } from '#shared/use-cases/deps.ts';
import { slaTimerDeps } from '#shared/use-cases/sla-actions.ts';
import type { TicketSlaDeps } from '#shared/use-cases/ticket-sla.ts';
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

export interface LocalSla {
  /** For `TicketDeps.sla`: the cached configuration store and the local timer. */
  ticketSla: TicketSlaDeps;
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
 * task states bound to the Lambda handlers' factories over the same adapters the Lambdas use (tickets and
 * config in DynamoDB Local), messages into the outbox. Waits end at the wall instant the virtual clock
 * maps each checkpoint to (`--time-scale`), clamped to `maxLocalWaitMs`.
 */
export function localSla(options: {
  deps: Omit<TicketDeps, 'sla'>;
  client: DynamoDBClient;
  tableName: string;
  clock: VirtualClock;
  notifier: Notifier;
  definition: AslDefinition;
  /** The base of the links in messages, e.g. `http://localhost:3000`. */
  baseUrl: () => string;
}): LocalSla {
  const { deps, clock } = options;
  const store = cachedSlaConfigStore(dynamoSlaConfigStore(options.client, options.tableName));
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

  // The timer is set below: the ticket deps the steps use must know it (a change they make plans it).
  const ticketSla: TicketSlaDeps = { config: store, store };
  const stepDeps = slaTimerDeps(
    {
      ...deps,
      sla: ticketSla,
      notifier: options.notifier,
      contacts: dynamoContactDirectory(options.client, options.tableName, { ttlMs: 5000 }),
      ticketLink: (ticket: Ticket) => `${options.baseUrl()}/tickets/${ticket.id}`,
    },
    {
      toWall: (at) => new Date(Math.min(clock.toWall(at).getTime(), Date.now() + maxLocalWaitMs)),
      waitPrecisionMs: 1,
    },
  );
  const timer = localSlaTimer({
    definition: options.definition,
    handlers: {
      checkpoint: track(slaCheckpointHandler(stepDeps)),
      evaluate: track(slaEvaluateHandler(stepDeps)),
      alert: track(async (input) => {
        alerts.push(input);
        deps.logger.error('sla.timer_failed', { alert: input });
        return {};
      }),
    },
    waitMs: { backoff: backoffMs(clock.timeScale) },
  });
  ticketSla.timers = timer;

  return {
    ticketSla,
    timer,
    alerts,
    async resume() {
      let started = 0;
      for (const status of activeStatuses) {
        let cursor: string | undefined;
        do {
          const page = await deps.tickets.list({ status }, { limit: 100, ...(cursor ? { cursor } : {}) });
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
        if (execution.status === 'running') await timer.stop(execution.ticketId);
      }
      // Steps already running finish their DynamoDB calls before DynamoDB Local goes away.
      await Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise((r) => setTimeout(r, 2000).unref()),
      ]);
    },
  };
}
