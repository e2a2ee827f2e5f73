import { betaBinomialUpperTail, negativeBinomialUpperTail } from './distributions.ts';

/**
 * Spike detection (docs/analytics.md, "Spikes"): every 15 minutes, for each series (intent or category ×
 * product × region, and each model number), the count of new tickets in the trailing windows (60 and
 * 120 minutes) is tested against a seasonal baseline: the same time of week in each of the previous
 * `weeks` weeks.
 *
 * - The test, with history: conditional on today's level. The window's count x and the count y of the
 *   `referenceBuckets` before it are compared with the same two spans in the previous weeks (A, B). Under
 *   "nothing unusual", x given x + y is binomial with the window's usual share of the two spans, so a
 *   busy day (every hour of it higher: real counts are over-dispersed day to day) cancels out, which a
 *   plain Poisson or negative binomial test against the baseline cannot do: they fire on busy days or,
 *   widened to tolerate them, miss real spikes. The share is itself estimated from the past weeks, so the
 *   p-value is the beta-binomial tail P(X ≥ x | n = x + y, A + ½, B + ½) — the predictive distribution
 *   with a Jeffreys prior — rather than the binomial one, which would be over-confident with few weeks.
 * - Without enough history (a new model, a new region): the negative binomial tail against the floor
 *   (`floorPerHour`, or a share of the series' own average), with the dispersion estimated from whatever
 *   history there is.
 * - Expected: the baseline shown to people is the median over the weeks of the window's count (the
 *   window widened by `neighbourhood` buckets each side and scaled back, to smooth sparse series), never
 *   below the floor; factor = count ÷ expected.
 * - Multiple testing: the aim is a false-alarm *rate* (at most about 1 per 1,000 series per week), a bound
 *   on the expected number of false alarms, not on their share among alarms. Bonferroni bounds exactly
 *   that expectation (E[false alarms] ≤ Σ α_i, whatever the dependence between tests), so each test of a
 *   window runs at `falseAlarmsPerThousandSeriesWeeks × share / (1000 × runs per week)` (weighted
 *   Bonferroni, `windowShares` summing to 1: the 120-minute window, which carries most of the power
 *   against a 2-hour spike, gets ¾ of the budget, the 60-minute one, which only speeds up big spikes, ¼):
 *   per run it is Bonferroni over the series × windows at a family level that grows with the number of series. Benjamini–Hochberg
 *   controls the false-discovery proportion instead: on a day with real spikes it lowers the bar for every
 *   other series, the opposite of what a false-alarm budget needs. Consecutive runs' windows overlap, so
 *   the tests are positively correlated and the bound is conservative (bench/spikes.ts measures it).
 * - A spike also needs `minCount` tickets and `minFactor` × the baseline, so a series going from 1 to 4
 *   tickets never alarms however small its p-value.
 */

export const bucketMs = 15 * 60_000;
/** Buckets in a week. */
export const weekBuckets = (7 * 24 * 60) / 15;
const runsPerWeek = weekBuckets;

/** The dimensions a series is keyed by (absent means "any"). */
export interface SeriesKey {
  intent?: string;
  category?: string;
  product?: string;
  model?: string;
  region?: string;
}

export const seriesDimensions = ['intent', 'category', 'product', 'model', 'region'] as const;

/** A stable id for a series: its dimensions in a fixed order. */
export function seriesId(key: SeriesKey): string {
  return seriesDimensions
    .filter((d) => key[d] !== undefined)
    .map((d) => `${d}=${key[d]}`)
    .join('|');
}

/** Tickets per bucket (bucket index = floor(epoch ms / bucketMs)); a missing bucket counts 0. */
export interface BucketCounts {
  get(bucket: number): number | undefined;
}

export interface SeriesCounts {
  key: SeriesKey;
  counts: BucketCounts;
}

export interface SpikeConfig {
  /** Trailing window lengths tested, in buckets. */
  windows: readonly number[];
  /** Each window's share of the false-alarm budget (weighted Bonferroni: the shares sum to 1). */
  windowShares: readonly number[];
  /** Previous weeks the baseline looks at. */
  weeks: number;
  /** Buckets added on each side of a window when reading a past week. */
  neighbourhood: number;
  /** Expected tickets per hour never below this. */
  floorPerHour: number;
  /** Expected never below this share of the series' average rate over its history. */
  floorShareOfAverage: number;
  /** Buckets before the window whose count sets today's level (the conditional test). */
  referenceBuckets: number;
  /** Past tickets (window + reference over the weeks) the conditional test needs; fewer → the NB test. */
  minHistoryCount: number;
  minCount: number;
  minFactor: number;
  /** The false-alarm budget the per-test level is derived from. */
  falseAlarmsPerThousandSeriesWeeks: number;
}

export const defaultSpikeConfig: SpikeConfig = {
  windows: [4, 8],
  windowShares: [0.25, 0.75],
  weeks: 8,
  neighbourhood: 4,
  floorPerHour: 0.5,
  floorShareOfAverage: 0.25,
  referenceBuckets: 96,
  minHistoryCount: 20,
  minCount: 8,
  minFactor: 2,
  falseAlarmsPerThousandSeriesWeeks: 1,
};

export interface Spike {
  key: SeriesKey;
  seriesId: string;
  count: number;
  expected: number;
  factor: number;
  pValue: number;
  /** Bucket indexes: the window is [windowStart, windowEnd) in buckets. */
  windowStartBucket: number;
  windowEndBucket: number;
  windowStart: string;
  windowEnd: string;
}

/**
 * The level a single test of window `windows[index]` runs at: weighted Bonferroni over series × windows ×
 * runs in a week, per 1,000 series (the window's share of the budget ÷ runs a week). Without an index: the
 * most lenient window's level.
 */
export function perTestAlpha(config: SpikeConfig = defaultSpikeConfig, index?: number): number {
  const total = config.windowShares.reduce((a, b) => a + b, 0);
  const share = index === undefined ? Math.max(...config.windowShares) : (config.windowShares[index] ?? 0);
  return (config.falseAlarmsPerThousandSeriesWeeks * (share / total)) / (1000 * runsPerWeek);
}

function sum(counts: BucketCounts, from: number, to: number): number {
  let s = 0;
  for (let b = from; b < to; b++) s += counts.get(b) ?? 0;
  return s;
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}

/**
 * Over-dispersion α of a series (Var = μ + αμ²), from the same hour of week across the history's weeks:
 * α = Σ(s² − m) / Σm², clamped to [0, 1].
 */
export function dispersion(counts: BucketCounts, endBucket: number, weeks: number): number {
  if (weeks < 2) return 0;
  let excess = 0;
  let squares = 0;
  const start = endBucket - weeks * weekBuckets;
  for (let block = 0; block < weekBuckets; block += 4) {
    const xs: number[] = [];
    for (let w = 0; w < weeks; w++) {
      const from = start + w * weekBuckets + block;
      xs.push(sum(counts, from, from + 4));
    }
    const m = xs.reduce((a, b) => a + b, 0) / weeks;
    if (m === 0) continue;
    const s2 = xs.reduce((a, x) => a + (x - m) ** 2, 0) / (weeks - 1);
    excess += s2 - m;
    squares += m * m;
  }
  if (squares === 0) return 0;
  return Math.min(1, Math.max(0, excess / squares));
}

/**
 * Tests each series' trailing windows ending at `endBucket` (exclusive: the last complete bucket is
 * `endBucket − 1`) and returns the spikes, one per series (its most significant window), by p-value.
 * `historyStartBucket`: the first bucket with data (weeks before it are not counted as zero).
 */
export function detectSpikes(
  series: readonly SeriesCounts[],
  endBucket: number,
  options: { historyStartBucket?: number; config?: SpikeConfig } = {},
): Spike[] {
  const config = options.config ?? defaultSpikeConfig;
  const maxWindow = Math.max(...config.windows);
  const spikes: Spike[] = [];
  for (const s of series) {
    // Weeks of history wholly after the history start, up to `weeks`.
    const historyStart = options.historyStartBucket ?? Number.NEGATIVE_INFINITY;
    let weeks = 0;
    while (
      weeks < config.weeks &&
      endBucket -
        maxWindow -
        (weeks + 1) * weekBuckets -
        Math.max(config.neighbourhood, config.referenceBuckets) >=
        historyStart
    ) {
      weeks++;
    }
    // Cheap pre-check: some window must reach the minimum count.
    if (!config.windows.some((w) => sum(s.counts, endBucket - w, endBucket) >= config.minCount)) continue;
    const historyEnd = endBucket - maxWindow;
    const average =
      weeks > 0 ? sum(s.counts, historyEnd - weeks * weekBuckets, historyEnd) / (weeks * weekBuckets) : 0;
    let alphaSeries: number | undefined;
    let best: Spike | undefined;
    for (const [index, w] of config.windows.entries()) {
      const alpha = perTestAlpha(config, index);
      const count = sum(s.counts, endBucket - w, endBucket);
      if (count < config.minCount) continue;
      const span = w + 2 * config.neighbourhood;
      const past: number[] = [];
      for (let k = 1; k <= weeks; k++) {
        const from = endBucket - w - k * weekBuckets - config.neighbourhood;
        past.push((sum(s.counts, from, from + span) * w) / span);
      }
      const floor = Math.max((config.floorPerHour * w) / 4, config.floorShareOfAverage * average * w);
      const baseline = past.length > 0 ? median(past) : 0;
      const seasonal = Math.max(baseline, floor);
      // Cheap pre-check: far from a spike even on a day twice as busy as usual.
      if (count / seasonal < config.minFactor / 2) continue;
      let expected = seasonal;
      let pValue: number;
      const reference = config.referenceBuckets;
      const y = sum(s.counts, endBucket - w - reference, endBucket - w);
      let pastWindow = 0;
      let pastReference = 0;
      for (let k = 1; k <= weeks; k++) {
        const from = endBucket - w - k * weekBuckets;
        pastWindow += sum(s.counts, from, from + w);
        pastReference += sum(s.counts, from - reference, from);
      }
      if (weeks >= 2 && pastWindow + pastReference >= config.minHistoryCount) {
        // Conditional test: today's level cancels out of the window's share of (reference + window); the
        // expected count is the usual share at today's level (the reference's count scaled by the weeks' ratio).
        expected = Math.max(floor, (y * (pastWindow + 0.5)) / (pastReference + 0.5));
        if (count / expected < config.minFactor) continue;
        pValue = betaBinomialUpperTail(count, count + y, pastWindow + 0.5, pastReference + 0.5);
      } else {
        if (count / expected < config.minFactor) continue;
        alphaSeries ??= dispersion(s.counts, historyEnd, weeks);
        // Variance around the estimated baseline: NB noise plus the median's sampling variance.
        const noise = expected + alphaSeries * expected * expected;
        const estimate =
          past.length > 0
            ? ((Math.PI / 2) * ((expected * w) / span + alphaSeries * expected * expected)) / past.length
            : 0;
        const variance = noise + estimate;
        const size =
          variance > expected ? (expected * expected) / (variance - expected) : Number.POSITIVE_INFINITY;
        pValue = negativeBinomialUpperTail(count, expected, size);
      }
      if (pValue > alpha) continue;
      const factor = count / expected;
      if (!best || pValue < best.pValue) {
        best = {
          key: s.key,
          seriesId: seriesId(s.key),
          count,
          expected: Math.round(expected * 100) / 100,
          factor: Math.round(factor * 100) / 100,
          pValue,
          windowStartBucket: endBucket - w,
          windowEndBucket: endBucket,
          windowStart: new Date((endBucket - w) * bucketMs).toISOString(),
          windowEnd: new Date(endBucket * bucketMs).toISOString(),
        };
      }
    }
    if (best) spikes.push(best);
  }
  return spikes.sort((a, b) => a.pValue - b.pValue);
}

/**
 * The spikes that start a new episode: a series already alarmed by a window that reaches this window's
 * start (`openUntil`: the series' latest alarmed window end, in buckets) is the same episode going on.
 */
export function newEpisodes(spikes: readonly Spike[], openUntil: ReadonlyMap<string, number>): Spike[] {
  return spikes.filter((s) => (openUntil.get(s.seriesId) ?? Number.NEGATIVE_INFINITY) < s.windowStartBucket);
}
