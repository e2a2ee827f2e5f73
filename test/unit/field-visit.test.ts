import { describe, expect, it } from 'vitest';
import { signaturePng } from '#shared/channels/field-visits.ts';
import { applyVisitStep, defaultFieldPolicy, etaMinutes, type Visit } from '#shared/domain/field/visit.ts';

const site = { lat: 31.2349, lng: 121.4759 };
const at = (lat: number, lng: number) => ({ lat, lng, accuracy: 10 });
const now = new Date('2026-12-07T02:00:00Z');
const step = (
  visits: Visit[],
  action: 'start' | 'arrive' | 'check-in' | 'check-out',
  position = at(31.236, 121.4759),
) =>
  applyVisitStep(
    visits,
    {
      action,
      position,
      clientId: `c-${action}-${visits.length}`,
      by: 'u-agent-wang',
      visitId: `v-${visits.length}`,
      location: site,
      policy: defaultFieldPolicy,
    },
    now,
  );

describe('field visits (domain)', () => {
  it('walks start → check-in → check-out, arrive optional, and refuses steps out of order', () => {
    const started = step([], 'start');
    const checkedIn = step(started.visits, 'check-in');
    const done = step(checkedIn.visits, 'check-out');

    expect(started.visit.status).toBe('on-the-way');
    expect(checkedIn.visit.status).toBe('on-site');
    expect(checkedIn.step.distanceMeters).toBeGreaterThan(100);
    expect(checkedIn.step.outsideRadius).toBe(false);
    expect(done.visit).toMatchObject({ status: 'completed', completedAt: now.toISOString() });
    expect(() => step([], 'check-in')).toThrow(expect.objectContaining({ code: 'VISIT.OUT_OF_ORDER' }));
    expect(() => step(started.visits, 'check-out')).toThrow(expect.objectContaining({ kind: 'conflict' }));
    expect(() => step(started.visits, 'start')).toThrow(
      expect.objectContaining({ code: 'VISIT.OUT_OF_ORDER' }),
    );
    // after check-out a new visit may start (a revisit)
    expect(step(done.visits, 'start').visits).toHaveLength(2);
  });

  it('flags a check-in beyond the radius, and not one within it', () => {
    const started = step([], 'start');
    const far = step(started.visits, 'check-in', at(31.2349, 121.4529));
    expect(far.step.outsideRadius).toBe(true);
    expect(far.visit.flagged).toBe(true);
    const wide = applyVisitStep(
      started.visits,
      {
        action: 'check-in',
        position: at(31.2349, 121.4529),
        clientId: 'c',
        by: 'u',
        visitId: 'v1',
        location: site,
        policy: { ...defaultFieldPolicy, checkInRadiusMeters: 5000 },
      },
      now,
    );
    expect(wide.step.outsideRadius).toBe(false);
  });

  it('reads a signature only as a PNG data URL within the limit', () => {
    const png =
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
    expect(signaturePng(`data:image/png;base64,${png}`, 1000).subarray(1, 4).toString()).toBe('PNG');
    expect(() => signaturePng('data:image/jpeg;base64,/9j/4AAQ', 1000)).toThrow(
      expect.objectContaining({ kind: 'invalid' }),
    );
    expect(() =>
      signaturePng(`data:image/png;base64,${Buffer.from('GIF89a-----------').toString('base64')}`, 1000),
    ).toThrow(expect.objectContaining({ kind: 'invalid' }));
    expect(() => signaturePng(`data:image/png;base64,${png}`, 10)).toThrow(
      expect.objectContaining({ kind: 'too_large' }),
    );
  });

  it('estimates the ETA in 5-minute steps, at least 5', () => {
    expect(etaMinutes(0.1)).toBe(5);
    expect(etaMinutes(12.5)).toBe(30);
  });
});
