import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { addDay, writeHistory } from '../support/analytics-history.ts';
import { runtimeSuite } from './support/runtime-process.ts';

/**
 * Insights over HTTP (docs/analytics.md, "Spikes", "Forecast and staffing", "Weekly digest"): nine weeks of
 * generated history in the runtime's lake with a planted spike of 空调 × installation in the last hours
 * before the runtime's clock, then the jobs run at once through `POST /dev/jobs/{name}`.
 */
const suite = runtimeSuite();
// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read loosely in tests
type Json = Record<string, any>;

const beijing = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString();
let spike: { product: string; intent: string; day: string; factor: number; hours: [number, number] };

beforeAll(async () => {
  const now = Date.parse((await suite.api<Json>('GET', '/dev/clock')).body.now);
  const local = beijing(now);
  const today = local.slice(0, 10);
  const hour = Number(local.slice(11, 13));
  // The spike covers the two hours before now (and the hour now is in; tickets after now are not yet counted).
  spike =
    hour >= 2
      ? { product: '空调', intent: 'installation', day: today, factor: 10, hours: [hour - 2, hour + 1] }
      : { product: '空调', intent: 'installation', day: addDay(today, -1), factor: 10, hours: [22, 24] };
  await writeHistory(join(suite.dataDir, 'lake'), {
    tickets: 6000,
    days: 63,
    end: today,
    seed: 12,
    spike,
    format: 'jsonl',
  });
}, 180_000);

async function get(path: string, token = suite.tokens.supervisor) {
  const response = await fetch(`${suite.runtime.url}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: (await response.json()) as Json };
}

describe('The spike job and GET /reports/insights', () => {
  it('finds the planted spike, lists it with sample tickets, publishes the event and mails the supervisors', async () => {
    // Act
    const run = await suite.api<Json>('POST', '/dev/jobs/analytics-spikes');
    const insights = await get('/reports/insights');
    const events = await suite.api<Json>('GET', '/dev/events');
    const outbox = await suite.api<Json>('GET', '/dev/outbox');

    // Assess
    expect(run.status).toBe(200);
    expect(run.body.report.created.length).toBeGreaterThanOrEqual(1);
    expect(insights.status).toBe(200);
    const found = insights.body.items.find(
      (i: Json) =>
        i.series.product === '空调' && i.series.intent === 'installation' && i.series.region === undefined,
    );
    expect(found).toMatchObject({
      id: expect.stringMatching(/^ins_/),
      count: expect.any(Number),
      expected: expect.any(Number),
      pValue: expect.any(Number),
      windowStart: expect.any(String),
      windowEnd: expect.any(String),
      detectedAt: expect.any(String),
    });
    expect(found.factor).toBeGreaterThanOrEqual(2);
    expect(found.count).toBeGreaterThanOrEqual(8);
    expect(found.pValue).toBeLessThan(1e-6);
    expect(found.sampleTickets.length).toBeGreaterThan(0);
    expect(found.sampleTickets[0]).toMatchObject({ id: expect.any(String), number: expect.any(String) });
    // Nothing else in the history spikes: every insight is about the planted product × intent.
    for (const i of insights.body.items) {
      expect([i.series.product, i.series.model]).toEqual(
        expect.arrayContaining([expect.stringMatching(/^(空调|KFR-35GW|KFR-50LW|KFR-72LW)$/)]),
      );
    }
    const published = events.body.events.filter((e: Json) => e.detailType === 'insight.spike_detected');
    expect(published.map((e: Json) => e.detail.insightId)).toContain(found.id);
    expect(published.find((e: Json) => e.detail.insightId === found.id).detail).toMatchObject({
      series: found.series,
      count: found.count,
      sampleTicketIds: found.sampleTickets.map((t: Json) => t.id),
    });
    // No owner configured: the supervisors are told, by e-mail.
    const notices = outbox.body.messages.filter((m: Json) => m.kind === 'insight.spike');
    expect(notices.length).toBeGreaterThan(0);
    expect(found.notified.length).toBeGreaterThan(0);
    expect(notices.map((m: Json) => `email:${m.to}`)).toEqual(expect.arrayContaining(found.notified));
    expect(notices[0].subject).toContain('工单激增');
  });

  it('a re-run finds the same episode and adds no insight, event or notice', async () => {
    // Prepare
    const before = await get('/reports/insights');
    const eventsBefore = (await suite.api<Json>('GET', '/dev/events')).body.events.length;
    const noticesBefore = (await suite.api<Json>('GET', '/dev/outbox')).body.messages.length;

    // Act
    const run = await suite.api<Json>('POST', '/dev/jobs/analytics-spikes');
    const after = await get('/reports/insights');

    // Assess
    expect(run.body.report.created).toEqual([]);
    expect(after.body.items.map((i: Json) => i.id)).toEqual(before.body.items.map((i: Json) => i.id));
    const events = (await suite.api<Json>('GET', '/dev/events')).body.events;
    expect(events.slice(eventsBefore).filter((e: Json) => e.detailType === 'insight.spike_detected')).toEqual(
      [],
    );
    const messages = (await suite.api<Json>('GET', '/dev/outbox')).body.messages;
    expect(messages.slice(noticesBefore).filter((m: Json) => m.kind === 'insight.spike')).toEqual([]);
  });

  it('answers 400 to a bad period and 403 to an agent', async () => {
    const inverted = await get('/reports/insights?from=2026-12-05&to=2026-12-01');
    expect(inverted.status).toBe(400);
    expect(inverted.body.error.code).toBe('REQUEST.INVALID');
    expect(inverted.body.error.details.fields).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'from' })]),
    );
    expect((await get('/reports/insights?from=yesterday')).status).toBe(400);
    expect((await get('/reports/insights?from=2026-02-30')).status).toBe(400);
    expect((await get('/reports/insights?to=2026-13-01')).status).toBe(400);
    expect((await get('/reports/insights?mood=1')).status).toBe(400);
    expect((await get('/reports/insights', suite.tokens.agent)).status).toBe(403);
  });
});

describe('GET /reports/forecast', () => {
  it('answers 14 days for a team with a band, holidays marked, agents needed and the backtest', async () => {
    // Act
    const { status, body } = await get('/reports/forecast?team=desk');

    // Assess
    expect(status).toBe(200);
    expect(body.team).toBe('desk');
    expect(body.days).toHaveLength(14);
    for (const d of body.days) {
      expect(d).toMatchObject({ date: expect.any(String), holiday: expect.any(Boolean) });
      expect(d.low).toBeLessThanOrEqual(d.expected);
      expect(d.high).toBeGreaterThanOrEqual(d.expected);
      expect(d.agentsNeeded).toBeGreaterThanOrEqual(d.expected > 0 ? 1 : 0);
    }
    expect(body.backtest.days).toBeGreaterThan(0);
    expect(body.backtest.smape).toBeGreaterThan(0);
    expect(body.backtest.smape).toBeLessThan(0.5);
    expect(body.handleTimeMinutes).toBe(20);
  });

  it('the forecast job stores each team, and the route answers the stored one', async () => {
    const run = await suite.api<Json>('POST', '/dev/jobs/analytics-forecast');
    expect(run.status).toBe(200);
    expect(run.body.report.teams).toEqual(expect.arrayContaining(['desk', 'field', 'vip']));
    const { body } = await get('/reports/forecast?team=vip&days=7');
    expect(body.days).toHaveLength(7);
  });

  it('answers 400 without a team or with days out of range, 404 for a team without tickets', async () => {
    expect((await get('/reports/forecast')).status).toBe(400);
    const days = await get('/reports/forecast?team=desk&days=90');
    expect(days.status).toBe(400);
    expect(days.body.error.details.fields).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'days' })]),
    );
    expect((await get('/reports/forecast?team=nobody')).status).toBe(404);
  });
});

describe('The weekly digest', () => {
  it("mails the supervisors last week's figures and the insights, once per week", async () => {
    const first = await suite.api<Json>('POST', '/dev/jobs/analytics-digest');
    const second = await suite.api<Json>('POST', '/dev/jobs/analytics-digest');
    expect(first.status).toBe(200);
    expect(first.body.report.sent.length).toBeGreaterThan(0);
    expect(second.status).toBe(200);
    const digests = (await suite.api<Json>('GET', '/dev/outbox')).body.messages.filter(
      (m: Json) => m.kind === 'insight.digest',
    );
    // One per address although it ran twice (the idempotency key names the week).
    expect(digests).toHaveLength(first.body.report.sent.length);
    expect(digests[0].subject).toMatch(/工单周报|Weekly digest/);
    expect(digests[0].body).toMatch(/新建工单|New tickets/);
  });
});
