import { readFileSync } from 'node:fs';
import packageData from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import { holidayModule, holidayModulePath } from '#infra/tools/cn-holidays.ts';
import {
  addBusinessMinutes,
  BusinessCalendar,
  defaultCalendars,
  defineCalendar,
  isWorking,
} from '#shared/domain/sla/calendar.ts';
import { awaitingNotice, cnPublicHolidays, nextYearMissing } from '#shared/domain/sla/cn-public-holidays.ts';

const cnOffice = defaultCalendars.find((c) => c.id === 'cn-office')!;
/** 10:00 Beijing time on a date. */
const tenAm = (date: string) => new Date(`${date}T10:00:00+08:00`);

const officeHours = [{ start: '09:00', end: '18:00' }];
const weekdays = { mon: officeHours, tue: officeHours, wed: officeHours, thu: officeHours, fri: officeHours };

describe('Mainland China public holidays (chinese-days data)', () => {
  it('are known for every year the data has, not 2026 alone', () => {
    // Act
    const years = cnPublicHolidays.years;

    // Assess
    expect(years[0]).toBeLessThanOrEqual(2010);
    expect(years).toContain(2024);
    expect(years).toContain(2025);
    expect(years).toContain(2026);
    expect(years).toEqual([...years].sort((a, b) => a - b));
  });

  it('close the cn-office calendar on holidays and open it on make-up days of past years too', () => {
    // Assess: 国庆节 2025 (10-01 … 10-08; Sunday 09-28 and Saturday 10-11 worked)
    expect(isWorking(cnOffice, tenAm('2025-10-08'))).toBe(false); // a Wednesday off
    expect(isWorking(cnOffice, tenAm('2025-09-28'))).toBe(true); // a Sunday worked
    expect(isWorking(cnOffice, tenAm('2025-10-11'))).toBe(true); // a Saturday worked
    // 春节 2024 (02-10 … 02-17; Sundays 02-04 and 02-18 worked)
    expect(isWorking(cnOffice, tenAm('2024-02-16'))).toBe(false); // a Friday off
    expect(isWorking(cnOffice, tenAm('2024-02-04'))).toBe(true);
    // 2026 as before: Saturday 02-14 worked, 02-16 off
    expect(isWorking(cnOffice, tenAm('2026-02-14'))).toBe(true);
    expect(isWorking(cnOffice, tenAm('2026-02-16'))).toBe(false);
    // An ordinary weekend stays closed
    expect(isWorking(cnOffice, tenAm('2025-10-12'))).toBe(false);
  });

  it('count business time across a holiday week of another year', () => {
    // Act: 8 business hours from Tuesday 2025-09-30 17:00: 1 h that day, the rest on Thursday 10-09
    const due = addBusinessMinutes(cnOffice, new Date('2025-09-30T17:00:00+08:00'), 8 * 60);

    // Assess (cn-office has a lunch hour 12:00–13:00)
    expect(due.toISOString()).toBe(new Date('2025-10-09T17:00:00+08:00').toISOString());
  });

  it('give way to the calendar’s own holidays and make-up days (an admin’s override)', () => {
    // Prepare: the company closes on 2025-09-28 (a national make-up day) and works 2025-10-08
    const calendar = defineCalendar({
      id: 'override',
      name: 'override',
      timeZone: 'Asia/Shanghai',
      weeklyHours: weekdays,
      publicHolidays: 'CN',
      holidays: [{ date: '2025-09-28', name: 'company day off' }],
      makeUpDays: [{ date: '2025-10-08', hours: [{ start: '10:00', end: '12:00' }] }],
    });

    // Assess
    expect(isWorking(calendar, tenAm('2025-09-28'))).toBe(false);
    expect(isWorking(calendar, new Date('2025-10-08T11:00:00+08:00'))).toBe(true);
    expect(isWorking(calendar, new Date('2025-10-08T15:00:00+08:00'))).toBe(false);
    expect(isWorking(calendar, tenAm('2025-10-07'))).toBe(false);
  });

  it('apply only to a calendar that asks for them, and only a known source is accepted', () => {
    // Prepare
    const plain = defineCalendar({
      id: 'plain',
      name: 'plain',
      timeZone: 'Asia/Shanghai',
      weeklyHours: weekdays,
    });

    // Act
    const unknown = BusinessCalendar.safeParse({ ...plain, publicHolidays: 'XX' });

    // Assess
    expect(isWorking(plain, tenAm('2025-10-08'))).toBe(true);
    expect(unknown.success).toBe(false);
    expect(unknown.error?.issues[0]?.path).toEqual(['publicHolidays']);
  });
});

describe('The yearly update of the holiday data', () => {
  it('keeps the compact dates equal to the installed chinese-days package (run `npm run holidays:update`)', () => {
    // Act
    const written = holidayModule(packageData);

    // Assess
    expect([...cnPublicHolidays.holidays]).toEqual(Object.keys(packageData.holidays).sort());
    expect([...cnPublicHolidays.workdays]).toEqual(Object.keys(packageData.workdays).sort());
    expect(readFileSync(holidayModulePath, 'utf8')).toBe(written);
  });

  const years = [2024, 2025, 2026];

  it('is due from 1 December: the next year must then be there', () => {
    // Assess
    expect(nextYearMissing(years, new Date('2026-11-30T12:00:00Z'))).toBeUndefined();
    expect(nextYearMissing(years, new Date('2026-12-01T12:00:00Z'))).toBe(2027);
    expect(nextYearMissing([...years, 2027], new Date('2026-12-20T12:00:00Z'))).toBeUndefined();
    expect(nextYearMissing(years, new Date('2027-01-15T12:00:00Z'))).toBe(2027); // still missing
  });

  it('may wait for the notice only while a maintainer checked it in the last 14 days', () => {
    // Prepare
    const checked = { year: 2027, checkedOn: '2026-12-07', reason: 'no notice yet' };

    // Assess
    expect(nextYearMissing(years, new Date('2026-12-21T12:00:00Z'), checked)).toBeUndefined();
    expect(nextYearMissing(years, new Date('2026-12-22T12:00:00Z'), checked)).toBe(2027);
    expect(nextYearMissing(years, new Date('2026-12-10T12:00:00Z'), { ...checked, year: 2026 })).toBe(2027);
  });

  it('has been done for the coming year (bump chinese-days after the State Council’s notice: docs/sla.md)', () => {
    // Act
    const missing = nextYearMissing(cnPublicHolidays.years, new Date(), awaitingNotice);

    // Assess
    expect(
      missing,
      `no public holidays for ${missing}: see "Public holidays" in docs/sla.md`,
    ).toBeUndefined();
  });
});
