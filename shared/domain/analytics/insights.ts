import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { Locale } from '../sla/notification-templates.ts';
import type { Forecast } from './forecast.ts';
import type { SeriesKey, Spike } from './spikes.ts';

/**
 * Insights that arrive by themselves (docs/analytics.md): spikes found by the detector, kept 180 days,
 * each notified to the series' owners once; the analytics configuration (`CONFIG`/`analytics`) names the
 * owners and the staffing assumptions.
 */

export const Series = z.object({
  intent: z.string().optional(),
  category: z.string().optional(),
  product: z.string().optional(),
  model: z.string().optional(),
  region: z.string().optional(),
});

export interface SampleTicket {
  id: string;
  number: string;
  subject: string;
}

export interface Insight {
  id: string;
  kind: 'spike';
  series: SeriesKey;
  seriesId: string;
  count: number;
  expected: number;
  factor: number;
  pValue: number;
  windowStart: string;
  windowEnd: string;
  detectedAt: string;
  sampleTickets: SampleTicket[];
  /** Who was told, as `email:<address>` / `chat:<hook>`; empty until the notices went out. */
  notified: string[];
  /** `pending` until the event is published and the notices sent (a re-run finishes a pending one). */
  status: 'pending' | 'sent';
}

/** Deterministic: the same series and window is the same insight, whichever run finds it. */
export function insightId(spike: Pick<Spike, 'seriesId' | 'windowStart' | 'windowEnd'>): string {
  const hash = createHash('sha256').update(`${spike.seriesId}\n${spike.windowStart}\n${spike.windowEnd}`);
  return `ins_${hash.digest('hex').slice(0, 24)}`;
}

/** How long an insight is kept. */
export const insightTtlDays = 180;

const Owner = z.strictObject({
  /** Which series this owner hears about: every given dimension must match (none: every series). */
  match: z
    .strictObject({
      product: z.string().optional(),
      intent: z.string().optional(),
      category: z.string().optional(),
      model: z.string().optional(),
      region: z.string().optional(),
    })
    .default({}),
  email: z.array(z.email()).max(20).default([]),
  /** Chat incoming-webhook URLs (WeCom, DingTalk, Slack). */
  chat: z.array(z.url()).max(5).default([]),
  locale: z.enum(['zh', 'en']).default('zh'),
});

/**
 * `CONFIG`/`analytics`: who owns which series (e.g. R&D for a product line; nobody matching → the
 * supervisors), the digest's extra recipients, and the staffing assumptions per team.
 */
export const AnalyticsConfig = z.strictObject({
  owners: z.array(Owner).max(100).default([]),
  digest: z.strictObject({ to: z.array(z.email()).max(50).default([]) }).default({ to: [] }),
  staffing: z
    .strictObject({
      /** Minutes of agent work per ticket, per team (`*`: every other team). */
      handleTimeMinutes: z
        .record(
          z.string(),
          z
            .number()
            .positive()
            .max(24 * 60),
        )
        .default({}),
      productiveHoursPerDay: z.number().positive().max(24).default(6.5),
      occupancy: z.number().gt(0).max(1).default(0.85),
    })
    .default({ handleTimeMinutes: {}, productiveHoursPerDay: 6.5, occupancy: 0.85 }),
});
export type AnalyticsConfig = z.infer<typeof AnalyticsConfig>;
export type InsightOwner = z.infer<typeof Owner>;

/** The owners whose `match` fits the series (a dimension the owner names must be the series' value). */
export function ownersOf(series: SeriesKey, config: AnalyticsConfig): InsightOwner[] {
  return config.owners.filter((o) =>
    Object.entries(o.match).every(([d, v]) => v === undefined || series[d as keyof SeriesKey] === v),
  );
}

export const defaultHandleTimeMinutes = 20;

export function handleTimeOf(team: string, config: AnalyticsConfig): number {
  const h = config.staffing.handleTimeMinutes;
  return h[team] ?? h['*'] ?? defaultHandleTimeMinutes;
}

/** A stored forecast of one team (the daily job's, or one computed on request and cached for the day). */
export interface StoredForecast {
  team: string;
  /** The business day it was computed for (its first forecast day is the next). */
  asOf: string;
  computedAt: string;
  forecast: Forecast;
}

/** Where insights, forecasts and the analytics configuration are kept (the ticket table). */
export interface InsightStore {
  /** Stores a new insight; false when one with this id exists already (nothing written). */
  create(insight: Insight): Promise<boolean>;
  get(id: string): Promise<Insight | null>;
  /** Marks the notices sent, with who was told. */
  markSent(insight: Insight, notified: string[]): Promise<void>;
  /** Insights detected in [from, to), newest first. */
  list(from: string, to: string, limit?: number): Promise<Insight[]>;
  config(): Promise<AnalyticsConfig>;
  getForecast(team: string): Promise<StoredForecast | null>;
  putForecast(forecast: StoredForecast): Promise<void>;
}

const labels: Record<keyof SeriesKey, Record<Locale, string>> = {
  intent: { zh: '意图', en: 'intent' },
  category: { zh: '类别', en: 'category' },
  product: { zh: '产品线', en: 'product' },
  model: { zh: '型号', en: 'model' },
  region: { zh: '地区', en: 'region' },
};

/** `产品线 空调 · 意图 installation` / `product 空调 · intent installation`. */
export function seriesLabel(series: SeriesKey, locale: Locale): string {
  return (Object.keys(labels) as Array<keyof SeriesKey>)
    .filter((d) => series[d] !== undefined)
    .map((d) => `${labels[d][locale]} ${series[d]}`)
    .join(' · ');
}

const shanghai = (iso: string) =>
  new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

/** The spike notice, e-mail or chat, in Chinese or English (the SLA messages' style: subject, lead, facts, link). */
export function renderSpikeNotice(
  insight: Insight,
  locale: Locale,
  link: string,
): { subject: string; body: string } {
  const series = seriesLabel(insight.series, locale);
  const window = `${shanghai(insight.windowStart)} – ${shanghai(insight.windowEnd).slice(11)} (Asia/Shanghai)`;
  const samples = insight.sampleTickets.map((t) => `  ${t.number} ${t.subject}`);
  if (locale === 'zh') {
    return {
      subject: `【工单激增】${series}：${insight.count} 单，约为平常的 ${insight.factor} 倍`,
      body: [
        `${window}，${series} 新建工单 ${insight.count} 单，同期通常约 ${insight.expected} 单（${insight.factor} 倍，p = ${insight.pValue.toExponential(1)}）。`,
        ...(samples.length ? ['示例工单：', ...samples] : []),
        `查看洞察：${link}`,
      ].join('\n'),
    };
  }
  return {
    subject: `[Ticket spike] ${series}: ${insight.count} tickets, ${insight.factor}× the usual`,
    body: [
      `${window}: ${insight.count} new tickets for ${series}, against about ${insight.expected} usually (${insight.factor}×, p = ${insight.pValue.toExponential(1)}).`,
      ...(samples.length ? ['Sample tickets:', ...samples] : []),
      `See the insights: ${link}`,
    ].join('\n'),
  };
}
