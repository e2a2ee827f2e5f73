import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addBusinessMinutes,
  alwaysOpenCalendar,
  BusinessCalendar,
  type BusinessCalendarInput,
  businessMinutesBetween,
  defaultCalendars,
  defineCalendar,
  isWorking,
} from '#shared/domain/sla/calendar.ts';

const at = (s: string) => new Date(s);
const utc = (d: Date) => d.toISOString();

const cnOffice = defaultCalendars.find((c) => c.id === 'cn-office')!;

const weekdaysOnly = (hours: { start: string; end: string }[]) => ({
  mon: hours,
  tue: hours,
  wed: hours,
  thu: hours,
  fri: hours,
});
const everyDay = (hours: { start: string; end: string }[]) => ({
  ...weekdaysOnly(hours),
  sat: hours,
  sun: hours,
});

const nightShift = defineCalendar({
  id: 'noc-nights',
  name: 'NOC nights',
  timeZone: 'Asia/Shanghai',
  weeklyHours: weekdaysOnly([{ start: '22:00', end: '06:00' }]),
  holidays: [{ date: '2026-06-02', name: 'a Tuesday off' }],
});

const berlinOffice = defineCalendar({
  id: 'berlin',
  name: 'Berlin office',
  timeZone: 'Europe/Berlin',
  weeklyHours: weekdaysOnly([{ start: '09:00', end: '17:00' }]),
});

const newYorkSmallHours = defineCalendar({
  id: 'ny-small-hours',
  name: 'New York 01:00–04:00',
  timeZone: 'America/New_York',
  weeklyHours: everyDay([{ start: '01:00', end: '04:00' }]),
});

describe('BusinessCalendar', () => {
  describe('schema', () => {
    const base: BusinessCalendarInput = {
      id: 'x',
      name: 'x',
      timeZone: 'Asia/Shanghai',
      weeklyHours: { mon: [{ start: '09:00', end: '18:00' }] },
    };

    it('accepts a calendar and fills in the defaults', () => {
      const calendar = BusinessCalendar.parse(base);
      expect(calendar.alwaysOpen).toBe(false);
      expect(calendar.weeklyHours.sun).toEqual([]);
      expect(calendar.holidays).toEqual([]);
    });

    it('rejects a time zone that is not IANA', () => {
      expect(BusinessCalendar.safeParse({ ...base, timeZone: 'China/Beijing' }).success).toBe(false);
    });

    it('rejects a malformed time of day', () => {
      const result = BusinessCalendar.safeParse({
        ...base,
        weeklyHours: { mon: [{ start: '9:00', end: '25:00' }] },
      });
      expect(result.success).toBe(false);
    });

    it('rejects a make-up working day that is also a holiday', () => {
      const result = BusinessCalendar.safeParse({
        ...base,
        holidays: [{ date: '2026-10-01', until: '2026-10-07' }],
        makeUpDays: [{ date: '2026-10-03' }],
      });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['makeUpDays', 0, 'date']);
    });

    it('rejects a holiday range that ends before it starts', () => {
      expect(
        BusinessCalendar.safeParse({ ...base, holidays: [{ date: '2026-10-07', until: '2026-10-01' }] })
          .success,
      ).toBe(false);
    });

    it('rejects a calendar without any working hours unless it is 24×7', () => {
      expect(BusinessCalendar.safeParse({ ...base, weeklyHours: {} }).success).toBe(false);
      expect(BusinessCalendar.safeParse({ ...base, weeklyHours: {}, alwaysOpen: true }).success).toBe(true);
    });
  });

  describe('addBusinessMinutes()', () => {
    it('skips the weekend', () => {
      // Friday 17:00 Beijing: one hour left that day, the second on Monday morning.
      expect(utc(addBusinessMinutes(cnOffice, at('2026-06-05T17:00:00+08:00'), 120))).toBe(
        utc(at('2026-06-08T10:00:00+08:00')),
      );
    });

    it('starts counting at the next opening when started outside working hours', () => {
      expect(utc(addBusinessMinutes(cnOffice, at('2026-06-06T10:00:00+08:00'), 30))).toBe(
        utc(at('2026-06-08T09:30:00+08:00')),
      );
      expect(utc(addBusinessMinutes(cnOffice, at('2026-06-08T07:00:00+08:00'), 30))).toBe(
        utc(at('2026-06-08T09:30:00+08:00')),
      );
    });

    it('skips the lunch hour between two intervals of a day', () => {
      expect(utc(addBusinessMinutes(cnOffice, at('2026-06-08T11:30:00+08:00'), 60))).toBe(
        utc(at('2026-06-08T13:30:00+08:00')),
      );
    });

    it('skips a week of holidays (国庆节 2026-10-01 … 10-07)', () => {
      expect(utc(addBusinessMinutes(cnOffice, at('2026-09-30T17:00:00+08:00'), 120))).toBe(
        utc(at('2026-10-08T10:00:00+08:00')),
      );
    });

    it('works on a make-up Sunday (调休 2026-09-20) and a make-up Saturday (2026-10-10)', () => {
      expect(utc(addBusinessMinutes(cnOffice, at('2026-09-18T17:00:00+08:00'), 120))).toBe(
        utc(at('2026-09-20T10:00:00+08:00')),
      );
      expect(utc(addBusinessMinutes(cnOffice, at('2026-10-09T17:00:00+08:00'), 120))).toBe(
        utc(at('2026-10-10T10:00:00+08:00')),
      );
    });

    it("follows another weekday's hours, or explicit hours, on a make-up day", () => {
      const calendar = defineCalendar({
        id: 'short-fridays',
        name: 'short Fridays',
        timeZone: 'Asia/Shanghai',
        weeklyHours: {
          ...weekdaysOnly([{ start: '09:00', end: '18:00' }]),
          fri: [{ start: '09:00', end: '12:00' }],
        },
        makeUpDays: [
          { date: '2026-09-20', followsWeekday: 'fri' },
          { date: '2026-10-10', hours: [{ start: '14:00', end: '16:00' }] },
        ],
      });
      expect(
        businessMinutesBetween(calendar, at('2026-09-20T00:00:00+08:00'), at('2026-09-21T00:00:00+08:00')),
      ).toBe(180);
      expect(utc(addBusinessMinutes(calendar, at('2026-10-10T08:00:00+08:00'), 30))).toBe(
        utc(at('2026-10-10T14:30:00+08:00')),
      );
    });

    it('runs an overnight shift into the next morning, and over the weekend into Saturday', () => {
      expect(utc(addBusinessMinutes(nightShift, at('2026-06-08T23:00:00+08:00'), 120))).toBe(
        utc(at('2026-06-09T01:00:00+08:00')),
      );
      // Friday night's shift ends Saturday 06:00; the next one starts Monday 22:00.
      expect(utc(addBusinessMinutes(nightShift, at('2026-06-05T23:00:00+08:00'), 420))).toBe(
        utc(at('2026-06-06T06:00:00+08:00')),
      );
      expect(utc(addBusinessMinutes(nightShift, at('2026-06-05T23:00:00+08:00'), 421))).toBe(
        utc(at('2026-06-08T22:01:00+08:00')),
      );
    });

    it('keeps the night shift that started before a holiday, and drops the one that starts on it', () => {
      // Monday night runs into the Tuesday holiday; Tuesday night is off; Wednesday night works.
      expect(utc(addBusinessMinutes(nightShift, at('2026-06-01T23:00:00+08:00'), 300))).toBe(
        utc(at('2026-06-02T04:00:00+08:00')),
      );
      expect(utc(addBusinessMinutes(nightShift, at('2026-06-02T05:00:00+08:00'), 120))).toBe(
        utc(at('2026-06-03T23:00:00+08:00')),
      );
    });

    it('crosses the spring-forward weekend in Berlin (2026-03-29) on local office hours', () => {
      // Friday 16:00 CET (UTC+1) → Monday 10:00 CEST (UTC+2).
      expect(utc(addBusinessMinutes(berlinOffice, at('2026-03-27T15:00:00Z'), 120))).toBe(
        '2026-03-30T08:00:00.000Z',
      );
    });

    it('counts shifts in real time across New York DST changes (spring forward and fall back)', () => {
      // 01:00–04:00 local lasts 2 h on 2026-03-08 (02:00 does not exist) and 4 h on 2026-11-01.
      expect(
        businessMinutesBetween(
          newYorkSmallHours,
          at('2026-03-08T00:00:00-05:00'),
          at('2026-03-09T00:00:00-04:00'),
        ),
      ).toBe(120);
      expect(
        businessMinutesBetween(
          newYorkSmallHours,
          at('2026-11-01T00:00:00-04:00'),
          at('2026-11-02T00:00:00-05:00'),
        ),
      ).toBe(240);
      expect(
        businessMinutesBetween(
          newYorkSmallHours,
          at('2026-03-09T00:00:00-04:00'),
          at('2026-03-10T00:00:00-04:00'),
        ),
      ).toBe(180);
      expect(utc(addBusinessMinutes(newYorkSmallHours, at('2026-03-08T01:00:00-05:00'), 150))).toBe(
        utc(at('2026-03-09T01:30:00-04:00')),
      );
    });

    it('counts a night shift that spans the fall-back night as nine hours', () => {
      const nights = defineCalendar({
        id: 'ny-nights',
        name: 'NY nights',
        timeZone: 'America/New_York',
        weeklyHours: everyDay([{ start: '22:00', end: '06:00' }]),
      });
      expect(
        businessMinutesBetween(nights, at('2026-10-31T21:00:00-04:00'), at('2026-11-01T12:00:00-05:00')),
      ).toBe(9 * 60);
    });

    it('adds plain elapsed time on a 24×7 calendar, DST or not', () => {
      const start = at('2026-03-08T06:30:00Z');
      expect(addBusinessMinutes(alwaysOpenCalendar, start, 30).getTime() - start.getTime()).toBe(30 * 60_000);
      const ny24 = defineCalendar({ id: 'ny', name: 'ny', timeZone: 'America/New_York', alwaysOpen: true });
      expect(
        businessMinutesBetween(ny24, at('2026-03-08T00:00:00-05:00'), at('2026-03-09T00:00:00-04:00')),
      ).toBe(23 * 60);
    });

    it('spans many working days', () => {
      // 20 working days of 8 h from Monday 2026-01-05 09:00 end on Friday 2026-01-30 18:00.
      expect(utc(addBusinessMinutes(cnOffice, at('2026-01-05T09:00:00+08:00'), 20 * 8 * 60))).toBe(
        utc(at('2026-01-30T18:00:00+08:00')),
      );
      // 1 Feb → 1 Mar 2026: 20 weekdays, minus 春节 Mon 16 – Mon 23 (6 weekdays), plus make-up Saturdays 14 and 28.
      expect(
        businessMinutesBetween(cnOffice, at('2026-02-01T00:00:00+08:00'), at('2026-03-01T00:00:00+08:00')),
      ).toBe((20 - 6 + 2) * 8 * 60);
    });

    it('returns the start itself for zero minutes and refuses negative ones', () => {
      const saturday = at('2026-06-06T10:00:00+08:00');
      expect(addBusinessMinutes(cnOffice, saturday, 0)).toEqual(saturday);
      expect(() => addBusinessMinutes(cnOffice, saturday, -1)).toThrow(RangeError);
    });

    it('fails, instead of looping, when a calendar runs out of working time', () => {
      const only2026 = defineCalendar({
        id: 'makeup-only',
        name: 'one day',
        timeZone: 'UTC',
        makeUpDays: [{ date: '2026-01-04', hours: [{ start: '09:00', end: '10:00' }] }],
      });
      expect(() => addBusinessMinutes(only2026, at('2026-01-04T09:00:00Z'), 120)).toThrow(/no working time/);
    });
  });

  describe('businessMinutesBetween()', () => {
    it('counts only working time and is negative when the instants are reversed', () => {
      const a = at('2026-09-30T09:00:00+08:00');
      const b = at('2026-10-09T09:00:00+08:00');
      expect(businessMinutesBetween(cnOffice, a, b)).toBe(2 * 8 * 60);
      expect(businessMinutesBetween(cnOffice, b, a)).toBe(-2 * 8 * 60);
    });

    it('does not count overlapping shifts twice', () => {
      const overlapping = defineCalendar({
        id: 'overlap',
        name: 'overlap',
        timeZone: 'UTC',
        weeklyHours: everyDay([
          { start: '22:00', end: '06:00' },
          { start: '05:00', end: '09:00' },
        ]),
      });
      expect(
        businessMinutesBetween(overlapping, at('2026-06-09T04:00:00Z'), at('2026-06-09T10:00:00Z')),
      ).toBe(5 * 60);
    });
  });

  describe('isWorking()', () => {
    it('tells working time from weekends, lunch, holidays and make-up days', () => {
      expect(isWorking(cnOffice, at('2026-06-08T10:00:00+08:00'))).toBe(true);
      expect(isWorking(cnOffice, at('2026-06-08T12:30:00+08:00'))).toBe(false);
      expect(isWorking(cnOffice, at('2026-06-06T10:00:00+08:00'))).toBe(false);
      expect(isWorking(cnOffice, at('2026-10-05T10:00:00+08:00'))).toBe(false);
      expect(isWorking(cnOffice, at('2026-09-20T10:00:00+08:00'))).toBe(true);
      expect(isWorking(cnOffice, at('2026-06-08T18:00:00+08:00'))).toBe(false);
    });

    it('sees the tail of an overnight shift on the next morning', () => {
      expect(isWorking(nightShift, at('2026-06-06T05:59:00+08:00'))).toBe(true);
      expect(isWorking(nightShift, at('2026-06-06T06:00:00+08:00'))).toBe(false);
    });

    it('is always true on a 24×7 calendar', () => {
      expect(isWorking(alwaysOpenCalendar, at('2026-10-01T03:00:00Z'))).toBe(true);
    });
  });

  describe('consistency', () => {
    const calendars = [cnOffice, nightShift, berlinOffice, newYorkSmallHours, alwaysOpenCalendar];
    const start2026 = Date.parse('2026-01-01T00:00:00Z');
    const year = 365 * 24 * 3600 * 1000;

    it('businessMinutesBetween(a, addBusinessMinutes(a, m)) === m, and the minute before the end is working', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...calendars),
          fc.integer({ min: 0, max: year }),
          fc.integer({ min: 1, max: 30_000 }),
          (calendar, offset, minutes) => {
            const a = new Date(start2026 + offset);
            const end = addBusinessMinutes(calendar, a, minutes);
            expect(businessMinutesBetween(calendar, a, end)).toBe(minutes);
            expect(isWorking(calendar, new Date(end.getTime() - 1))).toBe(true);
          },
        ),
        { numRuns: 300 },
      );
    });

    it('is additive: adding m then n is adding m + n', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...calendars),
          fc.integer({ min: 0, max: year }),
          fc.integer({ min: 1, max: 5_000 }),
          fc.integer({ min: 1, max: 5_000 }),
          (calendar, offset, m, n) => {
            const a = new Date(start2026 + offset);
            expect(addBusinessMinutes(calendar, addBusinessMinutes(calendar, a, m), n)).toEqual(
              addBusinessMinutes(calendar, a, m + n),
            );
          },
        ),
        { numRuns: 200 },
      );
    });
  });
});
