import { DateTime, IANAZone } from 'luxon';
import * as z from 'zod';
import { DomainError } from '../errors.ts';
import { cnPublicHolidays, type PublicHolidaySet } from './cn-public-holidays.ts';

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const Weekday = z.enum(weekdays);
export type Weekday = z.infer<typeof Weekday>;

const clockTime = /^([01]\d|2[0-3]):[0-5]\d$/;
const clockTimeOrMidnight = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

/**
 * Working time on one day, local wall-clock `HH:mm`. An interval whose `end` is not after its `start`
 * is an overnight shift that ends on the next day (`22:00`–`06:00`; `00:00`–`00:00` is a whole day).
 * `end` may be `24:00`. A shift belongs to the day it starts on: a holiday does not cut short the
 * night shift that began the evening before.
 */
export const WorkingInterval = z.object({
  start: z.string().regex(clockTime, 'expected HH:mm'),
  end: z.string().regex(clockTimeOrMidnight, 'expected HH:mm or 24:00'),
});
export type WorkingInterval = z.infer<typeof WorkingInterval>;

const Hours = z.array(WorkingInterval).max(12);
const IsoDate = z.iso.date();

/** A day, or an inclusive range of days (`until`), without work: 国庆节 2026-10-01 … 2026-10-07. */
export const Holiday = z.object({
  date: IsoDate,
  until: IsoDate.optional(),
  name: z.string().max(120).optional(),
});
export type Holiday = z.infer<typeof Holiday>;

/**
 * A make-up working day (调休): a date, usually a weekend, that is worked. It follows the hours of
 * `followsWeekday`, or its own `hours`; with neither it follows Monday.
 */
export const MakeUpDay = z.object({
  date: IsoDate,
  name: z.string().max(120).optional(),
  followsWeekday: Weekday.optional(),
  hours: Hours.optional(),
});
export type MakeUpDay = z.infer<typeof MakeUpDay>;

export const WeeklyHours = z.object({
  mon: Hours.default([]),
  tue: Hours.default([]),
  wed: Hours.default([]),
  thu: Hours.default([]),
  fri: Hours.default([]),
  sat: Hours.default([]),
  sun: Hours.default([]),
});
export type WeeklyHours = z.infer<typeof WeeklyHours>;

/** A business calendar: when SLA clocks run. Configured at `GET/PUT /config/calendars`. */
export const BusinessCalendar = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'letters, digits, - and _ (max 64)'),
    name: z.string().trim().min(1).max(120),
    timeZone: z.string().refine((zone) => IANAZone.isValidZone(zone), 'not an IANA time zone'),
    /** 24×7: every instant is working time; weekly hours, holidays and make-up days are ignored. */
    alwaysOpen: z.boolean().default(false),
    weeklyHours: WeeklyHours.default({ mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] }),
    holidays: z.array(Holiday).max(500).default([]),
    makeUpDays: z.array(MakeUpDay).max(200).default([]),
    /**
     * A country's public holidays and make-up working days to follow, every year the data has
     * (`CN`: mainland China, from the `chinese-days` package; see cn-public-holidays.ts). The
     * calendar's own `holidays` and `makeUpDays` win over them.
     */
    publicHolidays: z.enum(['CN']).optional(),
  })
  .superRefine((calendar, ctx) => {
    const holidayDates = new Set<string>();
    calendar.holidays.forEach((holiday, index) => {
      if (holiday.until && holiday.until < holiday.date) {
        ctx.addIssue({ code: 'custom', path: ['holidays', index, 'until'], message: 'until is before date' });
        return;
      }
      for (const day of expandDates(holiday)) holidayDates.add(day);
    });
    calendar.makeUpDays.forEach((day, index) => {
      if (holidayDates.has(day.date)) {
        ctx.addIssue({
          code: 'custom',
          path: ['makeUpDays', index, 'date'],
          message: `${day.date} is also a holiday`,
        });
      }
    });
    const anyHours =
      weekdays.some((d) => calendar.weeklyHours[d].length > 0) ||
      calendar.makeUpDays.some((d) => (d.hours?.length ?? 1) > 0);
    if (!calendar.alwaysOpen && !anyHours) {
      ctx.addIssue({ code: 'custom', path: ['weeklyHours'], message: 'a calendar needs working hours' });
    }
  });
export type BusinessCalendar = z.infer<typeof BusinessCalendar>;
export type BusinessCalendarInput = z.input<typeof BusinessCalendar>;

/** Parses and validates a calendar (defaults filled in). Throws a ZodError when it is invalid. */
export const defineCalendar = (input: BusinessCalendarInput): BusinessCalendar =>
  BusinessCalendar.parse(input);

function expandDates(holiday: Holiday): string[] {
  const first = DateTime.fromISO(holiday.date, { zone: 'UTC' });
  const last = DateTime.fromISO(holiday.until ?? holiday.date, { zone: 'UTC' });
  const days: string[] = [];
  for (let d = first; d <= last && days.length <= 366; d = d.plus({ days: 1 })) days.push(d.toISODate()!);
  return days;
}

const minuteMs = 60_000;

/** A span of working time, epoch milliseconds, end exclusive. */
type Span = readonly [start: number, end: number];

interface Compiled {
  zone: string;
  holidays: ReadonlySet<string>;
  makeUp: ReadonlyMap<string, readonly WorkingInterval[]>;
  weekly: readonly (readonly WorkingInterval[])[];
  /** Local day (days since 1970-01-01 on the calendar's wall clock) → that day's spans, before merging. */
  days: Map<number, readonly Span[]>;
}

/** The public holiday data a calendar may follow (`publicHolidays`). */
const publicHolidaySets: Record<NonNullable<BusinessCalendar['publicHolidays']>, PublicHolidaySet> = {
  CN: cnPublicHolidays,
};

/** By object for the calendar in hand, by content for a calendar read again (each request parses its own). */
const compiledByObject = new WeakMap<BusinessCalendar, Compiled>();
const compiledByContent = new Map<string, Compiled>();

function compile(calendar: BusinessCalendar): Compiled {
  const known = compiledByObject.get(calendar);
  if (known) return known;
  const key = JSON.stringify(calendar);
  let compiled = compiledByContent.get(key);
  if (!compiled) {
    const holidays = new Set(calendar.holidays.flatMap(expandDates));
    const makeUp = new Map(
      calendar.makeUpDays.map(
        (d) => [d.date, d.hours ?? calendar.weeklyHours[d.followsWeekday ?? 'mon']] as const,
      ),
    );
    const publicSet = calendar.publicHolidays ? publicHolidaySets[calendar.publicHolidays] : undefined;
    if (publicSet) {
      // The calendar's own days first: a public holiday it works, a make-up day it takes off.
      for (const date of publicSet.holidays) if (!makeUp.has(date)) holidays.add(date);
      for (const date of publicSet.workdays) {
        if (!holidays.has(date) && !makeUp.has(date)) makeUp.set(date, calendar.weeklyHours.mon);
      }
    }
    compiled = {
      zone: calendar.timeZone,
      holidays,
      makeUp,
      weekly: weekdays.map((d) => calendar.weeklyHours[d]),
      days: new Map(),
    };
    // Bounded: calendars are few and long-lived; an edited one leaves its old version behind.
    if (compiledByContent.size >= 64) compiledByContent.clear();
    compiledByContent.set(key, compiled);
  }
  compiledByObject.set(calendar, compiled);
  return compiled;
}

const parseClock = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

const dayMs = 86_400_000;

/** A local day's ISO date; days count from 1970-01-01 (a Thursday) on the calendar's wall clock. */
const isoOfDay = (day: number) => new Date(day * dayMs).toISOString().slice(0, 10);
/** 0 for Monday … 6 for Sunday, the order of `weekdays`. */
const weekdayOfDay = (day: number) => (((day + 3) % 7) + 7) % 7;

/** The spans of the shifts that start on local day `day` (days since 1970-01-01, wall clock). */
function spansOfDay(c: Compiled, day: number): readonly Span[] {
  const known = c.days.get(day);
  if (known) return known;
  const iso = isoOfDay(day);
  const intervals = c.holidays.has(iso) ? [] : (c.makeUp.get(iso) ?? c.weekly[weekdayOfDay(day)] ?? []);
  const at = (minutes: number, dayOffset: number) => {
    const date = new Date((day + dayOffset + Math.floor(minutes / (24 * 60))) * dayMs);
    return localInstant(
      c.zone,
      date.getUTCFullYear(),
      date.getUTCMonth() + 1,
      date.getUTCDate(),
      Math.floor(minutes / 60) % 24,
      minutes % 60,
    );
  };
  const spans = intervals
    .map((interval): Span => {
      const start = parseClock(interval.start);
      const end = parseClock(interval.end);
      return [at(start, 0), at(end, end <= start ? 1 : 0)];
    })
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  // Bounded memo: calendars are long-lived config objects; keep the few thousand days in use.
  if (c.days.size > 4000) c.days.clear();
  c.days.set(day, spans);
  return spans;
}

/**
 * The instant a zone's clocks show a wall-clock time. In the repeated hour after a fall-back it is the
 * first occurrence (clocks show 01:30 twice; a shift starting at 01:30 starts the first time); in the
 * skipped hour of a spring-forward it is the first valid instant after the gap.
 */
function localInstant(zone: string, year: number, month: number, day: number, hour: number, minute: number) {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const tz = IANAZone.create(zone);
  const offsets = new Set([tz.offset(wall - dayMs), tz.offset(wall), tz.offset(wall + dayMs)]);
  let best: number | undefined;
  for (const offset of offsets) {
    const candidate = wall - offset * 60_000;
    if (candidate + tz.offset(candidate) * 60_000 === wall && (best === undefined || candidate < best))
      best = candidate;
  }
  return best ?? DateTime.fromObject({ year, month, day, hour, minute }, { zone }).toMillis();
}

/** The local day (days since 1970-01-01 on the zone's wall clock) that instant `ms` falls on. */
const localDayOf = (zone: string, ms: number) =>
  Math.floor((ms + IANAZone.create(zone).offset(ms) * 60_000) / dayMs);

/** Give up looking for working time after this many consecutive days without any. */
const maxIdleDays = 800;

/**
 * Merged working spans in time order, from the shift that may cover `fromMs` onwards (overnight
 * shifts that started the day before included; overlapping shifts joined). Endless.
 */
function* workingSpans(calendar: BusinessCalendar, fromMs: number): Generator<Span> {
  const c = compile(calendar);
  let day = localDayOf(c.zone, fromMs) - 1;
  let pending: [number, number] | undefined;
  let idleDays = 0;
  for (;;) {
    const spans = spansOfDay(c, day);
    idleDays = spans.length === 0 ? idleDays + 1 : 0;
    if (idleDays > maxIdleDays) {
      throw new DomainError(
        'unprocessable',
        'SLA.CALENDAR_HAS_NO_WORKING_TIME',
        `Calendar ${calendar.id} has no working time after ${isoOfDay(day)}`,
      );
    }
    for (const [s, e] of spans) {
      if (pending && s <= pending[1]) pending[1] = Math.max(pending[1], e);
      else {
        if (pending) yield pending;
        pending = [s, e];
      }
    }
    day += 1;
  }
}

const toMs = (t: Date) => {
  const ms = t.getTime();
  if (Number.isNaN(ms)) throw new RangeError('invalid date');
  return ms;
};

/**
 * The instant at which `ms` milliseconds of working time have passed after `startMs`. With `ms` 0 it
 * is `startMs` itself, even outside working hours.
 */
export function addBusinessMs(calendar: BusinessCalendar, startMs: number, ms: number): number {
  if (ms < 0) throw new RangeError('cannot add negative business time');
  if (ms === 0) return startMs;
  if (calendar.alwaysOpen) return startMs + ms;
  let remaining = ms;
  for (const [s, e] of workingSpans(calendar, startMs)) {
    if (e <= startMs) continue;
    const from = Math.max(s, startMs);
    if (e - from >= remaining) return from + remaining;
    remaining -= e - from;
  }
  throw new Error('unreachable: workingSpans is endless');
}

/** Working milliseconds in [aMs, bMs); negative when `bMs` is before `aMs`. */
export function businessMsBetween(calendar: BusinessCalendar, aMs: number, bMs: number): number {
  if (bMs < aMs) return -businessMsBetween(calendar, bMs, aMs);
  if (bMs === aMs) return 0;
  if (calendar.alwaysOpen) return bMs - aMs;
  let total = 0;
  for (const [s, e] of workingSpans(calendar, aMs)) {
    if (s >= bMs) break;
    total += Math.max(0, Math.min(e, bMs) - Math.max(s, aMs));
  }
  return total;
}

/**
 * The instant at which `minutes` business minutes have passed after `start`, in the calendar's time
 * zone (DST, holidays, make-up days and overnight shifts accounted for).
 */
export function addBusinessMinutes(calendar: BusinessCalendar, start: Date, minutes: number): Date {
  return new Date(addBusinessMs(calendar, toMs(start), Math.round(minutes * minuteMs)));
}

/** Business minutes between `a` and `b` (fractional when the instants are not on whole minutes). */
export function businessMinutesBetween(calendar: BusinessCalendar, a: Date, b: Date): number {
  return businessMsBetween(calendar, toMs(a), toMs(b)) / minuteMs;
}

/** Whether `t` falls in working time. */
export function isWorking(calendar: BusinessCalendar, t: Date): boolean {
  if (calendar.alwaysOpen) return true;
  const ms = toMs(t);
  for (const [s, e] of workingSpans(calendar, ms)) {
    if (e > ms) return s <= ms;
  }
  return false;
}

/** A 24×7 calendar, e.g. for escalation delays measured in elapsed time. */
export const alwaysOpenCalendar: BusinessCalendar = defineCalendar({
  id: '24x7',
  name: '24×7',
  timeZone: 'UTC',
  alwaysOpen: true,
});

const officeHours = [
  { start: '09:00', end: '12:00' },
  { start: '13:00', end: '18:00' },
];

/**
 * Demo calendars for the seed: 24×7, and Beijing office hours (09:00–18:00 with a lunch hour) with
 * mainland China's public holidays and make-up working days (调休) of every year the `chinese-days`
 * data has (`publicHolidays: 'CN'`; the yearly update is in docs/sla.md).
 */
export const defaultCalendars: readonly BusinessCalendar[] = [
  alwaysOpenCalendar,
  defineCalendar({
    id: 'cn-office',
    name: '北京办公时间 Beijing office hours',
    timeZone: 'Asia/Shanghai',
    weeklyHours: { mon: officeHours, tue: officeHours, wed: officeHours, thu: officeHours, fri: officeHours },
    publicHolidays: 'CN',
  }),
];
