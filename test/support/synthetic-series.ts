import { type BucketCounts, bucketMs, weekBuckets } from '#shared/domain/analytics/spikes.ts';

/**
 * Synthetic ticket-count series for the spike detector's tests and bench: a weekly rhythm (weekdays over
 * weekends), a daily one (business hours in Asia/Shanghai over nights), day-to-day noise (each day of each
 * series multiplied by a level that drifts from day to day, so the counts are over-dispersed like real ones), Poisson counts per
 * 15-minute bucket; optionally a spike (the rate × factor over a span).
 */

/** mulberry32: a small seeded generator (deterministic per seed). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function poisson(mean: number, random: () => number): number {
  if (mean <= 0) return 0;
  if (mean > 50) {
    // Normal approximation for large means (not reached by the bench's bucket rates).
    const u = 1 - random();
    const v = random();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
  }
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

/** Gamma(shape, scale 1/shape): mean 1, variance 1/shape (Marsaglia–Tsang). */
export function gammaMeanOne(shape: number, random: () => number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      const u = 1 - random();
      x = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v)))
      return (d * v) / shape;
  }
}

/** Relative rate by Beijing hour of day (mean 1 over the day). */
const hourly = [
  0.15, 0.1, 0.1, 0.1, 0.1, 0.15, 0.3, 0.6, 1.2, 1.8, 1.9, 1.8, 1.4, 1.6, 1.8, 1.7, 1.6, 1.5, 1.2, 1, 0.9,
  0.7, 0.5, 0.3,
];
const hourlyMean = hourly.reduce((a, b) => a + b, 0) / 24;

/** The expected tickets in one bucket for a series averaging `perHour` (weekdays 1.15, weekends 0.6). */
export function bucketRate(perHour: number, bucket: number): number {
  const ms = bucket * bucketMs + 8 * 3_600_000;
  const d = new Date(ms);
  const weekday = d.getUTCDay();
  const week = weekday === 0 || weekday === 6 ? 0.6 : 1.16;
  return (perHour / 4) * week * ((hourly[d.getUTCHours()] as number) / hourlyMean);
}

export interface SyntheticSeries {
  counts: Uint16Array;
  /** The first bucket of `counts`. */
  start: number;
  lookup: BucketCounts;
}

export interface SpikePlan {
  startBucket: number;
  buckets: number;
  factor: number;
}

/** One series over `[start, start + length)` buckets. `dayNoise`: the coefficient of variation of the day factor. */
export function syntheticSeries(options: {
  perHour: number;
  start: number;
  length: number;
  random: () => number;
  dayNoise?: number;
  spike?: SpikePlan;
}): SyntheticSeries {
  const { start, length, random, perHour, spike } = options;
  const cv = options.dayNoise ?? 0.2;
  const counts = new Uint16Array(length);
  let day = Number.NaN;
  let dayFactor = 1;
  let logLevel = Number.NaN;
  for (let i = 0; i < length; i++) {
    const bucket = start + i;
    const d = Math.floor((bucket * bucketMs + 8 * 3_600_000) / 86_400_000);
    if (d !== day) {
      day = d;
      // The level drifts from day to day (log AR(1), ρ 0.8, stationary CV `cv`): busy days come in runs.
      const innovation = cv > 0 ? Math.log(gammaMeanOne(1 / (cv * cv * (1 - 0.64)), random)) : 0;
      logLevel = Number.isNaN(logLevel) ? innovation / 0.6 : 0.8 * logLevel + innovation;
      dayFactor = Math.exp(logLevel);
    }
    let rate = bucketRate(perHour, bucket) * dayFactor;
    if (spike && bucket >= spike.startBucket && bucket < spike.startBucket + spike.buckets)
      rate *= spike.factor;
    counts[i] = poisson(rate, random);
  }
  return {
    counts,
    start,
    lookup: {
      get: (b) => (b >= start && b < start + length ? counts[b - start] : undefined),
    },
  };
}

/** A Monday 00:00 Beijing time, as a bucket index (2026-11-02 00:00 +08:00). */
export const mondayBucket = Date.parse('2026-11-01T16:00:00Z') / bucketMs;
export { weekBuckets };
