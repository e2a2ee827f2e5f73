import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { duckdbReportEngine } from '../../shared/adapters/analytics/duckdb-report-engine.ts';
import type { TicketEventRow, TicketFactRow } from '../../shared/domain/analytics/lake-records.ts';
import { sqlString } from '../../shared/domain/analytics/sql.ts';
import { cnPublicHolidays } from '../../shared/domain/sla/cn-public-holidays.ts';

/**
 * A realistic, deterministic ticket history for the analytics lake (contract §5, docs/analytics.md):
 * rows as the lake pipeline writes them — one `ticket_facts` row per committed change (the ticket as it
 * stands after it) and one `ticket_events` row per audit event — so report SQL can be tested against
 * known truths.
 *
 * - Volume: weekdays busier than weekends, Chinese public holidays quieter, an intraday profile; the
 *   baseline `tickets` are spread over the `days` ending on `end` (business days, Asia/Shanghai).
 * - Tickets: teams `desk`, `field`, `vip` with their agents, products (line + model), regions, intents,
 *   channels, priorities, tiers; status moves new → open (→ pending → open) → resolved → closed, transfers,
 *   reopens, staff replies and notes, CSAT ratings on some. Business time is the `cn-office` calendar
 *   (09:00–12:00, 13:00–18:00, Mon–Fri, CN holidays and make-up days).
 * - Planted truths: `slowTeam`'s resolution times are ×3 (every team otherwise draws from the same
 *   distribution); `spike` adds `(factor − 1) ×` that day's count of the product × intent series.
 * - Delivery is at least once: `duplicateRate` of the rows are written twice (default 1%), so SQL must
 *   dedupe (`latestFacts`, `distinctEvents`). The yielded rows include the copies.
 * - Nothing happens after the end of `end` (local midnight): later steps are cut off, so recent tickets
 *   are still open (a backlog).
 */
export interface HistoryOptions {
  tickets: number;
  days: number;
  /** The last day (`YYYY-MM-DD`, business zone) with new tickets. */
  end: string;
  seed?: number;
  /** Planted: this team resolves three times slower. */
  slowTeam?: string;
  /** Planted: on `day`, `factor` × the usual tickets of `product` × `intent`, within local `hours` (default 9–18). */
  spike?: { product: string; intent: string; day: string; factor: number; hours?: [number, number] };
  /** Share of rows delivered twice (default 0.01). */
  duplicateRate?: number;
}

export interface GeneratedTicket {
  facts: TicketFactRow[];
  events: TicketEventRow[];
}

export const historyZoneOffsetMs = 8 * 3_600_000;
const dayMs = 86_400_000;
const hourMs = 3_600_000;
const minuteMs = 60_000;

export const historyTeams = {
  desk: [
    'agent-desk-01',
    'agent-desk-02',
    'agent-desk-03',
    'agent-desk-04',
    'agent-desk-05',
    'agent-desk-06',
  ],
  field: ['agent-field-01', 'agent-field-02', 'agent-field-03', 'agent-field-04', 'agent-field-05'],
  vip: ['agent-vip-01', 'agent-vip-02', 'agent-vip-03'],
} as const;
type Team = keyof typeof historyTeams;

export const historyProducts: ReadonlyArray<{ line: string; models: string[]; weight: number }> = [
  { line: '空调', models: ['KFR-35GW', 'KFR-50LW', 'KFR-72LW'], weight: 0.3 },
  { line: '洗衣机', models: ['XQG100-B14', 'XQB80-M21'], weight: 0.22 },
  { line: '冰箱', models: ['BCD-520W', 'BCD-405WD'], weight: 0.2 },
  { line: '热水器', models: ['JSQ25-13', 'EC6002-MC3'], weight: 0.16 },
  { line: '电视', models: ['65E8', '55A6'], weight: 0.12 },
];

export const historyRegions: ReadonlyArray<readonly [string, number]> = [
  ['北京市/朝阳区', 0.1],
  ['北京市/海淀区', 0.08],
  ['上海市/浦东新区', 0.12],
  ['广东省/广州市', 0.12],
  ['广东省/深圳市', 0.11],
  ['浙江省/杭州市', 0.1],
  ['四川省/成都市', 0.1],
  ['江苏省/南京市', 0.09],
  ['湖北省/武汉市', 0.08],
  ['山东省/济南市', 0.1],
];

export const historyIntents: ReadonlyArray<readonly [string, number, string]> = [
  ['repair', 0.34, 'after-sales'],
  ['installation', 0.2, 'installation'],
  ['inquiry', 0.24, 'pre-sales'],
  ['complaint', 0.12, 'complaint'],
  ['return', 0.1, 'returns'],
];

const channelWeights: ReadonlyArray<readonly [string, number]> = [
  ['web', 0.35],
  ['phone', 0.3],
  ['email', 0.2],
  ['api', 0.1],
  ['import', 0.05],
];
const priorityWeights: ReadonlyArray<readonly [string, number]> = [
  ['low', 0.15],
  ['normal', 0.6],
  ['high', 0.2],
  ['urgent', 0.05],
];
/** SLA targets in business minutes, and the median business minutes to first reply / to resolve. */
export const historySla: Record<
  string,
  { firstResponse: number; resolution: number; frMedian: number; resMedian: number }
> = {
  urgent: { firstResponse: 30, resolution: 240, frMedian: 15, resMedian: 120 },
  high: { firstResponse: 60, resolution: 480, frMedian: 30, resMedian: 240 },
  normal: { firstResponse: 240, resolution: 1440, frMedian: 90, resMedian: 480 },
  low: { firstResponse: 480, resolution: 2880, frMedian: 180, resMedian: 720 },
};
/** Intraday arrival weights by local hour (0–23). */
const hourWeights = [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 4, 7, 9, 9, 6, 7, 8, 8, 7, 6, 4, 3, 3, 2.5, 2, 1.5];

/** mulberry32: small, fast and deterministic. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, items: ReadonlyArray<readonly [T, number, ...unknown[]]>): T => {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [v, w] of items) {
    x -= w;
    if (x < 0) return v;
  }
  return (items[items.length - 1] as readonly [T, number])[0];
};
const one = <T>(r: Rand, items: readonly T[]): T => items[Math.floor(r() * items.length)] as T;
/** Log-normal with the given median and shape. */
const logNormal = (r: Rand, median: number, sigma: number) => {
  const u = Math.max(r(), 1e-12);
  const v = r();
  return median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
};
const exponential = (r: Rand, mean: number) => -Math.log(Math.max(r(), 1e-12)) * mean;

export const addDay = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * dayMs).toISOString().slice(0, 10);
/** The business-zone day of an instant. */
export const localDay = (ms: number) => new Date(ms + historyZoneOffsetMs).toISOString().slice(0, 10);
const localMidnight = (day: string) => Date.parse(`${day}T00:00:00Z`) - historyZoneOffsetMs;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** `YYYY-Www` (ISO 8601 week) of a `YYYY-MM-DD` day. */
export function isoWeek(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0
  d.setUTCDate(d.getUTCDate() - weekday + 3); // Thursday of this week
  const year = d.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(year, 0, 4));
  firstThursday.setUTCDate(firstThursday.getUTCDate() - ((firstThursday.getUTCDay() + 6) % 7) + 3);
  const week = 1 + Math.round((d.getTime() - firstThursday.getTime()) / (7 * dayMs));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** Whether a local day is a working day of the `cn-office` calendar. */
const workingDays = new Map<string, boolean>();
export function isWorkingDay(day: string): boolean {
  const known = workingDays.get(day);
  if (known !== undefined) return known;
  const working = computeWorkingDay(day);
  workingDays.set(day, working);
  return working;
}
function computeWorkingDay(day: string): boolean {
  if (cnPublicHolidays.workdays.has(day)) return true;
  if (cnPublicHolidays.holidays.has(day)) return false;
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

const officeSpans: ReadonlyArray<readonly [number, number]> = [
  [9 * hourMs, 12 * hourMs],
  [13 * hourMs, 18 * hourMs],
];

/** Working ms in [a, b) on the `cn-office` calendar (the same answer as `businessMsBetween`, faster). */
export function businessMs(a: number, b: number): number {
  if (b <= a) return 0;
  let total = 0;
  for (let n = dayNumber(a); midnightOf(n) < b; n++) {
    if (!workingDayNumber(n)) continue;
    const base = midnightOf(n);
    for (const [s, e] of officeSpans) total += Math.max(0, Math.min(base + e, b) - Math.max(base + s, a));
  }
  return total;
}

/** The instant `ms` working ms after `start` on the `cn-office` calendar. */
export function addBusiness(start: number, ms: number): number {
  let remaining = ms;
  for (let n = dayNumber(start); ; n++) {
    if (!workingDayNumber(n)) continue;
    const base = midnightOf(n);
    for (const [s, e] of officeSpans) {
      const from = Math.max(base + s, start);
      const to = base + e;
      if (to <= from) continue;
      if (to - from >= remaining) return from + remaining;
      remaining -= to - from;
    }
  }
}

/** Local days as integers (days since 1970-01-01 in the business zone), for the hot loops above. */
const dayNumber = (ms: number) => Math.floor((ms + historyZoneOffsetMs) / dayMs);
const midnightOf = (n: number) => n * dayMs - historyZoneOffsetMs;
const workingByNumber = new Map<number, boolean>();
function workingDayNumber(n: number): boolean {
  const known = workingByNumber.get(n);
  if (known !== undefined) return known;
  const working = isWorkingDay(new Date(n * dayMs).toISOString().slice(0, 10));
  workingByNumber.set(n, working);
  return working;
}

/** Largest-remainder split of `total` by `weights`. */
function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((s, c) => s + c, 0);
  const order = exact
    .map((e, i) => [e - Math.floor(e), i] as const)
    .sort((x, y) => y[0] - x[0] || x[1] - y[1]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return counts;
}

/** The weight of a day's volume: weekends and holidays quieter, a little deterministic noise. */
function dayWeight(day: string, r: Rand): number {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  let w = cnPublicHolidays.holidays.has(day) ? 0.35 : weekday === 0 || weekday === 6 ? 0.55 : 1;
  if (cnPublicHolidays.workdays.has(day)) w = 0.9;
  return w * (0.9 + 0.2 * r());
}

interface Draft {
  index: number;
  createdMs: number;
  product: string | null;
  model: string | null;
  intent: string;
}

interface State {
  status: string;
  team: string;
  agent: string | null;
  firstResponseMs: number | null;
  resolvedMs: number | null;
  closedMs: number | null;
  csat: number | null;
}

function buildTicket(d: Draft, o: HistoryOptions, r: Rand, cutoff: number): GeneratedTicket {
  const seed = o.seed ?? 1;
  const ticketId = `t-${seed}-${String(d.index).padStart(7, '0')}`;
  const number = `GD-${String(100000 + d.index)}`;
  const category = historyIntents.find(([i]) => i === d.intent)?.[2] ?? null;
  const channel = pick(r, channelWeights);
  let priority = pick(r, priorityWeights);
  if (d.intent === 'complaint' && priority === 'low') priority = 'normal';
  const tier = r() < 0.12 ? 'vip' : 'standard';
  const region = pick(r, historyRegions);
  const firstTeam: Team =
    tier === 'vip'
      ? 'vip'
      : d.intent === 'repair' || d.intent === 'installation'
        ? r() < 0.8
          ? 'field'
          : 'desk'
        : 'desk';
  const customer = `cust-${Math.floor(r() * 50_000)}`;
  const sla = historySla[priority] ?? historySla.normal;
  if (!sla) throw new Error(`no SLA for ${priority}`);
  const created = d.createdMs;
  const frDue = addBusiness(created, sla.firstResponse * minuteMs);
  const resDue = addBusiness(created, sla.resolution * minuteMs);

  type Step = Omit<TicketEventRow, 'event_id' | 'ticket_id' | 'version' | 'dt' | 'channel'> & {
    apply: (s: State) => void;
  };
  const steps: Step[] = [];
  const staff = (agent: string | null) => ({ actor_id: agent ?? 'agent-desk-01', actor_role: 'agent' });
  const move = (
    at: number,
    from: string,
    to: string,
    actor: { actor_id: string; actor_role: string },
    agent: string | null,
  ) =>
    steps.push({
      at_ms: at,
      type: 'transitioned',
      ...actor,
      from_status: from,
      to_status: to,
      from_team: null,
      to_team: null,
      agent,
      public: null,
      apply: (s) => {
        s.status = to;
        if (to === 'resolved') s.resolvedMs = at;
        if (to === 'closed') s.closedMs = at;
      },
    });
  const reply = (at: number, agent: string | null, role: 'agent' | 'customer', isPublic = true) =>
    steps.push({
      at_ms: at,
      type: isPublic ? 'replied' : 'noted',
      ...(role === 'agent' ? staff(agent) : { actor_id: customer, actor_role: 'customer' }),
      from_status: null,
      to_status: null,
      from_team: null,
      to_team: null,
      agent,
      public: isPublic,
      apply: (s) => {
        if (role === 'agent' && isPublic && s.firstResponseMs === null) s.firstResponseMs = at;
      },
    });

  // created, by the customer (or an agent on the phone)
  steps.push({
    at_ms: created,
    type: 'created',
    ...(channel === 'phone'
      ? staff(one(r, historyTeams[firstTeam]))
      : { actor_id: customer, actor_role: 'customer' }),
    from_status: null,
    to_status: 'new',
    from_team: null,
    to_team: firstTeam,
    agent: null,
    public: null,
    apply: () => {},
  });
  let agent: string = one(r, historyTeams[firstTeam]);
  let team: Team = firstTeam;
  const assignedAt = created + Math.round(exponential(r, 20 * minuteMs)) + 1000;
  const firstAgent = agent;
  steps.push({
    at_ms: assignedAt,
    type: 'assigned',
    actor_id: 'routing',
    actor_role: 'integration',
    from_status: null,
    to_status: null,
    from_team: null,
    to_team: null,
    agent: firstAgent,
    public: null,
    apply: (s) => {
      s.agent = firstAgent;
    },
  });
  const firstReplyAt = Math.max(
    assignedAt + 1000,
    addBusiness(created, Math.round(logNormal(r, sla.frMedian, 0.8) * minuteMs)),
  );
  reply(firstReplyAt, agent, 'agent');
  move(firstReplyAt + 1000, 'new', 'open', staff(agent), agent);
  let t = firstReplyAt + 1000;

  // a transfer to another team, sometimes
  if (r() < (d.intent === 'complaint' ? 0.25 : 0.1)) {
    const others = (Object.keys(historyTeams) as Team[]).filter((x) => x !== team);
    const to = one(r, others);
    const from = team;
    t += Math.round(exponential(r, 2 * hourMs)) + 1000;
    const newAgent: string = one(r, historyTeams[to]);
    steps.push({
      at_ms: t,
      type: 'transferred',
      ...staff(agent),
      from_status: null,
      to_status: null,
      from_team: from,
      to_team: to,
      agent: newAgent,
      public: null,
      apply: (s) => {
        s.team = to;
        s.agent = newAgent;
      },
    });
    team = to;
    agent = newAgent;
  }
  // resolution time: the same distribution for every team, ×3 for the planted slow one
  const slow = o.slowTeam === team ? 3 : 1;
  const resolveAt = Math.max(
    t + 2000,
    addBusiness(created, Math.round(logNormal(r, sla.resMedian * slow, 0.7) * minuteMs)),
  );
  // between: a wait on the customer, more replies, notes
  if (r() < 0.3) {
    const a = t + Math.round((resolveAt - t) * 0.3);
    const b = t + Math.round((resolveAt - t) * 0.6);
    move(a, 'open', 'pending', staff(agent), agent);
    reply(b, agent, 'customer');
    move(b + 1000, 'pending', 'open', { actor_id: customer, actor_role: 'customer' }, agent);
  }
  const extraReplies = r() < 0.55 ? 0 : 1 + Math.floor(r() * 3);
  for (let i = 0; i < extraReplies; i++)
    reply(t + Math.round((resolveAt - t) * (0.2 + 0.15 * i)) + 500, agent, 'agent');
  if (r() < 0.3) reply(t + Math.round((resolveAt - t) * 0.5) + 700, agent, 'agent', false);
  move(resolveAt, 'open', 'resolved', staff(agent), agent);
  let lastResolved = resolveAt;
  // reopened by the customer, sometimes (more often when slow)
  if (r() < 0.07 * (slow > 1 ? 1.5 : 1)) {
    const reopenAt = resolveAt + Math.round(exponential(r, 20 * hourMs)) + 60_000;
    steps.push({
      at_ms: reopenAt,
      type: 'reopened',
      actor_id: customer,
      actor_role: 'customer',
      from_status: 'resolved',
      to_status: 'open',
      from_team: null,
      to_team: null,
      agent,
      public: null,
      apply: (s) => {
        s.status = 'open';
        s.resolvedMs = null;
      },
    });
    const again = addBusiness(reopenAt, Math.round(logNormal(r, 120 * slow, 0.6) * minuteMs));
    reply(again - 60_000 > reopenAt ? again - 60_000 : reopenAt + 1000, agent, 'agent');
    move(again + 1000, 'open', 'resolved', staff(agent), agent);
    lastResolved = again + 1000;
  }
  // a rating on some resolved tickets, lower when slow
  if (r() < 0.35) {
    const base = slow > 1 ? 3.2 : 4.2;
    const score = Math.min(5, Math.max(1, Math.round(base + (r() - 0.5) * 2.4)));
    steps.push({
      at_ms: lastResolved + Math.round(exponential(r, 3 * hourMs)) + 1000,
      type: 'rated',
      actor_id: customer,
      actor_role: 'customer',
      from_status: null,
      to_status: null,
      from_team: null,
      to_team: null,
      agent,
      public: null,
      apply: (s) => {
        s.csat = score;
      },
    });
  }
  move(
    lastResolved + 3 * dayMs,
    'resolved',
    'closed',
    { actor_id: 'system', actor_role: 'integration' },
    agent,
  );

  steps.sort((a, b) => a.at_ms - b.at_ms);
  // a rating after the close is fine; a close must not precede the last resolution (sorted: it does not)
  const facts: TicketFactRow[] = [];
  const events: TicketEventRow[] = [];
  const state: State = {
    status: 'new',
    team: firstTeam,
    agent: null,
    firstResponseMs: null,
    resolvedMs: null,
    closedMs: null,
    csat: null,
  };
  const day = localDay(created);
  const week = isoWeek(day);
  const sinceCreated = new Map<number, number>();
  const businessSince = (to: number) => {
    let ms = sinceCreated.get(to);
    if (ms === undefined) {
      ms = businessMs(created, to);
      sinceCreated.set(to, ms);
    }
    return ms;
  };
  let version = 0;
  for (const step of steps) {
    if (step.at_ms >= cutoff) break;
    version++;
    step.apply(state);
    const dt = utcDay(step.at_ms);
    const { apply: _apply, ...event } = step;
    events.push({ event_id: `${ticketId}-e${version}`, ticket_id: ticketId, version, channel, dt, ...event });
    const fr = state.firstResponseMs;
    const res = state.resolvedMs;
    const frState =
      fr !== null ? (fr <= frDue ? 'met' : 'breached') : step.at_ms > frDue ? 'breached' : 'running';
    const resState =
      res !== null
        ? lastResolvedBefore(res, resDue)
        : step.at_ms > resDue
          ? 'breached'
          : state.status === 'pending'
            ? 'paused'
            : 'running';
    facts.push({
      ticket_id: ticketId,
      number,
      version,
      at_ms: step.at_ms,
      created_ms: created,
      created_day: day,
      created_week: week,
      created_month: day.slice(0, 7),
      status: state.status,
      priority,
      channel,
      category,
      intent: d.intent,
      team: state.team,
      agent: state.agent,
      tier,
      product: d.product,
      model: d.model,
      region,
      parent_id: null,
      first_response_ms: fr,
      resolved_ms: res,
      closed_ms: state.closedMs,
      first_response_wall_s: fr === null ? null : (fr - created) / 1000,
      first_response_business_s: fr === null ? null : businessSince(fr) / 1000,
      resolution_wall_s: res === null ? null : (res - created) / 1000,
      resolution_business_s: res === null ? null : businessSince(res) / 1000,
      sla_first_response: frState,
      sla_resolution: resState,
      csat: state.csat,
      dt,
    });
  }
  // at-least-once delivery
  const dup = o.duplicateRate ?? 0.01;
  for (const f of [...facts]) if (r() < dup) facts.push({ ...f });
  for (const e of [...events]) if (r() < dup) events.push({ ...e });
  return { facts, events };
}

const lastResolvedBefore = (resolvedMs: number, due: number) => (resolvedMs <= due ? 'met' : 'breached');

/** One ticket at a time, in creation order; the same rows for the same options. */
export function* generateHistory(o: HistoryOptions): Generator<GeneratedTicket> {
  const seed = o.seed ?? 1;
  const r = rng(seed);
  const first = addDay(o.end, -(o.days - 1));
  const days = Array.from({ length: o.days }, (_, i) => addDay(first, i));
  const counts = apportion(
    o.tickets,
    days.map((day) => dayWeight(day, r)),
  );
  const cutoff = localMidnight(addDay(o.end, 1));
  let index = 0;
  const draw = (
    day: string,
    hours?: [number, number],
    forced?: { product: string; intent: string },
  ): Draft => {
    const hour = hours
      ? hours[0] + Math.floor(r() * (hours[1] - hours[0]))
      : pick(
          r,
          hourWeights.map((w, h) => [h, w] as const),
        );
    const createdMs = localMidnight(day) + hour * hourMs + Math.floor(r() * hourMs);
    const intent = forced?.intent ?? pick(r, historyIntents);
    const line =
      forced?.product ??
      (intent === 'inquiry' && r() < 0.2
        ? null
        : pick(
            r,
            historyProducts.map((p) => [p.line, p.weight] as const),
          ));
    const models = historyProducts.find((p) => p.line === line)?.models;
    return { index: index++, createdMs, intent, product: line, model: models ? one(r, models) : null };
  };
  for (let i = 0; i < days.length; i++) {
    const day = days[i] as string;
    const drafts: Draft[] = [];
    for (let n = 0; n < (counts[i] ?? 0); n++) drafts.push(draw(day));
    if (o.spike && o.spike.day === day) {
      const { product, intent, factor } = o.spike;
      const usual = drafts.filter((x) => x.product === product && x.intent === intent).length;
      const extra = Math.max(1, Math.round(usual * (factor - 1)));
      for (let n = 0; n < extra; n++) drafts.push(draw(day, o.spike.hours ?? [9, 18], { product, intent }));
    }
    drafts.sort((a, b) => a.createdMs - b.createdMs || a.index - b.index);
    for (const d of drafts) yield buildTicket(d, o, rng(seed * 1_000_003 + d.index), cutoff);
  }
}

/**
 * Writes the history under `lakeDir` in the lake's layout (`<table>/dt=YYYY-MM-DD/<file>`): jsonl
 * directly, in files of bounded size; parquet through DuckDB's `COPY … (FORMAT parquet, PARTITION_BY (dt))`
 * from a temporary jsonl copy. Returns the rows written (copies included).
 */
export async function writeHistory(
  lakeDir: string,
  o: HistoryOptions & { format: 'jsonl' | 'parquet' },
): Promise<{ tickets: number; facts: number; events: number }> {
  const target = o.format === 'jsonl' ? lakeDir : await mkdtemp(join(tmpdir(), 'gongdan-history-'));
  const writer = `gen-${o.seed ?? 1}-${randomUUID().slice(0, 8)}`;
  const buffers = new Map<string, string[]>();
  let buffered = 0;
  let seq = 0;
  const flush = async () => {
    seq++;
    for (const [key, lines] of buffers) {
      const dir = join(target, key);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, `${writer}-${seq}.jsonl`), `${lines.join('\n')}\n`);
    }
    buffers.clear();
    buffered = 0;
  };
  const add = (table: string, row: { dt: string }) => {
    const { dt, ...rest } = row;
    const key = join(table, `dt=${dt}`);
    const line = JSON.stringify(rest);
    const lines = buffers.get(key) ?? [];
    if (lines.length === 0) buffers.set(key, lines);
    lines.push(line);
    buffered += line.length;
  };
  const totals = { tickets: 0, facts: 0, events: 0 };
  for (const t of generateHistory(o)) {
    totals.tickets++;
    totals.facts += t.facts.length;
    totals.events += t.events.length;
    for (const f of t.facts) add('ticket_facts', f);
    for (const e of t.events) add('ticket_events', e);
    if (buffered > 64 * 1024 * 1024) await flush();
  }
  await flush();
  if (o.format === 'parquet') {
    const engine = duckdbReportEngine({ lakeDir: target, format: 'jsonl' });
    try {
      for (const table of ['ticket_facts', 'ticket_events']) {
        await mkdir(join(lakeDir, table), { recursive: true });
        const out = sqlString(join(lakeDir, table));
        await engine.query(
          `COPY (SELECT * FROM ${table}) TO ${out} (FORMAT parquet, PARTITION_BY (dt), OVERWRITE_OR_IGNORE true, FILENAME_PATTERN '${writer}-{i}')`,
        );
      }
    } finally {
      await engine.close();
      await rm(target, { recursive: true, force: true });
    }
  }
  return totals;
}
