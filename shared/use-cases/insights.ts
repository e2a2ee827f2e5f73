import * as z from 'zod';
import {
  agentsNeeded,
  type Forecast,
  forecastVolume,
  addDays as nextDay,
} from '../domain/analytics/forecast.ts';
import {
  bucketCountsSql,
  dailyTeamCounts,
  sampleTicketsSql,
  seriesFromRows,
} from '../domain/analytics/insight-queries.ts';
import {
  type AnalyticsConfig,
  handleTimeOf,
  type Insight,
  type InsightStore,
  insightId,
  ownersOf,
  renderSpikeNotice,
  type StoredForecast,
  seriesLabel,
} from '../domain/analytics/insights.ts';
import { type Kpis, kpiReport } from '../domain/analytics/kpis.ts';
import type { ReportEngine } from '../domain/analytics/lake-records.ts';
import { businessToday, endOfBusinessDay } from '../domain/analytics/report-query.ts';
import {
  bucketMs,
  defaultSpikeConfig,
  detectSpikes,
  newEpisodes,
  type Spike,
  weekBuckets,
} from '../domain/analytics/spikes.ts';
import { DomainError, validationError } from '../domain/errors.ts';
import type { Notifier } from '../domain/notify/notifier.ts';
import type { Clock, Logger } from '../domain/ports.ts';
import type { RoutingConfigStore } from '../domain/routing/routing-config.store.ts';
import type { Contact, ContactDirectory } from '../domain/sla/contacts.ts';
import type { Locale } from '../domain/sla/notification-templates.ts';
import type { TicketStore } from '../domain/ticket/ticket.store.ts';
import { type EventPublisher, makeEvent } from '../events/catalogue.ts';

/**
 * The insight jobs and reads (docs/analytics.md, "Spikes", "Forecast and staffing", "Weekly digest"): spike
 * detection every 15 minutes, each team's forecast daily, the digest weekly; `GET /reports/insights` and
 * `GET /reports/forecast`.
 */
export interface InsightDeps {
  engine: ReportEngine;
  insights: InsightStore;
  clock: Clock;
  logger: Logger;
}

export interface InsightJobDeps extends InsightDeps {
  tickets: Pick<TicketStore, 'get'>;
  events: EventPublisher;
  email: Notifier;
  chat: Notifier;
  contacts: ContactDirectory;
  routing: Pick<RoutingConfigStore, 'get'>;
  /** Where the console shows the insights (the link in notices and the digest). */
  consoleLink: string;
}

/** The supervisors of the routing configuration's teams, as contacts (the default owners and the digest's readers). */
async function supervisors(deps: Pick<InsightJobDeps, 'routing' | 'contacts'>): Promise<Contact[]> {
  const config = await deps.routing.get();
  const ids = [...new Set((config?.teams ?? []).flatMap((t) => (t.supervisor ? [t.supervisor] : [])))];
  const found = await Promise.all(ids.map((id) => deps.contacts.agent(id)));
  return found.filter((c): c is Contact => c !== null);
}

interface Recipient {
  channel: 'email' | 'chat';
  to: string;
  locale: Locale;
}

async function recipientsOf(
  insight: Insight,
  config: AnalyticsConfig,
  deps: Pick<InsightJobDeps, 'routing' | 'contacts'>,
): Promise<Recipient[]> {
  const owners = ownersOf(insight.series, config);
  const out: Recipient[] = [];
  const add = (r: Recipient) => {
    if (!out.some((o) => o.channel === r.channel && o.to === r.to)) out.push(r);
  };
  for (const o of owners) {
    for (const to of o.email) add({ channel: 'email', to, locale: o.locale });
    for (const to of o.chat) add({ channel: 'chat', to, locale: o.locale });
  }
  if (out.length === 0) {
    for (const s of await supervisors(deps)) {
      if (s.email) add({ channel: 'email', to: s.email, locale: s.locale });
      if (s.chat) add({ channel: 'chat', to: s.chat, locale: s.locale });
    }
  }
  return out;
}

/**
 * Publishes the event and sends the notices of a stored insight, then marks it sent. Safe to repeat: the
 * event's id is the insight's (consumers drop replays), each notice has an idempotency key.
 */
async function deliver(insight: Insight, config: AnalyticsConfig, deps: InsightJobDeps): Promise<Insight> {
  await deps.events.publish([
    makeEvent(insight.id, 'insight.spike_detected', {
      insightId: insight.id,
      series: insight.series,
      count: insight.count,
      expected: insight.expected,
      factor: insight.factor,
      pValue: insight.pValue,
      windowStart: insight.windowStart,
      windowEnd: insight.windowEnd,
      sampleTicketIds: insight.sampleTickets.map((t) => t.id),
      occurredAt: insight.detectedAt,
    }),
  ]);
  const link = `${deps.consoleLink.replace(/\/+$/, '')}/reports/insights`;
  const notified: string[] = [];
  let failed = false;
  for (const r of await recipientsOf(insight, config, deps)) {
    const message = renderSpikeNotice(insight, r.locale, link);
    const notifier = r.channel === 'email' ? deps.email : deps.chat;
    try {
      await notifier.send({
        channel: r.channel,
        to: r.to,
        subject: message.subject,
        body: message.body,
        ticketId: null,
        kind: 'insight.spike',
        idempotencyKey: `insight:${insight.id}:${r.channel}:${r.to}`,
      });
      notified.push(`${r.channel}:${r.to}`);
    } catch (error) {
      // One unreachable owner does not hold back the others; the insight stays pending and the job's next
      // run sends again (the local outbox keeps one message per key; SES may repeat one, as SLA mail can).
      failed = true;
      deps.logger.warn('insight.notify_failed', {
        insightId: insight.id,
        channel: r.channel,
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
  }
  if (failed) return insight;
  await deps.insights.markSent(insight, notified);
  return { ...insight, notified, status: 'sent' };
}

export interface SpikeRunResult {
  series: number;
  spikes: number;
  created: string[];
}

/**
 * The spike job (every 15 minutes):
 * 1. read the last `weeks` weeks of new-ticket counts per 15-minute bucket from the lake;
 * 2. test every series' trailing windows against its seasonal baseline (spikes.ts);
 * 3. drop spikes of a series whose episode is already an insight (its window reaches this one's start);
 * 4. store each new one (deterministic id, conditional: a re-run or a parallel run stores it once) with
 *    sample tickets; then publish `insight.spike_detected` and notify the owners, and mark it sent;
 * 5. finish insights a failed run left pending.
 */
export async function runSpikeDetection(deps: InsightJobDeps): Promise<SpikeRunResult> {
  const config = defaultSpikeConfig;
  const now = deps.clock.now();
  const endBucket = Math.floor(now.getTime() / bucketMs);
  const span =
    config.weeks * weekBuckets +
    Math.max(...config.windows) +
    config.referenceBuckets +
    config.neighbourhood +
    4;
  const fromMs = (endBucket - span) * bucketMs;
  const rows = await deps.engine.query(bucketCountsSql(fromMs, endBucket * bucketMs));
  const series = seriesFromRows(rows);
  const firstBucket = rows.reduce((m, r) => Math.min(m, Number(r.bucket)), endBucket);
  const spikes = detectSpikes(series, endBucket, { historyStartBucket: firstBucket });

  const recent = await deps.insights.list(new Date(now.getTime() - 2 * 86_400_000).toISOString(), '9999');
  const openUntil = new Map<string, number>();
  for (const i of recent) {
    const end = Date.parse(i.windowEnd) / bucketMs;
    openUntil.set(i.seriesId, Math.max(openUntil.get(i.seriesId) ?? 0, end));
  }
  const fresh = newEpisodes(spikes, openUntil);
  const analytics = await deps.insights.config();
  const created: string[] = [];
  for (const spike of fresh) {
    const insight = await insightOf(spike, now, deps);
    if (await deps.insights.create(insight)) {
      created.push(insight.id);
      deps.logger.info('insight.spike_detected', {
        insightId: insight.id,
        series: spike.seriesId,
        count: spike.count,
      });
      await deliver(insight, analytics, deps);
    }
  }
  for (const pending of recent.filter((i) => i.status === 'pending')) await deliver(pending, analytics, deps);
  return { series: series.length, spikes: spikes.length, created };
}

async function insightOf(spike: Spike, now: Date, deps: InsightJobDeps): Promise<Insight> {
  const rows = await deps.engine.query(
    sampleTicketsSql(spike.key, spike.windowStartBucket * bucketMs, spike.windowEndBucket * bucketMs),
  );
  const sampleTickets = await Promise.all(
    rows.map(async (r) => {
      const ticket = await deps.tickets.get(String(r.ticket_id));
      return { id: String(r.ticket_id), number: String(r.number), subject: ticket?.subject ?? '' };
    }),
  );
  return {
    id: insightId(spike),
    kind: 'spike',
    series: spike.key,
    seriesId: spike.seriesId,
    count: spike.count,
    expected: spike.expected,
    factor: spike.factor,
    pValue: spike.pValue,
    windowStart: spike.windowStart,
    windowEnd: spike.windowEnd,
    detectedAt: now.toISOString(),
    sampleTickets,
    notified: [],
    status: 'pending',
  };
}

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().startsWith(d);
  }, 'not a calendar day');

export const InsightsQuery = z
  .strictObject({ from: Day.optional(), to: Day.optional() })
  .superRefine((q, ctx) => {
    if (q.from && q.to && q.from > q.to)
      ctx.addIssue({ code: 'custom', path: ['from'], message: `from (${q.from}) is after to (${q.to})` });
  });
export type InsightsQuery = z.infer<typeof InsightsQuery>;

/** `GET /reports/insights`: the insights detected on the business days from `from` to `to` (default the last 28), newest first. */
export async function listInsights(query: InsightsQuery, deps: Pick<InsightDeps, 'insights' | 'clock'>) {
  const today = businessToday(deps.clock.now());
  const to = query.to ?? today;
  const from = query.from ?? nextDay(to, -27);
  if (from > to)
    throw validationError('The request query has invalid fields', [
      { path: 'from', message: `from (${from}) is after to (${to})`, code: 'custom' },
    ]);
  const startIso = new Date(endOfBusinessDay(nextDay(from, -1))).toISOString();
  const endIso = new Date(endOfBusinessDay(to)).toISOString();
  const items = await deps.insights.list(startIso, endIso, 500);
  return {
    period: { from, to },
    items: items.map(({ status: _status, kind: _kind, seriesId: _id, ...i }) => i),
  };
}

export const ForecastQuery = z.strictObject({
  team: z.string().trim().min(1).max(60),
  days: z.coerce.number().int().min(1).max(28).default(14),
});
export type ForecastQuery = z.infer<typeof ForecastQuery>;

/** History the forecast reads: enough for the backtest's 8 origins, 8 weeks of season and a year's holidays in part. */
export const forecastHistoryDays = 182;

async function computeForecast(
  team: string,
  deps: InsightDeps,
  horizon: number,
): Promise<StoredForecast | null> {
  const today = businessToday(deps.clock.now());
  const byTeam = await dailyTeamCounts(deps.engine, nextDay(today, -1), forecastHistoryDays, team);
  const history = byTeam.get(team);
  if (!history) return null;
  const forecast: Forecast = forecastVolume(history, today, { horizon });
  return { team, asOf: today, computedAt: deps.clock.now().toISOString(), forecast };
}

/**
 * `GET /reports/forecast`: the team's stored forecast when the daily job made it today (and it covers
 * `days`), else computed now from the lake (not stored: the route only reads). Agents needed at the
 * team's handle time and the configured productive hours and occupancy.
 */
export async function getForecast(query: ForecastQuery, deps: InsightDeps) {
  const today = businessToday(deps.clock.now());
  const stored = await deps.insights.getForecast(query.team);
  const current =
    stored && stored.asOf === today && stored.forecast.days.length >= query.days
      ? stored
      : await computeForecast(query.team, deps, Math.max(query.days, 14));
  if (!current)
    throw new DomainError(
      'not_found',
      'REPORT.UNKNOWN_TEAM',
      `No tickets of team ${query.team} in the last ${forecastHistoryDays} days`,
    );
  const config = await deps.insights.config();
  const handleTimeMinutes = handleTimeOf(query.team, config);
  const staffing = {
    handleTimeMinutes,
    productiveHoursPerDay: config.staffing.productiveHoursPerDay,
    occupancy: config.staffing.occupancy,
  };
  return {
    team: query.team,
    asOf: current.asOf,
    days: current.forecast.days.slice(0, query.days).map((d) => ({
      date: d.date,
      expected: d.expected,
      low: d.low,
      high: d.high,
      holiday: d.holiday,
      kind: d.kind,
      agentsNeeded: agentsNeeded(d.expected, staffing),
    })),
    backtest: current.forecast.backtest,
    handleTimeMinutes,
    staffing: { productiveHoursPerDay: staffing.productiveHoursPerDay, occupancy: staffing.occupancy },
  };
}

/** The forecast job (daily): each team's 14 days from the lake, stored for the day's reads. */
export async function runForecasts(deps: InsightDeps): Promise<{ teams: string[] }> {
  const today = businessToday(deps.clock.now());
  const byTeam = await dailyTeamCounts(deps.engine, nextDay(today, -1), forecastHistoryDays);
  const teams: string[] = [];
  for (const [team, history] of byTeam) {
    const forecast = forecastVolume(history, today);
    await deps.insights.putForecast({
      team,
      asOf: today,
      computedAt: deps.clock.now().toISOString(),
      forecast,
    });
    teams.push(team);
  }
  return { teams: teams.sort() };
}

const pct = (v: number | null) => (v === null ? '–' : `${Math.round(v * 1000) / 10}%`);
const hours = (s: number | null) => (s === null ? '–' : `${Math.round((s / 3600) * 10) / 10} h`);

/** The digest's text, zh or en: the week's headline KPIs, the previous week's for comparison, the insights. */
export function renderDigest(
  week: { from: string; to: string },
  kpis: Kpis,
  previous: Kpis,
  insights: readonly Insight[],
  locale: Locale,
  link: string,
): { subject: string; body: string } {
  const change =
    previous.volume > 0 ? Math.round(((kpis.volume - previous.volume) / previous.volume) * 1000) / 10 : null;
  const changeText = change === null ? '' : ` (${change >= 0 ? '+' : ''}${change}%)`;
  const list = insights
    .slice(0, 10)
    .map(
      (i) => `  · ${seriesLabel(i.series, locale)}: ${i.count} (${i.factor}×) ${i.windowStart.slice(0, 10)}`,
    );
  if (locale === 'zh') {
    return {
      subject: `【工单周报】${week.from} – ${week.to}：新建 ${kpis.volume} 单${changeText}`,
      body: [
        `本周（${week.from} – ${week.to}）概览：`,
        `  新建工单：${kpis.volume}${changeText}`,
        `  首次响应 P50（工作时间）：${hours(kpis.firstResponse.p50Business)}；解决 P50（工作时间）：${hours(kpis.resolution.p50Business)}`,
        `  SLA 达成率：首次响应 ${pct(kpis.slaCompliance.firstResponse)}，解决 ${pct(kpis.slaCompliance.resolution)}`,
        `  一次解决率：${pct(kpis.fcr)}；重开率：${pct(kpis.reopenRate)}；满意度：${kpis.csat ?? '–'}（${kpis.csatCount} 份）`,
        insights.length ? `本周工单激增 ${insights.length} 次：` : '本周没有发现工单激增。',
        ...list,
        `查看报表：${link}`,
      ].join('\n'),
    };
  }
  return {
    subject: `[Weekly digest] ${week.from} – ${week.to}: ${kpis.volume} new tickets${changeText}`,
    body: [
      `The week ${week.from} – ${week.to}:`,
      `  New tickets: ${kpis.volume}${changeText}`,
      `  First response p50 (business time): ${hours(kpis.firstResponse.p50Business)}; resolution p50 (business time): ${hours(kpis.resolution.p50Business)}`,
      `  SLA met: first response ${pct(kpis.slaCompliance.firstResponse)}, resolution ${pct(kpis.slaCompliance.resolution)}`,
      `  First-contact resolution: ${pct(kpis.fcr)}; reopen rate: ${pct(kpis.reopenRate)}; CSAT: ${kpis.csat ?? '–'} (${kpis.csatCount} ratings)`,
      insights.length ? `${insights.length} ticket spike(s) this week:` : 'No ticket spikes this week.',
      ...list,
      `See the reports: ${link}`,
    ].join('\n'),
  };
}

/**
 * The weekly digest (Mondays 09:00 business time): the last full week's KPIs (against the week before)
 * and its insights, e-mailed to the supervisors and the configured digest recipients, once per week and
 * address (the idempotency key names the week).
 */
export async function runDigest(
  deps: InsightJobDeps,
): Promise<{ week: { from: string; to: string }; sent: string[] }> {
  const now = deps.clock.now();
  const today = businessToday(now);
  const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7;
  const to = nextDay(today, -weekday - 1);
  const from = nextDay(to, -6);
  const scope = { from, to, filters: {} };
  const previousScope = { from: nextDay(from, -7), to: nextDay(to, -7), filters: {} };
  const [report, previous] = await Promise.all([
    kpiReport(deps.engine, scope, [], now, endOfBusinessDay(to)),
    kpiReport(deps.engine, previousScope, [], now, endOfBusinessDay(previousScope.to)),
  ]);
  const insights = await deps.insights.list(
    new Date(endOfBusinessDay(nextDay(from, -1))).toISOString(),
    new Date(endOfBusinessDay(to)).toISOString(),
  );
  const config = await deps.insights.config();
  const link = `${deps.consoleLink.replace(/\/+$/, '')}/reports`;
  const readers: Recipient[] = [];
  for (const s of await supervisors(deps))
    if (s.email) readers.push({ channel: 'email', to: s.email, locale: s.locale });
  for (const to of config.digest.to) readers.push({ channel: 'email', to, locale: 'zh' });
  const sent: string[] = [];
  for (const r of readers.filter((r, i) => readers.findIndex((o) => o.to === r.to) === i)) {
    const message = renderDigest({ from, to }, report.totals, previous.totals, insights, r.locale, link);
    await deps.email.send({
      channel: 'email',
      to: r.to,
      subject: message.subject,
      body: message.body,
      ticketId: null,
      kind: 'insight.digest',
      idempotencyKey: `digest:${from}:${r.to}`,
    });
    sent.push(r.to);
  }
  return { week: { from, to }, sent };
}
