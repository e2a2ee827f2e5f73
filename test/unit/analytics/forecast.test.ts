import { describe, expect, it } from 'vitest';
import {
  addDays,
  agentsNeeded,
  type DailyCount,
  dayKind,
  forecastErrors,
  forecastVolume,
} from '../../../shared/domain/analytics/forecast.ts';

/** Monday … Sunday: a known weekly pattern. */
const pattern = [100, 110, 105, 95, 90, 40, 30];
const weekdayOf = (date: string) => (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;

/** History from `from` to the day before `until`, exactly the pattern; holidays at a quarter of it. */
function history(from: string, until: string): DailyCount[] {
  const out: DailyCount[] = [];
  for (let d = from; d < until; d = addDays(d, 1)) {
    const kind = dayKind(d);
    const base = kind === 'makeup' ? 100 : (pattern[weekdayOf(d)] as number);
    out.push({ date: d, count: kind === 'holiday' ? Math.round(base / 4) : base });
  }
  return out;
}

describe('forecastVolume()', () => {
  it('recovers a known weekly pattern, with a backtest error near zero', () => {
    // Prepare: 11 weeks up to Sunday 2026-09-06 (no holiday in them nor in the forecast's two weeks).
    const past = history('2026-06-22', '2026-09-07');

    // Act
    const { days, backtest } = forecastVolume(past, '2026-09-07');

    // Assess
    expect(days).toHaveLength(14);
    expect(days.map((d) => d.date)[0]).toBe('2026-09-07');
    for (const d of days) {
      // 2026-09-20 is a make-up working Sunday: a working day's volume.
      expect(d.expected).toBeCloseTo(d.kind === 'makeup' ? 100 : (pattern[weekdayOf(d.date)] as number), 0);
      expect(d.low).toBeLessThanOrEqual(d.expected);
      expect(d.high).toBeGreaterThanOrEqual(d.expected);
    }
    expect(backtest.days).toBeGreaterThan(0);
    expect(backtest.smape).toBeLessThan(0.01);
    expect(backtest.mape).toBeLessThan(0.01);
  });

  it('lowers public holidays and counts a make-up Saturday as a working day (National Day 2026)', () => {
    // Prepare: history through 2026-09-24, with May Day and 端午 holidays in it.
    const past = history('2026-04-01', '2026-09-25');

    // Act: 2026-09-25 … 10-08 holds the Mid-Autumn / National Day holidays and make-up Saturday 10-10 is beyond.
    const { days } = forecastVolume(past, '2026-09-25', { horizon: 16 });
    const byDate = new Map(days.map((d) => [d.date, d]));

    // Assess
    const holiday = byDate.get('2026-10-01');
    expect(holiday?.holiday).toBe(true);
    expect(holiday?.expected).toBeLessThan(40);
    expect(byDate.get('2026-09-28')?.kind).toBe('workday');
    expect(byDate.get('2026-09-28')?.expected).toBeGreaterThan(90);
    expect(byDate.get('2026-10-10')?.kind).toBe('makeup');
    // A make-up Saturday is forecast as a working day, not as a Saturday (40).
    expect(byDate.get('2026-10-10')?.expected).toBeGreaterThan(90);
  });

  it('answers zeros without history instead of failing', () => {
    const { days, backtest } = forecastVolume([], '2026-12-08');
    expect(days.every((d) => d.expected === 0)).toBe(true);
    expect(backtest).toEqual({ smape: null, mape: null, days: 0 });
  });
});

describe('forecastErrors()', () => {
  it('computes sMAPE and MAPE (MAPE over days with tickets only)', () => {
    const e = forecastErrors([
      { actual: 100, forecast: 90 },
      { actual: 50, forecast: 60 },
      { actual: 0, forecast: 2 },
    ]);
    // sMAPE: (10/95 + 10/55 + 2/1) / 3; MAPE: (0.1 + 0.2) / 2
    expect(e.smape).toBeCloseTo((10 / 95 + 10 / 55 + 2) / 3, 3);
    expect(e.mape).toBeCloseTo(0.15, 3);
    expect(e.days).toBe(3);
  });
});

describe('agentsNeeded()', () => {
  it('divides the workload by productive hours at the stated occupancy, rounding up', () => {
    // 120 tickets × 20 min = 40 h; 6.5 h × 0.85 = 5.525 h an agent → 7.24 → 8
    expect(agentsNeeded(120)).toBe(8);
    expect(agentsNeeded(120, { handleTimeMinutes: 10, productiveHoursPerDay: 8, occupancy: 1 })).toBe(3);
    expect(agentsNeeded(0)).toBe(0);
  });
});
