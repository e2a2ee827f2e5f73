import { describe, expect, it } from 'vitest';
import { DomainError } from '#shared/domain/errors.ts';
import { alwaysOpenCalendar } from '#shared/domain/sla/calendar.ts';
import { defaultSlaPolicies, definePolicy } from '#shared/domain/sla/policy.ts';
import type { SlaAction, SlaClockInput, SlaTicket, TimelineEntry } from '#shared/domain/sla/sla-clock.ts';
import {
  applyTimerPlan,
  parseSlaExecutionName,
  planTimer,
  SlaTimerStep,
  slaExecutionName,
  timerView,
  type WorkflowStarter,
} from '#shared/domain/sla/timer.ts';
import {
  computeCheckpoint,
  evaluateCheckpoint,
  type SlaSubject,
  type SlaTimerDeps,
} from '#shared/domain/sla/timer-steps.ts';

const t0 = Date.parse('2026-06-08T01:00:00Z');
const min = (m: number) => new Date(t0 + m * 60_000);
const isoMin = (m: number) => min(m).toISOString();

const ticket: SlaTicket = {
  id: 'T-1',
  priority: 'urgent',
  tier: 'standard',
  category: null,
  team: 'support',
  assignee: 'agent-1',
  status: 'open',
};
const created: TimelineEntry = { type: 'created', at: isoMin(0) };
const urgent = defaultSlaPolicies.find((p) => p.id === 'urgent')!;
const clockInput = (timeline: TimelineEntry[], t: SlaTicket = ticket): SlaClockInput => ({
  ticket: t,
  timeline,
  policy: urgent,
  calendar: alwaysOpenCalendar,
});

describe('SLA timer', () => {
  describe('slaExecutionName()', () => {
    it('names the execution after the ticket and the timer version', () => {
      expect(slaExecutionName('01JXYZ8Q2M', 3)).toBe('sla-01JXYZ8Q2M-v3');
    });

    it('gives each version its own name, and parses back', () => {
      const names = [1, 2, 3].map((v) => slaExecutionName('T-1', v));
      expect(new Set(names).size).toBe(3);
      expect(parseSlaExecutionName('sla-T-1-v12')).toEqual({ ticketKey: 'T-1', version: 12 });
      expect(parseSlaExecutionName('something-else')).toBeNull();
    });

    it('keeps to the 80 allowed characters, and keeps odd or long ids apart', () => {
      const long = 'x'.repeat(200);
      const names = [
        slaExecutionName(long, 99_999),
        slaExecutionName(`${long}y`, 99_999),
        slaExecutionName('tenant/a b', 1),
        slaExecutionName('tenant/a_b', 1),
      ];
      for (const name of names) {
        expect(name.length).toBeLessThanOrEqual(80);
        expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
      }
      expect(new Set(names).size).toBe(names.length);
    });

    it('rejects a version that is not a non-negative integer', () => {
      expect(() => slaExecutionName('T-1', -1)).toThrow(RangeError);
      expect(() => slaExecutionName('T-1', 1.5)).toThrow(RangeError);
    });
  });

  describe('planTimer()', () => {
    const fresh = clockInput([created]);
    const view = (input: SlaClockInput | null, m: number, sent: string[] = []) =>
      timerView(input, min(m), sent);

    it('starts a timer for a new ticket', () => {
      expect(planTimer(false, null, view(fresh, 0))).toBe('start');
    });

    it('keeps the timer when a reply only meets a target', () => {
      const replied = clockInput([created, { type: 'staff_replied', at: isoMin(10), public: true }]);
      expect(planTimer(true, view(fresh, 10), view(replied, 10))).toBe('keep');
    });

    it('restarts when the policy changes (priority change)', () => {
      const normal = clockInput([created], { ...ticket, priority: 'normal' });
      const asUrgent = clockInput([created]);
      const normalInput = { ...normal, policy: defaultSlaPolicies.find((p) => p.id === 'high-vip')! };
      expect(planTimer(true, view(normalInput, 10), view(asUrgent, 10))).toBe('restart');
    });

    it('restarts when a due time moves with the same policy', () => {
      const longer = {
        ...fresh,
        policy: definePolicy({ ...urgent, targets: { ...urgent.targets, resolution: { minutes: 480 } } }),
      };
      expect(planTimer(true, view(fresh, 5), view(longer, 5))).toBe('restart');
    });

    it('restarts when a customer reply starts a next-response clock', () => {
      const answered = clockInput([created, { type: 'staff_replied', at: isoMin(5), public: true }]);
      const asked = clockInput([...answered.timeline, { type: 'customer_replied', at: isoMin(50) }]);
      expect(planTimer(true, view(answered, 50), view(asked, 50))).toBe('restart');
    });

    it('stops when the ticket is pending or resolved, and starts again on resume', () => {
      const pending = clockInput([created, { type: 'pending', at: isoMin(5) }]);
      expect(planTimer(true, view(fresh, 5), view(pending, 5))).toBe('stop');
      const resumed = clockInput([...pending.timeline, { type: 'resumed', at: isoMin(60) }]);
      expect(planTimer(false, view(pending, 60), view(resumed, 60))).toBe('start');
      const resolved = clockInput([created, { type: 'resolved', at: isoMin(5) }], {
        ...ticket,
        status: 'resolved',
      });
      expect(planTimer(true, view(fresh, 5), view(resolved, 5))).toBe('stop');
      expect(planTimer(false, view(fresh, 5), view(resolved, 5))).toBe('none');
    });

    it('needs no timer when no policy applies', () => {
      expect(planTimer(false, null, view(null, 0))).toBe('none');
    });
  });

  describe('applyTimerPlan()', () => {
    const recorder = () => {
      const calls: string[] = [];
      const starter: WorkflowStarter = {
        start: async (ticketId, version) => {
          calls.push(`start ${ticketId} v${version}`);
          return { executionName: slaExecutionName(ticketId, version) };
        },
        stop: async (ticketId) => {
          calls.push(`stop ${ticketId}`);
        },
        runningExecutions: async () => new Set(),
      };
      return { calls, starter };
    };

    it('stops the running execution before starting the next version on restart', async () => {
      const { calls, starter } = recorder();
      await applyTimerPlan('restart', starter, 'T-1', 7);
      expect(calls).toEqual(['stop T-1', 'start T-1 v7']);
    });

    it('does nothing on keep and none', async () => {
      const { calls, starter } = recorder();
      await applyTimerPlan('keep', starter, 'T-1', 7);
      await applyTimerPlan('none', starter, 'T-1', 7);
      expect(calls).toEqual([]);
    });
  });

  describe('steps', () => {
    const world = (
      subject: Partial<SlaSubject> | null,
      at: number,
      overrides: Partial<SlaTimerDeps> = {},
    ) => {
      const applied: SlaAction[][] = [];
      const deps: SlaTimerDeps = {
        clock: { now: () => min(at) },
        subjects: {
          load: async () =>
            subject ? { ticket, timeline: [created], timerVersion: 1, sent: [], ...subject } : null,
        },
        config: { load: async () => ({ policies: defaultSlaPolicies, calendars: [alwaysOpenCalendar] }) },
        actions: {
          apply: async (_id, actions) => {
            applied.push([...actions]);
          },
        },
        ...overrides,
      };
      return { deps, applied };
    };
    const request = { ticketId: 'T-1', version: 1 };

    it('computes the next checkpoint and a whole-second wait timestamp, rounded up', async () => {
      const { deps } = world({ timeline: [{ type: 'created', at: '2026-06-08T01:00:00.400Z' }] }, 1);
      const step = SlaTimerStep.parse(await computeCheckpoint(request, deps));
      expect(step).toEqual({
        done: false,
        checkpointAt: '2026-06-08T01:22:30.400Z',
        waitUntil: '2026-06-08T01:22:31Z',
        reason: 'checkpoint',
        actions: 0,
        lagMs: null,
      });
    });

    it('maps the checkpoint to the wall clock for the Wait (the local virtual clock), at ms precision', async () => {
      const { deps } = world({}, 0, {
        toWall: (at) => new Date(at.getTime() - 60 * 60_000 - 123),
        waitPrecisionMs: 1,
      });
      const step = await computeCheckpoint(request, deps);
      expect(step.checkpointAt).toBe(isoMin(22.5));
      expect(step.waitUntil).toBe('2026-06-08T00:22:29.877Z');
    });

    it('ends a stale execution: superseded, ticket gone, or no policy', async () => {
      expect((await computeCheckpoint(request, world({ timerVersion: 2 }, 0).deps)).reason).toBe(
        'superseded',
      );
      expect((await evaluateCheckpoint(request, world({ timerVersion: 2 }, 30).deps)).reason).toBe(
        'superseded',
      );
      expect((await computeCheckpoint(request, world(null, 0).deps)).reason).toBe('not_found');
      const noPolicy = world({}, 0, { config: { load: async () => ({ policies: [], calendars: [] }) } });
      expect(await computeCheckpoint(request, noPolicy.deps)).toMatchObject({
        done: true,
        reason: 'no_policy',
      });
    });

    it('fails, so the workflow alerts, when the policy names an unknown calendar', async () => {
      const broken = world({}, 0, {
        config: { load: async () => ({ policies: defaultSlaPolicies, calendars: [] }) },
      });
      await expect(computeCheckpoint(request, broken.deps)).rejects.toThrow(DomainError);
      await expect(computeCheckpoint(request, broken.deps)).rejects.toMatchObject({
        code: 'SLA.UNKNOWN_CALENDAR',
      });
    });

    it('applies the due actions once, reports the lag, and returns the next checkpoint', async () => {
      const { deps, applied } = world({}, 31);
      const step = await evaluateCheckpoint(request, deps);
      expect(applied.flat().map((a) => a.key)).toEqual([
        'firstResponse#1:breach',
        'firstResponse#1:escalation:1',
      ]);
      expect(step).toMatchObject({ done: false, checkpointAt: isoMin(60), actions: 2, lagMs: 60_000 });

      const again = world({ sent: applied.flat().map((a) => a.key) }, 31);
      expect(await evaluateCheckpoint(request, again.deps)).toMatchObject({ actions: 0, lagMs: null });
      expect(again.applied).toEqual([]);
    });

    it('says done once the ticket is resolved', async () => {
      const resolved = world(
        {
          timeline: [created, { type: 'resolved', at: isoMin(5) }],
          ticket: { ...ticket, status: 'resolved' },
        },
        10,
      );
      expect(await evaluateCheckpoint(request, resolved.deps)).toMatchObject({
        done: true,
        reason: 'inactive',
      });
    });

    it('says done when every level has been sent though the clock still runs', async () => {
      const sent = [
        'firstResponse#1:warning:75',
        'firstResponse#1:breach',
        'firstResponse#1:escalation:1',
        'firstResponse#1:escalation:2',
        'firstResponse#1:escalation:3',
        'resolution#1:warning:75',
        'resolution#1:breach',
        'resolution#1:escalation:1',
        'resolution#1:escalation:2',
        'resolution#1:escalation:3',
      ];
      expect(await computeCheckpoint(request, world({ sent }, 400).deps)).toMatchObject({
        done: true,
        reason: 'nothing_left',
      });
    });
  });
});
