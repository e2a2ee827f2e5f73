import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { businessToday } from '#shared/domain/analytics/report-query.ts';
import type { Logger } from '#shared/domain/ports.ts';
import {
  type InsightJobDeps,
  runDigest,
  runForecasts,
  runSpikeDetection,
} from '#shared/use-cases/insights.ts';
import type { LocalJob } from './dev-routes.ts';
import { type PeriodicJob, periodicJob } from './periodic-job.ts';
import type { VirtualClock } from './virtual-clock.ts';

const minute = 60_000;

/**
 * The insight jobs of `functions/analytics-*`, run in process as EventBridge Scheduler runs them in AWS
 * (docs/analytics.md): spikes every 15 virtual minutes, forecasts daily, the digest on Mondays from 09:00
 * business time (checked every virtual hour; once a week, and once per address by its idempotency key). A scheduled
 * run skips while the data dir has no lake yet, so a runtime that never wrote one never loads DuckDB;
 * `POST /dev/jobs/{name}` runs one at once regardless.
 */
export function localInsightJobs(options: {
  deps: InsightJobDeps;
  dataDir: string;
  clock: VirtualClock;
  logger: Logger;
}): { jobs: LocalJob[]; stop(): Promise<void> } {
  const { deps, clock, logger } = options;
  const hasLake = () => existsSync(join(options.dataDir, 'lake'));
  const logged =
    <R>(name: string, run: () => Promise<R>) =>
    () =>
      run().catch((error: unknown) => {
        logger.error(`${name}.failed`, { error: error instanceof Error ? error.message : String(error) });
        throw error;
      });
  const spikes = logged('insight.spikes', () => runSpikeDetection(deps));
  const forecasts = logged('insight.forecast', () => runForecasts(deps));
  const digest = logged('insight.digest', () => runDigest(deps));
  const digestDue = () => {
    const now = clock.now();
    const today = businessToday(now);
    const monday = new Date(`${today}T00:00:00Z`).getUTCDay() === 1;
    const hour = Number(new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(11, 13));
    return monday && hour >= 9;
  };
  // A scheduled digest goes once per runtime and week (a restart may send it again; the outbox keeps one per key).
  let digestWeek: string | undefined;
  const scheduledDigest = async () => {
    const week = businessToday(clock.now());
    if (!hasLake() || !digestDue() || digestWeek === week) return null;
    digestWeek = week;
    return digest();
  };
  // At most every 5 real minutes: under a large time scale the jobs would otherwise load DuckDB and scan
  // the lake every few seconds in every runtime (tests run many).
  const minWallMs = 5 * minute;
  const schedules: PeriodicJob<unknown>[] = [
    periodicJob({
      clock,
      everyVirtualMs: 15 * minute,
      minWallMs,
      run: async () => (hasLake() ? spikes() : null),
    }),
    periodicJob({
      clock,
      everyVirtualMs: 24 * 60 * minute,
      minWallMs,
      run: async () => (hasLake() ? forecasts() : null),
    }),
    periodicJob({ clock, everyVirtualMs: 60 * minute, minWallMs, run: scheduledDigest }),
  ];
  return {
    jobs: [
      {
        name: 'analytics-spikes',
        function: 'analytics-spikes',
        schedule: 'every 15 minutes (every 15 virtual minutes locally, at most every 5 minutes)',
        description:
          'Finds ticket spikes per series against the seasonal baseline, stores them as insights, publishes insight.spike_detected and notifies the owners',
        run: spikes,
      },
      {
        name: 'analytics-forecast',
        function: 'analytics-forecast',
        schedule: 'daily (every virtual day locally, at most every 5 minutes)',
        description: "Computes and stores each team's 14-day ticket forecast with its backtest",
        run: forecasts,
      },
      {
        name: 'analytics-digest',
        function: 'analytics-digest',
        schedule: 'weekly, Monday 09:00 Asia/Shanghai',
        description: "E-mails the supervisors the last week's headline figures and insights",
        run: digest,
      },
    ],
    async stop() {
      await Promise.all(schedules.map((s) => s.stop()));
    },
  };
}
