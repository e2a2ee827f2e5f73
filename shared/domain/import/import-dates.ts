import { DateTime } from 'luxon';

export type DateReading =
  | { kind: 'ok'; iso: string }
  | { kind: 'ambiguous'; readings: [string, string] }
  | { kind: 'invalid' };

export interface DateOptions {
  timeZone: string;
  dateOrder?: 'dmy' | 'mdy' | undefined;
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const time = String.raw`(?:[ T]+(上午|下午|晚上)?\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2})(?:\.\d+)?)?\s*(am|pm)?)?`;
const yearFirst = new RegExp(String.raw`^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})${time}$`, 'i');
const yearLast = new RegExp(String.raw`^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})${time}$`, 'i');
const chinese =
  /^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?(?:\s*(上午|下午|晚上)?\s*(\d{1,2})\s*[点时:：]\s*(?:(\d{1,2})\s*分?)?\s*(?:(\d{1,2})\s*秒)?)?$/;
const isoLike = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;
const serialText = /^\d{5}(?:\.\d+)?$/;
const compact = /^(\d{4})(\d{2})(\d{2})$/;

const hourOf = (hour: string | undefined, meridiem: string | undefined) => {
  let h = Number(hour ?? 0);
  const m = meridiem?.toLowerCase();
  if ((m === 'pm' || m === '下午' || m === '晚上') && h < 12) h += 12;
  if (m === 'am' && h === 12) h = 0;
  return h;
};

const inZone = (parts: Parts, timeZone: string): string | null => {
  const dt = DateTime.fromObject(parts, { zone: timeZone });
  if (!dt.isValid || dt.month !== parts.month || dt.day !== parts.day) return null;
  return dt.toUTC().toJSDate().toISOString();
};

const plain = (p: Parts, withTime: boolean) => {
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${p.year}-${pad(p.month)}-${pad(p.day)}`;
  return withTime ? `${date} ${pad(p.hour)}:${pad(p.minute)}` : date;
};

/** An Excel serial day number (1900 date system) as wall-clock parts. */
export const serialToParts = (serial: number): Parts => {
  // Day 0 is 1899-12-30 once Excel's phantom 1900-02-29 (day 60) is accounted for.
  const ms = Math.round((serial - 25_569) * 86_400_000);
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
};

/** A date's wall-clock parts as exceljs reports them (in the UTC fields). */
const wallClock = (d: Date): Parts => ({
  year: d.getUTCFullYear(),
  month: d.getUTCMonth() + 1,
  day: d.getUTCDate(),
  hour: d.getUTCHours(),
  minute: d.getUTCMinutes(),
  second: d.getUTCSeconds(),
});

/**
 * A date or date-time as people write it in a spreadsheet, as ISO-8601 UTC. Times without an offset are in
 * `timeZone`. `03/04/2026` is ambiguous unless `dateOrder` says how to read it; `21/01/2026` is not.
 */
export function readDate(value: string | number | Date, options: DateOptions): DateReading {
  const invalid = { kind: 'invalid' } as const;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return invalid;
    const iso = inZone(wallClock(value), options.timeZone);
    return iso ? { kind: 'ok', iso } : invalid;
  }
  if (typeof value === 'number') {
    if (!(value >= 1 && value < 2_958_466)) return invalid;
    const iso = inZone(serialToParts(value), options.timeZone);
    return iso ? { kind: 'ok', iso } : invalid;
  }
  const text = value.trim().normalize('NFKC');
  if (serialText.test(text)) return readDate(Number(text), options);
  const c = compact.exec(text);
  if (c) {
    const iso = inZone(
      { year: Number(c[1]), month: Number(c[2]), day: Number(c[3]), hour: 0, minute: 0, second: 0 },
      options.timeZone,
    );
    return iso ? { kind: 'ok', iso } : invalid;
  }
  if (isoLike.test(text)) {
    const dt = DateTime.fromISO(text.replace(' ', 'T'), { zone: options.timeZone });
    return dt.isValid ? { kind: 'ok', iso: dt.toUTC().toJSDate().toISOString() } : invalid;
  }
  const fromTime = (m: RegExpExecArray, at: number) => ({
    hour: hourOf(m[at + 1], m[at] ?? m[at + 4]),
    minute: Number(m[at + 2] ?? 0),
    second: Number(m[at + 3] ?? 0),
  });
  let m = yearFirst.exec(text);
  if (m) {
    const iso = inZone(
      { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), ...fromTime(m, 4) },
      options.timeZone,
    );
    return iso ? { kind: 'ok', iso } : invalid;
  }
  m = chinese.exec(text);
  if (m) {
    const iso = inZone(
      {
        year: Number(m[1]),
        month: Number(m[2]),
        day: Number(m[3]),
        hour: hourOf(m[5], m[4]),
        minute: Number(m[6] ?? 0),
        second: Number(m[7] ?? 0),
      },
      options.timeZone,
    );
    return iso ? { kind: 'ok', iso } : invalid;
  }
  m = yearLast.exec(text);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    const rest = { year: Number(m[3]), ...fromTime(m, 4) };
    const dmy = { ...rest, day: a, month: b };
    const mdy = { ...rest, day: b, month: a };
    let order = options.dateOrder;
    if (a > 12) order = 'dmy';
    else if (b > 12) order = 'mdy';
    else if (a === b) order = 'dmy';
    if (!order) {
      const withTime = m[6] !== undefined;
      if (!inZone(mdy, options.timeZone) || !inZone(dmy, options.timeZone)) return invalid;
      return { kind: 'ambiguous', readings: [plain(mdy, withTime), plain(dmy, withTime)] };
    }
    const iso = inZone(order === 'dmy' ? dmy : mdy, options.timeZone);
    return iso ? { kind: 'ok', iso } : invalid;
  }
  return invalid;
}
