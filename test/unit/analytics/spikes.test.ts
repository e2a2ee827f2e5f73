import { describe, expect, it } from 'vitest';
import {
  bucketMs,
  defaultSpikeConfig,
  detectSpikes,
  newEpisodes,
  perTestAlpha,
  type SeriesCounts,
  seriesId,
  weekBuckets,
} from '../../../shared/domain/analytics/spikes.ts';
import { mondayBucket, seededRandom, syntheticSeries } from '../../support/synthetic-series.ts';

const weeks = defaultSpikeConfig.weeks;
const start = mondayBucket - weeks * weekBuckets;
const length = (weeks + 1) * weekBuckets;
// Wednesday of the test week, 10:00 Beijing.
const spikeStart = mondayBucket + 2 * 96 + 40;

function series(name: string, perHour: number, seed: number, spike?: { factor: number; buckets: number }) {
  const s = syntheticSeries({
    perHour,
    start,
    length,
    random: seededRandom(seed),
    ...(spike ? { spike: { startBucket: spikeStart, ...spike } } : {}),
  });
  return { key: { product: name, intent: 'installation' }, counts: s.lookup } satisfies SeriesCounts;
}

describe('detectSpikes()', () => {
  it('finds a planted 3× spike of two hours, with its count, expected count, factor and window', () => {
    // Prepare
    const spiked = series('空调', 6, 11, { factor: 3, buckets: 8 });
    const steady = series('冰箱', 6, 12);

    // Act
    const found = detectSpikes([spiked, steady], spikeStart + 8, { historyStartBucket: start });

    // Assess
    expect(found).toHaveLength(1);
    const [spike] = found;
    expect(spike?.seriesId).toBe('intent=installation|product=空调');
    expect(spike?.factor).toBeGreaterThanOrEqual(2);
    expect(spike?.count).toBeGreaterThan((spike?.expected ?? 0) * 2);
    expect(spike?.pValue).toBeLessThanOrEqual(perTestAlpha());
    expect(spike?.windowEnd).toBe(new Date((spikeStart + 8) * bucketMs).toISOString());
    expect(Date.parse(spike?.windowStart ?? '')).toBeGreaterThanOrEqual(spikeStart * bucketMs - 8 * bucketMs);
  });

  it('raises nothing on steady series through a whole week at the 15-minute cadence', () => {
    // Prepare: 40 series of 0.5–8 tickets an hour, over-dispersed day to day.
    const steady = Array.from({ length: 40 }, (_, i) => series(`p${i}`, 0.5 + (i % 8), 100 + i));

    // Act
    let alarms = 0;
    for (let end = mondayBucket + 1; end <= mondayBucket + weekBuckets; end++) {
      alarms += detectSpikes(steady, end, { historyStartBucket: start }).length;
    }

    // Assess
    expect(alarms).toBe(0);
  });

  it('does not alarm a tiny series however unusual (below the minimum count)', () => {
    // Prepare: a series that never had a ticket gets 6 in a quarter hour.
    const counts = new Map([[spikeStart, 6]]);

    // Act
    const found = detectSpikes([{ key: { model: 'KFR-35GW' }, counts }], spikeStart + 1, {
      historyStartBucket: start,
    });

    // Assess
    expect(found).toEqual([]);
  });

  it('alarms a new series (no history) from its floor once it has enough tickets', () => {
    // Prepare: a model in its first week on sale: 20 installation tickets in an hour.
    const counts = new Map(Array.from({ length: 4 }, (_, i) => [spikeStart + i, 5] as const));

    // Act
    const found = detectSpikes([{ key: { model: 'KFR-99NEW' }, counts }], spikeStart + 4, {
      historyStartBucket: spikeStart - 96,
    });

    // Assess
    expect(found.map((s) => [s.seriesId, s.count, s.expected])).toEqual([['model=KFR-99NEW', 20, 0.5]]);
  });

  it('does not alarm a 1.5× rise of a busy series', () => {
    // Prepare
    const mild = series('洗衣机', 8, 21, { factor: 1.5, buckets: 8 });

    // Act
    const found = detectSpikes([mild], spikeStart + 8, { historyStartBucket: start });

    // Assess
    expect(found).toEqual([]);
  });
});

describe('newEpisodes()', () => {
  it('keeps only series whose last alarmed window ended before this window starts', () => {
    // Prepare
    const spiked = series('空调', 6, 11, { factor: 3, buckets: 8 });
    const [spike] = detectSpikes([spiked], spikeStart + 8, { historyStartBucket: start });
    const id = seriesId(spiked.key);

    // Act / Assess
    expect(newEpisodes(spike ? [spike] : [], new Map())).toHaveLength(1);
    expect(newEpisodes(spike ? [spike] : [], new Map([[id, spikeStart + 7]]))).toHaveLength(0);
    expect(newEpisodes(spike ? [spike] : [], new Map([[id, spikeStart - 200]]))).toHaveLength(1);
  });

  it('splits the false-alarm budget between the windows by their shares (weighted Bonferroni)', () => {
    // Act
    const levels = defaultSpikeConfig.windows.map((_, i) => perTestAlpha(defaultSpikeConfig, i));

    // Assess: the levels over a week's runs add up to the budget per series, the 120-minute window gets ¾.
    const perSeriesWeek = levels.reduce((a, b) => a + b, 0) * weekBuckets;
    expect(perSeriesWeek).toBeCloseTo(defaultSpikeConfig.falseAlarmsPerThousandSeriesWeeks / 1000, 12);
    expect(levels[defaultSpikeConfig.windows.indexOf(8)]).toBeCloseTo(0.75 / 1000 / weekBuckets, 15);
    expect(perTestAlpha()).toBe(Math.max(...levels));
  });
});
