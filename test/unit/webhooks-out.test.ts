import { describe, expect, it } from 'vitest';
import {
  admit,
  type Breaker,
  closedBreaker,
  defaultBreakerPolicy,
  record,
} from '#shared/domain/webhooks-out/circuit-breaker.ts';
import {
  afterAttempt,
  backoffMs,
  defaultRetryPolicy,
  newDelivery,
  redriven,
  retryAfterMs,
  verdictOf,
} from '#shared/domain/webhooks-out/delivery.ts';
import { SubscriptionInput, urlProblem } from '#shared/domain/webhooks-out/subscription.ts';

const t0 = new Date('2026-03-01T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const minute = 60_000;
const payload = { id: '01EVENT', type: 'ticket.created', time: t0.toISOString(), detail: { ticketId: 't1' } };

describe('Outbound webhook retries', () => {
  describe('backoffMs()', () => {
    it('doubles from 30 s and caps at an hour, never below half its step', () => {
      expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, 0))).toEqual([15_000, 30_000, 60_000, 120_000, 240_000]);
      expect(backoffMs(1, 0.999_999)).toBeCloseTo(30_000, -1);
      expect(backoffMs(20, 0)).toBe(30 * minute);
      expect(backoffMs(20, 0.999_999)).toBeLessThanOrEqual(60 * minute);
    });

    it('spreads retries with jitter', () => {
      const spread = new Set([0, 0.25, 0.5, 0.75].map((r) => backoffMs(4, r)));
      expect(spread.size).toBe(4);
    });
  });

  describe('verdictOf()', () => {
    it('is done on 2xx, retries 408, 429, 5xx, timeouts and network errors, fails other answers', () => {
      const answer = (statusCode: number) => ({ kind: 'answer' as const, statusCode, durationMs: 5 });
      expect(verdictOf(answer(200))).toBe('delivered');
      expect(verdictOf(answer(204))).toBe('delivered');
      for (const s of [408, 429, 500, 502, 503]) expect(verdictOf(answer(s))).toBe('retry');
      for (const s of [301, 400, 401, 404, 410, 422]) expect(verdictOf(answer(s))).toBe('fail');
      expect(verdictOf({ kind: 'timeout', durationMs: 10_000 })).toBe('retry');
      expect(verdictOf({ kind: 'network', message: 'ECONNREFUSED', durationMs: 1 })).toBe('retry');
    });
  });

  describe('retryAfterMs()', () => {
    it('reads seconds and HTTP dates, and ignores what it cannot read', () => {
      expect(retryAfterMs('120', t0)).toBe(120_000);
      expect(retryAfterMs(new Date(t0.getTime() + 90_000).toUTCString(), t0)).toBe(90_000);
      expect(retryAfterMs('soon', t0)).toBeNull();
      expect(retryAfterMs(null, t0)).toBeNull();
    });
  });

  describe('afterAttempt()', () => {
    it('schedules the next try after the back-off, and honours a longer Retry-After up to the cap', () => {
      const d = newDelivery('crm', payload, t0);
      const failed = afterAttempt(d, { kind: 'answer', statusCode: 500, durationMs: 3 }, t0, 0);
      expect(failed).toMatchObject({
        status: 'pending',
        nextAttemptAt: at(15_000).toISOString(),
        version: 2,
      });
      expect(failed.attempts[0]).toEqual({
        at: t0.toISOString(),
        statusCode: 500,
        durationMs: 3,
        error: 'http 500',
      });
      const asked = afterAttempt(
        d,
        { kind: 'answer', statusCode: 429, retryAfter: '600', durationMs: 3 },
        t0,
        0,
      );
      expect(asked.nextAttemptAt).toBe(at(10 * minute).toISOString());
      const greedy = afterAttempt(
        d,
        { kind: 'answer', statusCode: 503, retryAfter: '86400', durationMs: 3 },
        t0,
        0,
      );
      expect(greedy.nextAttemptAt).toBe(at(60 * minute).toISOString());
    });

    it('finishes on 2xx and fails a 4xx at once', () => {
      const d = newDelivery('crm', payload, t0);
      expect(afterAttempt(d, { kind: 'answer', statusCode: 202, durationMs: 9 }, t0, 0)).toMatchObject({
        status: 'delivered',
        finishedAt: t0.toISOString(),
      });
      const gone = afterAttempt(d, { kind: 'answer', statusCode: 404, durationMs: 9 }, t0, 0);
      expect(gone.status).toBe('failed');
      expect(gone.nextAttemptAt).toBeUndefined();
    });

    it('dead-letters when the next try would fall after 24 hours, not before', () => {
      let d = newDelivery('crm', payload, t0);
      let now = t0;
      while (d.status === 'pending') {
        d = afterAttempt(d, { kind: 'timeout', durationMs: 10_000 }, now, 0.5);
        if (d.nextAttemptAt) now = new Date(d.nextAttemptAt);
      }
      expect(d.status).toBe('dead');
      const span = Date.parse(d.finishedAt!) - t0.getTime();
      expect(span).toBeGreaterThan(23 * 60 * minute);
      expect(span).toBeLessThanOrEqual(24 * 60 * minute);
      expect(d.attempts.length).toBeGreaterThan(20);
      expect(d.attempts.length).toBeLessThan(40);
      expect(d.attempts.every((a) => a.error === 'timeout')).toBe(true);
    });

    it('redrives a dead letter with a fresh window, keeping its id and attempts', () => {
      const dead = {
        ...newDelivery('crm', payload, t0),
        status: 'dead' as const,
        finishedAt: t0.toISOString(),
      };
      const again = redriven(dead, at(30 * 60 * minute));
      expect(again).toMatchObject({ id: '01EVENT.crm', status: 'pending', redriven: 1 });
      expect(again.deadline).toBe(at(30 * 60 * minute + defaultRetryPolicy.windowMs).toISOString());
      expect(again.finishedAt).toBeUndefined();
    });
  });
});

describe('The circuit breaker', () => {
  const fail = (b: Breaker, now: Date) => record(b, false, now);

  it('opens after 5 consecutive failures and a success in between starts the count again', () => {
    let b = closedBreaker;
    for (let i = 0; i < 4; i++) b = fail(b, t0);
    expect(b).toMatchObject({ state: 'closed', failures: 4 });
    b = record(b, true, t0);
    expect(b).toMatchObject({ state: 'closed', failures: 0 });
    for (let i = 0; i < 5; i++) b = fail(b, t0);
    expect(b).toMatchObject({ state: 'open', failures: 5, until: at(5 * minute).toISOString() });
  });

  it('defers deliveries while open, lets one probe through after the cool-down, and holds the others', () => {
    let b = closedBreaker;
    for (let i = 0; i < 5; i++) b = fail(b, t0);
    expect(admit(b, at(4 * minute))).toEqual({
      kind: 'defer',
      until: at(5 * minute).toISOString(),
      reason: 'circuit-open',
    });
    const probe = admit(b, at(5 * minute));
    expect(probe.kind).toBe('go');
    const held = (probe as { next: Breaker }).next;
    expect(held).toMatchObject({ state: 'half-open', version: b.version + 1 });
    expect(admit(held, at(5 * minute + 1000))).toMatchObject({ kind: 'defer', reason: 'probe-in-flight' });
    // A probe presumed lost frees the breaker for another.
    expect(admit(held, at(5 * minute + defaultBreakerPolicy.probeHoldMs)).kind).toBe('go');
  });

  it("closes on the probe's success and opens again for another cool-down on its failure", () => {
    let b = closedBreaker;
    for (let i = 0; i < 5; i++) b = fail(b, t0);
    const held = (admit(b, at(5 * minute)) as { next: Breaker }).next;
    expect(record(held, true, at(6 * minute))).toMatchObject({ state: 'closed', failures: 0 });
    expect(fail(held, at(6 * minute))).toMatchObject({ state: 'open', until: at(11 * minute).toISOString() });
  });

  it('lets everything through while closed', () => {
    expect(admit(closedBreaker, t0)).toEqual({ kind: 'go' });
  });
});

describe('Subscriptions', () => {
  it('accepts https anywhere and plain http to loopback only where allowed', () => {
    expect(urlProblem('https://crm.example.com/hook', { allowLoopbackHttp: false })).toBeNull();
    expect(urlProblem('http://127.0.0.1:8080/hook', { allowLoopbackHttp: true })).toBeNull();
    expect(urlProblem('http://[::1]:8080/hook', { allowLoopbackHttp: true })).toBeNull();
    expect(urlProblem('http://127.0.0.1:8080/hook', { allowLoopbackHttp: false })).toBe('Use https');
    expect(urlProblem('http://crm.example.com/hook', { allowLoopbackHttp: true })).toMatch(/loopback/);
    expect(urlProblem('https://user:pw@crm.example.com/', { allowLoopbackHttp: false })).toMatch(
      /credentials/,
    );
    expect(urlProblem('ftp://crm.example.com/', { allowLoopbackHttp: true })).toBe('Use https');
    expect(urlProblem('not a url', { allowLoopbackHttp: true })).toMatch(/absolute/);
  });

  it('checks the pattern with EventBridge rules and reports each problem at its path', () => {
    const base = { url: 'https://x.example.com', secret: 'a'.repeat(16) };
    expect(
      SubscriptionInput.safeParse({ ...base, events: { 'detail-type': ['ticket.resolved'] } }).success,
    ).toBe(true);
    const bad = SubscriptionInput.safeParse({ ...base, events: { detail: { priority: [{ prefix: 5 }] } } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path.join('.')).toMatch(/^events\.detail\.priority/);
    expect(SubscriptionInput.safeParse({ ...base, events: [] }).success).toBe(false);
    expect(SubscriptionInput.safeParse({ ...base, events: {}, secret: 'short' }).success).toBe(false);
  });
});
