import { cnHolidayDates, cnWorkdayDates } from './cn-public-holidays.data.ts';

/**
 * Mainland China's public holidays and make-up working days (调休), as the State Council announces them
 * each year, from the `chinese-days` package's data (maintained upstream, one release after each notice), kept
compact in cn-public-holidays.data.ts (`npm run holidays:update` writes it from the installed package).
 * A calendar with `publicHolidays: 'CN'` closes on these holidays and opens on these make-up days; its own
 * `holidays` and `makeUpDays` win over them (an admin's override for a company day or a late notice).
 *
 * The yearly update (docs/sla.md, "Public holidays"): after the notice for the next year (usually in
 * November), bump `chinese-days` to the release that has it and run `npm run holidays:update`. A unit test fails from 1 December while
 * the next year is missing.
 */
export interface PublicHolidaySet {
  /** ISO dates of the holidays (春节, 国庆节…). */
  holidays: ReadonlySet<string>;
  /** ISO dates of the make-up working days (调休). */
  workdays: ReadonlySet<string>;
  /** The years the data covers, in order. */
  years: readonly number[];
}

const holidays = new Set(cnHolidayDates.split(' '));
const workdays = new Set(cnWorkdayDates.split(' '));

export const cnPublicHolidays: PublicHolidaySet = {
  holidays,
  workdays,
  years: [...new Set([...holidays.keys()].map((d) => Number(d.slice(0, 4))))].sort((a, b) => a - b),
};

/**
 * A maintainer's record that the next year's data is not out yet although it is due: the notice is
 * late, or the package has not caught up. It holds the freshness test for 14 days from `checkedOn`; then
 * someone checks again (and moves the date) or updates the data.
 */
export interface AwaitingNotice {
  year: number;
  /** ISO date of the check. */
  checkedOn: string;
  reason: string;
}

/**
 * Checked on 2026-12-07: `chinese-days` 1.5.7 is the newest release and has no 2027; no State Council
 * notice for 2027 could be found. Until the data has 2027, a calendar's own `holidays` and
 * `makeUpDays` carry 2027's days once they are announced.
 */
export const awaitingNotice: AwaitingNotice | undefined = {
  year: 2027,
  checkedOn: '2026-12-07',
  reason: 'chinese-days 1.5.7 (the newest release) has no 2027 data; no notice for 2027 found',
};

/** Days a check holds the freshness test, counting from the day after `checkedOn`. */
const graceDays = 14;

/**
 * The year whose holidays are due but missing from `years`, if any: from 1 December (Beijing time) of a
 * year, the next year's holidays must be known (the notice comes out in October to early December), and
 * the current year's always,
 * unless `awaiting` records a check for that year within the last 14 days (Beijing dates).
 */
export function nextYearMissing(
  years: readonly number[],
  today: Date,
  awaiting?: AwaitingNotice,
): number | undefined {
  const beijing = new Date(today.getTime() + 8 * 3_600_000);
  // From 1 December the coming year is due; before, the current one (still missing in January is late).
  const due = beijing.getUTCFullYear() + (beijing.getUTCMonth() === 11 ? 1 : 0);
  if (years.includes(due)) return undefined;
  if (awaiting?.year === due) {
    const last = new Date(Date.parse(`${awaiting.checkedOn}T00:00:00Z`) + graceDays * 86_400_000);
    if (beijing.toISOString().slice(0, 10) <= last.toISOString().slice(0, 10)) return undefined;
  }
  return due;
}
