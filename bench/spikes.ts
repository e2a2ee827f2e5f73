/**
 * Spike detector bench: `node --import tsx bench/spikes.ts [seed] [steadySeries] [spikedSeries]`
 *
 * Synthetic series (test/support/synthetic-series.ts: weekly and daily rhythm, day-to-day noise, Poisson
 * counts; average 0.5–8 tickets an hour, log-uniform) with 8 weeks of history, then a test week through
 * which the detector runs at its 15-minute cadence, as the job does, one alarm per episode:
 * - steady series: every alarm is false → false alarms per 1,000 series per week;
 * - spiked series: one 3× spike lasting 2 hours each, starting at a random time of a weekday's working
 *   hours (09:00–17:00 Beijing) → recall (an alarm from the spike's start to 2 hours after its end) and
 *   the delay from the spike's start to the run that raised it, in virtual minutes; by the series' volume.
 * The detector's settings were tuned with seed 1; docs/analytics.md reports seeds 2 and 3.
 */
import {
  defaultSpikeConfig,
  detectSpikes,
  newEpisodes,
  perTestAlpha,
  type SeriesCounts,
  weekBuckets,
} from '#shared/domain/analytics/spikes.ts';
import { bucketRate, mondayBucket, seededRandom, syntheticSeries } from '../test/support/synthetic-series.ts';

const seed = Number(process.argv[2] ?? 2);
const steadyCount = Number(process.argv[3] ?? 10_000);
const spikedCount = Number(process.argv[4] ?? 2_000);
const historyWeeks = defaultSpikeConfig.weeks;
const start = mondayBucket - historyWeeks * weekBuckets;
const testStart = mondayBucket;
const length = (historyWeeks + 1) * weekBuckets;
const chunk = 500;
const spikeBuckets = 8;
const random = seededRandom(seed);

interface Planted {
  startBucket: number;
  expected2h: number;
  perHour: number;
}

function volume(): number {
  return Math.exp(Math.log(0.5) + random() * (Math.log(8) - Math.log(0.5)));
}

/** Runs the detector over the test week for one chunk; returns new episodes per series index. */
function runWeek(series: SeriesCounts[]): Array<Array<{ end: number }>> {
  const episodes: Array<Array<{ end: number }>> = series.map(() => []);
  const index = new Map(series.map((s, i) => [s.key.model as string, i]));
  const openUntil = new Map<string, number>();
  for (let end = testStart + 1; end <= testStart + weekBuckets; end++) {
    const found = newEpisodes(detectSpikes(series, end, { historyStartBucket: start }), openUntil);
    for (const s of found) episodes[index.get(s.key.model as string) as number]?.push({ end });
    for (const s of detectSpikes(series, end, { historyStartBucket: start }))
      openUntil.set(s.seriesId, Math.max(openUntil.get(s.seriesId) ?? 0, s.windowEndBucket));
  }
  return episodes;
}

const t0 = performance.now();
// Steady series.
let falseAlarms = 0;
for (let done = 0; done < steadyCount; done += chunk) {
  const n = Math.min(chunk, steadyCount - done);
  const series: SeriesCounts[] = [];
  for (let i = 0; i < n; i++) {
    const s = syntheticSeries({ perHour: volume(), start, length, random });
    series.push({ key: { model: `s${done + i}` }, counts: s.lookup });
  }
  for (const e of runWeek(series)) falseAlarms += e.length;
}

// Spiked series.
const planted: Planted[] = [];
const delays: number[] = [];
const detected: boolean[] = [];
let spikedFalse = 0;
for (let done = 0; done < spikedCount; done += chunk) {
  const n = Math.min(chunk, spikedCount - done);
  const series: SeriesCounts[] = [];
  const plans: Planted[] = [];
  for (let i = 0; i < n; i++) {
    const perHour = volume();
    const day = Math.floor(random() * 5);
    // 09:00–17:00 Beijing, in whole buckets.
    const startBucket = testStart + day * 96 + 36 + Math.floor(random() * 32);
    let expected2h = 0;
    for (let b = startBucket; b < startBucket + spikeBuckets; b++) expected2h += bucketRate(perHour, b);
    const s = syntheticSeries({
      perHour,
      start,
      length,
      random,
      spike: { startBucket, buckets: spikeBuckets, factor: 3 },
    });
    series.push({ key: { model: `p${done + i}` }, counts: s.lookup });
    plans.push({ startBucket, expected2h, perHour });
  }
  const episodes = runWeek(series);
  plans.forEach((plan, i) => {
    planted.push(plan);
    const hit = (episodes[i] ?? []).find(
      (e) => e.end > plan.startBucket && e.end <= plan.startBucket + 2 * spikeBuckets,
    );
    detected.push(hit !== undefined);
    delays.push(hit ? (hit.end - plan.startBucket) * 15 : Number.NaN);
    spikedFalse += (episodes[i] ?? []).filter((e) => e !== hit).length;
  });
}
const seconds = (performance.now() - t0) / 1000;

function quantile(values: number[], q: number): number {
  const v = [...values].sort((a, b) => a - b);
  return v.length ? (v[Math.min(v.length - 1, Math.floor(q * v.length))] as number) : Number.NaN;
}

const c = defaultSpikeConfig;
console.log(
  `seed ${seed}; windows ${c.windows.map((w) => w * 15).join('/')} min; ${c.weeks} weeks of baseline; per-test α ${c.windows.map((w, i) => `${w * 15} min ${perTestAlpha(c, i).toExponential(2)}`).join(', ')}; reference ${c.referenceBuckets / 4} h; minCount ${c.minCount}; minFactor ${c.minFactor}`,
);
console.log(
  `steady: ${steadyCount} series × 1 week: ${falseAlarms} false alarms = ${((falseAlarms / steadyCount) * 1000).toFixed(2)} per 1,000 series-weeks (aim ≤ 1)`,
);
const bands: Array<[string, number, number]> = [
  ['all', 0, Number.POSITIVE_INFINITY],
  ['2h baseline < 5', 0, 5],
  ['2h baseline 5–10', 5, 10],
  ['2h baseline 10–20', 10, 20],
  ['2h baseline ≥ 20', 20, Number.POSITIVE_INFINITY],
];
console.log(`spiked: ${spikedCount} series, one 3× spike of 2 h each in weekday working hours`);
console.log('| spikes | n | recall | delay p50 min | delay p90 min |');
console.log('| --- | --- | --- | --- | --- |');
for (const [name, lo, hi] of bands) {
  const idx = planted.flatMap((p, i) => (p.expected2h >= lo && p.expected2h < hi ? [i] : []));
  const hits = idx.filter((i) => detected[i]);
  const bandDelays = hits.map((i) => delays[i] as number);
  console.log(
    `| ${name} | ${idx.length} | ${(hits.length / Math.max(1, idx.length)).toFixed(3)} | ${quantile(bandDelays, 0.5)} | ${quantile(bandDelays, 0.9)} |`,
  );
}
console.log(`spiked series' other alarms (outside the spike): ${spikedFalse}`);
console.log(`(${seconds.toFixed(1)} s)`);
