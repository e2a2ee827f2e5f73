import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '#shared/domain/ports.ts';
import { defaultBreakerPolicy } from '#shared/domain/webhooks-out/circuit-breaker.ts';
import type { SubscriptionSecrets } from '#shared/domain/webhooks-out/webhooks-out.ports.ts';
import { deliverDue, fanOut, type WebhooksOutDeps } from '#shared/use-cases/webhook-deliveries.ts';
import type { LocalRule } from './event-bus.ts';
import { type PeriodicJob, periodicJob } from './periodic-job.ts';
import type { VirtualClock } from './virtual-clock.ts';

/**
 * The local secret store for outbound webhooks: `<data dir>/webhooks/outbound-secrets.json`, readable
 * by the runtime's user only (0600, in a 0700 folder), as the inbound webhooks' secrets are kept. The
 * table holds the key (`local:<uuid>`) and a hint; a subscription saved again gets a new key.
 */
export function localSubscriptionSecrets(dataDir: string): SubscriptionSecrets {
  const dir = join(dataDir, 'webhooks');
  const file = join(dir, 'outbound-secrets.json');
  const read = (): Record<string, string> =>
    existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  const write = (all: Record<string, string>) => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(`${file}.tmp`, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  };
  return {
    async put(_subscription, secret) {
      const ref = `local:${randomUUID()}`;
      write({ ...read(), [ref]: secret });
      return ref;
    },
    async get(ref) {
      const value = read()[ref];
      if (value === undefined) throw new Error(`No local secret ${ref}`);
      return value;
    },
    async delete(ref) {
      const all = read();
      delete all[ref];
      write(all);
    },
  };
}

/**
 * The deliveries' lease and the breaker's probe hold under the virtual clock: an attempt takes up to the timeout in real time, which
 * is `timeScale` times longer on the clock the lease is written in.
 */
export function localWebhooksOut(deps: WebhooksOutDeps, timeScale: number): WebhooksOutDeps {
  const policy = deps.breaker ?? defaultBreakerPolicy;
  return {
    ...deps,
    leaseMs: Math.ceil((deps.timeoutMs * 2 + 5_000) * timeScale) + 60_000,
    // Likewise the half-open probe's hold: a probe still under way is not presumed lost (at 3600×, the
    // minute it holds in AWS is 17 real ms, less than one attempt, and a second probe went beside it).
    breaker: { ...policy, probeHoldMs: Math.max(policy.probeHoldMs, Math.ceil(deps.timeoutMs * timeScale)) },
  };
}

/**
 * What the stack's rule (bus → queue → `webhooks-out`) does, in process: every event with source
 * `gongdan` is fanned out to the subscriptions it matches, and each new delivery tried at once;
 * `scheduled` then learns of any retry that attempt set.
 */
export function webhooksOutRule(deps: WebhooksOutDeps, scheduled: () => void): LocalRule {
  return {
    name: 'webhooks-out',
    pattern: { source: ['gongdan'] },
    async target(event) {
      const { created } = await fanOut(event, deps);
      if (created.length) scheduled();
    },
  };
}

export interface LocalWebhookRetries extends PeriodicJob<unknown> {
  /** Looks again for the earliest due delivery and wakes up for it. */
  poke(): void;
}

/**
 * The retry schedule (`rate(1 minute)` in AWS): due deliveries every 20 virtual seconds (at most every
 * 100 ms of real time), and besides, a wake-up at the earliest delivery's due time, so back-off waits are
 * kept to the virtual second at any time scale (at 3600×, 30 s is 8 ms).
 */
export function localWebhookRetries(input: {
  deps: WebhooksOutDeps;
  clock: VirtualClock;
  logger: Logger;
}): LocalWebhookRetries {
  const { deps, clock, logger } = input;
  let stopped = false;
  let wake: NodeJS.Timeout | undefined;
  let arming: Promise<void> = Promise.resolve();
  const arm = () => {
    arming = arming
      .then(async () => {
        if (stopped) return;
        const [next] = await deps.deliveries.due(new Date(8.64e15), 1);
        clearTimeout(wake);
        if (!next?.nextAttemptAt || stopped) return;
        wake = setTimeout(
          () => void job.runNow().catch(() => {}),
          clock.wallDelayUntil(new Date(next.nextAttemptAt)),
        );
        wake.unref();
      })
      .catch((error: unknown) => {
        logger.warn('webhooks_out.wakeup_failed', {
          error: error instanceof Error ? error.message : String(error),
        });
      });
  };
  const job = periodicJob({
    clock,
    everyVirtualMs: 20_000,
    minWallMs: 100,
    run: async (shouldStop) => {
      try {
        return await deliverDue(deps, { shouldStop });
      } catch (error) {
        logger.error('webhooks_out.retry_run_failed', {
          error: error instanceof Error ? error.message : String(error),
        });
        throw error;
      } finally {
        arm();
      }
    },
  });
  return {
    wallIntervalMs: job.wallIntervalMs,
    runNow: () => job.runNow(),
    poke: arm,
    async stop() {
      stopped = true;
      clearTimeout(wake);
      await job.stop();
      await arming;
    },
  };
}
