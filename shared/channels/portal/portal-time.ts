import type { Lang } from './portal-text.ts';

const locales: Record<Lang, string> = { zh: 'zh-CN', en: 'en-GB' };

/**
 * A moment as the customer reads it: in the portal's time zone (`PortalConfig.timeZone`), the zone
 * named as `Intl` names it in the page's language — "2026年12月7日 04:41（中国标准时间）",
 * "7 Dec 2026, 04:41 (China Standard Time)". All conversion is `Intl.DateTimeFormat`'s.
 */
export function customerTime(at: Date, lang: Lang, timeZone: string): string {
  const locale = locales[lang];
  const text = new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    hourCycle: 'h23',
    timeZone,
  }).format(at);
  const zone =
    new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'long' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
  return lang === 'zh' ? `${text}（${zone}）` : `${text} (${zone})`;
}
