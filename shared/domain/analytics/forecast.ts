import { cnPublicHolidays, type PublicHolidaySet } from '../sla/cn-public-holidays.ts';

/**
 * Daily ticket volume per team for the next days, and the agents it needs (docs/analytics.md, "Forecast
 * and staffing").
 *
 * The model is multiplicative and small enough to explain on a dashboard:
 *   expected(day) = level × weekday factor(day) × holiday factor(day)
 * - level: the exponentially weighted mean (half-life `halfLifeDays`) of the recent history with the
 *   weekday and holiday effects divided out;
 * - weekday factors: each weekday's mean over the last `seasonWeeks` weeks of ordinary days, relative to
 *   their mean; a make-up working day (调休) is a working day: it takes the mean of Monday–Friday's factors;
 * - holiday factor: holidays' share of what an ordinary day would have had, shrunk towards
 *   `holidayPrior` when history holds few holidays (a new desk, a first 春节);
 * - band: the empirical 10 % and 90 % quantiles of the log ratio actual / fitted over the history
 *   (an 80 % band), so a noisy team gets a wide one;
 * - backtest: a rolling origin (every 7 days over the last `backtestOrigins` weeks), each forecasting the
 *   next `horizon` days from what was known then; sMAPE and MAPE over all those days.
 */

export interface DailyCount {
  /** `YYYY-MM-DD` in the business time zone. */
  date: string;
  count: number;
}

export interface ForecastOptions {
  horizon: number;
  halfLifeDays: number;
  seasonWeeks: number;
  holidayPrior: number;
  /** Weight of the prior, in holidays. */
  holidayPriorWeight: number;
  backtestOrigins: number;
  holidays: PublicHolidaySet;
}

export const defaultForecastOptions: ForecastOptions = {
  horizon: 14,
  halfLifeDays: 14,
  seasonWeeks: 8,
  holidayPrior: 0.4,
  holidayPriorWeight: 3,
  backtestOrigins: 8,
  holidays: cnPublicHolidays,
};

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'makeup';

export interface ForecastDay {
  date: string;
  expected: number;
  low: number;
  high: number;
  holiday: boolean;
  kind: DayKind;
}

export interface Backtest {
  smape: number | null;
  mape: number | null;
  /** Day forecasts compared. */
  days: number;
}

export interface Forecast {
  days: ForecastDay[];
  backtest: Backtest;
}

const dayMs = 86_400_000;

export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * dayMs).toISOString().slice(0, 10);
}

/** 0 = Monday … 6 = Sunday. */
function weekday(date: string): number {
  return (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
}

export function dayKind(date: string, holidays: PublicHolidaySet = cnPublicHolidays): DayKind {
  if (holidays.holidays.has(date)) return 'holiday';
  if (holidays.workdays.has(date)) return 'makeup';
  return weekday(date) >= 5 ? 'weekend' : 'workday';
}

interface Model {
  level: number;
  weekdayFactors: number[];
  holidayFactor: number;
  logLow: number;
  logHigh: number;
}

function quantile(values: number[], q: number): number {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return 0;
  const pos = (v.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (v[lo] as number) + ((v[hi] as number) - (v[lo] as number)) * (pos - lo);
}

/** A dense series from `first` to `last` (missing days count 0). */
function dense(history: readonly DailyCount[]): DailyCount[] {
  if (history.length === 0) return [];
  const byDate = new Map(history.map((d) => [d.date, d.count]));
  const dates = [...byDate.keys()].sort();
  const out: DailyCount[] = [];
  for (let d = dates[0] as string; d <= (dates[dates.length - 1] as string); d = addDays(d, 1)) {
    out.push({ date: d, count: byDate.get(d) ?? 0 });
  }
  return out;
}

function factorOf(
  model: Pick<Model, 'weekdayFactors' | 'holidayFactor'>,
  date: string,
  holidays: PublicHolidaySet,
): number {
  const kind = dayKind(date, holidays);
  if (kind === 'holiday') return model.holidayFactor;
  if (kind === 'makeup') return model.weekdayFactors.slice(0, 5).reduce((a, b) => a + b, 0) / 5;
  return model.weekdayFactors[weekday(date)] as number;
}

function fitModel(series: readonly DailyCount[], o: ForecastOptions): Model | undefined {
  if (series.length < 7) return undefined;
  const recent = series.slice(-o.seasonWeeks * 7);
  // Weekday factors from ordinary days (not holidays, not make-up days).
  const sums = new Array<number>(7).fill(0);
  const counts = new Array<number>(7).fill(0);
  for (const d of recent) {
    const kind = dayKind(d.date, o.holidays);
    if (kind === 'holiday' || kind === 'makeup') continue;
    const w = weekday(d.date);
    sums[w] = (sums[w] as number) + d.count;
    counts[w] = (counts[w] as number) + 1;
  }
  const means = sums.map((s, i) => ((counts[i] as number) > 0 ? s / (counts[i] as number) : Number.NaN));
  const known = means.filter((m) => !Number.isNaN(m));
  const overall = known.reduce((a, b) => a + b, 0) / Math.max(1, known.length);
  if (!(overall > 0))
    return { level: 0, weekdayFactors: new Array(7).fill(1), holidayFactor: 1, logLow: 0, logHigh: 0 };
  const weekdayFactors = means.map((m) => (Number.isNaN(m) ? 1 : Math.max(m / overall, 0.01)));
  // Level: exponentially weighted mean of the deseasonalised ordinary days.
  const decay = Math.log(2) / o.halfLifeDays;
  let weighted = 0;
  let weights = 0;
  const last = series.length - 1;
  series.forEach((d, i) => {
    if (dayKind(d.date, o.holidays) === 'holiday') return;
    const f = factorOf({ weekdayFactors, holidayFactor: 1 }, d.date, o.holidays);
    const weight = Math.exp(-decay * (last - i));
    weighted += weight * (d.count / f);
    weights += weight;
  });
  const level = weights > 0 ? weighted / weights : overall;
  // Holiday factor: observed over expected on the history's holidays, shrunk towards the prior.
  let holidayActual = 0;
  let holidayExpected = 0;
  let holidayDays = 0;
  for (const d of series) {
    if (dayKind(d.date, o.holidays) !== 'holiday') continue;
    holidayActual += d.count;
    holidayExpected += level * (weekdayFactors[weekday(d.date)] as number);
    holidayDays++;
  }
  const observedRatio = holidayExpected > 0 ? holidayActual / holidayExpected : o.holidayPrior;
  const holidayFactor =
    (o.holidayPrior * o.holidayPriorWeight + observedRatio * holidayDays) /
    (o.holidayPriorWeight + holidayDays);
  // Band: log ratio actual / fitted over the recent history.
  const model = { level, weekdayFactors, holidayFactor, logLow: 0, logHigh: 0 };
  const logs = recent
    .map((d) => [d.count, level * factorOf(model, d.date, o.holidays)] as const)
    .filter(([, f]) => f > 0)
    .map(([a, f]) => Math.log((a + 0.5) / (f + 0.5)));
  model.logLow = Math.min(0, quantile(logs, 0.1));
  model.logHigh = Math.max(0, quantile(logs, 0.9));
  return model;
}

function project(
  model: Model | undefined,
  from: string,
  horizon: number,
  holidays: PublicHolidaySet,
): ForecastDay[] {
  const out: ForecastDay[] = [];
  for (let i = 0; i < horizon; i++) {
    const date = addDays(from, i);
    const kind = dayKind(date, holidays);
    const expected = model ? model.level * factorOf(model, date, holidays) : 0;
    out.push({
      date,
      expected: Math.round(expected * 10) / 10,
      low: Math.round(Math.max(0, (expected + 0.5) * Math.exp(model?.logLow ?? 0) - 0.5) * 10) / 10,
      high: Math.round(((expected + 0.5) * Math.exp(model?.logHigh ?? 0) - 0.5) * 10) / 10,
      holiday: kind === 'holiday',
      kind,
    });
  }
  return out;
}

/** Error of day forecasts against what happened: sMAPE (0..2 scale halved to 0..1) and MAPE (days with tickets). */
export function forecastErrors(pairs: ReadonlyArray<{ actual: number; forecast: number }>): Backtest {
  let smape = 0;
  let smapeDays = 0;
  let mape = 0;
  let mapeDays = 0;
  for (const { actual, forecast } of pairs) {
    const denominator = (Math.abs(actual) + Math.abs(forecast)) / 2;
    if (denominator > 0) {
      smape += Math.abs(actual - forecast) / denominator;
      smapeDays++;
    }
    if (actual > 0) {
      mape += Math.abs(actual - forecast) / actual;
      mapeDays++;
    }
  }
  return {
    smape: smapeDays ? Math.round((smape / smapeDays) * 1000) / 1000 : null,
    mape: mapeDays ? Math.round((mape / mapeDays) * 1000) / 1000 : null,
    days: pairs.length,
  };
}

/**
 * The forecast from `start` (the first day forecast, usually tomorrow) for `o.horizon` days, from the
 * daily history before it (days after `start − 1` are ignored), with its rolling-origin backtest.
 */
export function forecastVolume(
  history: readonly DailyCount[],
  start: string,
  options: Partial<ForecastOptions> = {},
): Forecast {
  const o = { ...defaultForecastOptions, ...options };
  const series = dense(history.filter((d) => d.date < start));
  const days = project(fitModel(series, o), start, o.horizon, o.holidays);
  const pairs: Array<{ actual: number; forecast: number }> = [];
  for (let k = o.backtestOrigins; k >= 1; k--) {
    const origin = series.length - k * 7 - o.horizon + 7;
    // Each origin needs its full horizon of actuals and four weeks before it.
    if (origin < 28 || origin + o.horizon > series.length) continue;
    const model = fitModel(series.slice(0, origin), o);
    const predicted = project(model, (series[origin] as DailyCount).date, o.horizon, o.holidays);
    predicted.forEach((p, i) => {
      pairs.push({ actual: (series[origin + i] as DailyCount).count, forecast: p.expected });
    });
  }
  return { days, backtest: forecastErrors(pairs) };
}

export interface StaffingOptions {
  /** Minutes of agent work per ticket. */
  handleTimeMinutes: number;
  /** Hours an agent works on tickets in a day (after breaks, meetings, training: the shrinkage). */
  productiveHoursPerDay: number;
  /** The share of productive time planned busy; the rest absorbs arrivals' randomness so the SLA holds. */
  occupancy: number;
}

export const defaultStaffing: StaffingOptions = {
  handleTimeMinutes: 20,
  productiveHoursPerDay: 6.5,
  occupancy: 0.85,
};

/**
 * Agents needed for a day's expected tickets: workload ÷ (productive hours × occupancy), rounded up. Why
 * not Erlang C: it sizes a queue whose answer target is seconds (a phone line's busy hour); a ticket's
 * first-response target is hours, within which the day's arrivals are smoothed, so what must hold is that
 * the day's work fits in the day's productive time with headroom — the occupancy.
 */
export function agentsNeeded(expectedTickets: number, staffing: StaffingOptions = defaultStaffing): number {
  if (expectedTickets <= 0) return 0;
  const workloadHours = (expectedTickets * staffing.handleTimeMinutes) / 60;
  return Math.ceil(workloadHours / (staffing.productiveHoursPerDay * staffing.occupancy));
}
