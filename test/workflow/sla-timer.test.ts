import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCalendar } from '#shared/domain/sla/calendar.ts';
import { SlaTimerInput } from '#shared/domain/sla/timer.ts';
import { localSlaTimer, transitionsOf } from '#workflows/sla-timer.local.ts';
import { type AslDefinition, slaTimerStates, synthesizeSlaTimerAsl } from '#workflows/sla-timer.ts';
import { minute, SlaWorld, t0, type WorldOptions } from './support/sla-world.ts';

let definition: AslDefinition;
const transitions: Record<string, number> = {};

// Synthesis loads aws-cdk-lib (a few seconds alone; more when every suite runs at once on two cores).
beforeAll(() => {
  definition = synthesizeSlaTimerAsl();
}, 120_000);

afterAll(() => {
  // The numbers docs/sla.md and the bench quote; printed so a run shows them.
  console.info('SLA timer state transitions per path:', transitions);
});

const play = async (name: string, options: WorldOptions) => {
  const world = await new SlaWorld(definition, options).run();
  transitions[name] = world.transitions;
  return world;
};

const s = slaTimerStates;

describe('SLA timer workflow (synthesized ASL on aws-local-stepfunctions)', () => {
  describe('the definition', () => {
    it('is JSONPath only: no JSONata, no variables', () => {
      const text = JSON.stringify(definition);
      expect(text).not.toMatch(/JSONata|"Assign"|\{%/);
      // The execution starts at the Choice: with the checkpoint the write path computed, it waits at once.
      expect(definition.StartAt).toBe(s.choice);
    });

    it('waits on a TimestampPath, never on a polling interval', () => {
      expect(definition.States[s.wait]).toMatchObject({ Type: 'Wait', TimestampPath: '$.timer.waitUntil' });
    });

    it('retries and catches every task, and routes every catch back into the loop', () => {
      const tasks = Object.entries(definition.States).filter(([, state]) => state.Type === 'Task');
      expect(tasks.map(([name]) => name).sort()).toEqual([s.alert, s.compute, s.degraded, s.evaluate].sort());
      for (const [, state] of tasks) {
        const retry = state.Retry as { ErrorEquals: string[]; BackoffRate?: number }[];
        expect(retry.at(-1)).toMatchObject({ ErrorEquals: ['States.ALL'], BackoffRate: 2 });
        expect(state.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'] })]);
      }
      expect(definition.States[s.compute]?.Catch).toEqual([
        expect.objectContaining({ Next: s.countFailure }),
      ]);
      expect(definition.States[s.evaluate]?.Catch).toEqual([
        expect.objectContaining({ Next: s.countFailure }),
      ]);
      expect(definition.States[s.countFailure]?.Next).toBe(s.giveUp);
      expect(definition.States[s.giveUp]).toMatchObject({
        Choices: [{ Variable: '$.failures.count', NumericGreaterThan: 6, Next: s.degraded }],
        Default: s.alert,
      });
      expect(definition.States[s.alert]?.Next).toBe(s.backoff);
      expect(definition.States[s.alert]?.Catch).toEqual([expect.objectContaining({ Next: s.backoff })]);
      expect(definition.States[s.backoff]?.Next).toBe(s.evaluate);
      expect(definition.States[s.degraded]?.Next).toBe(s.gaveUp);
      expect(definition.States[s.degraded]?.Catch).toEqual([expect.objectContaining({ Next: s.gaveUp })]);
      // Two ways out: done (a step said so) and giving up after too many failed steps.
      const terminal = Object.entries(definition.States).filter(
        ([, st]) => st.End || st.Type === 'Succeed' || st.Type === 'Fail',
      );
      expect(terminal.map(([name]) => name).sort()).toEqual([s.done, s.gaveUp].sort());
    });

    it('alerts through an EventBridge direct integration', () => {
      expect(definition.States[s.alert]).toMatchObject({
        Resource: 'arn:aws:states:::events:putEvents',
        Parameters: {
          Entries: [expect.objectContaining({ DetailType: 'sla.timer_failed', Source: 'gongdan' })],
        },
      });
    });
  });

  describe('paths', () => {
    it('met: replied and resolved within the SLA, the resolve stops the timer', async () => {
      // Prepare: first reply at 10 min (keeps the timer), resolved at 170 min (< 180, the 75 % warning).
      const world = await play('met', {
        script: [
          { at: 10, entry: 'staff_replied' },
          { at: 170, entry: 'resolved' },
        ],
      });
      // Assess
      expect(world.log).toEqual([]);
      expect(world.plans.map((p) => p.plan)).toEqual(['start', 'keep', 'stop']);
      expect(world.paths).toEqual([[s.choice, s.wait, s.evaluate, s.choice, s.wait]]);
      expect(world.executions[0]?.status).toBe('aborted');
      expect(world.transitions).toBeLessThanOrEqual(8);
    });

    it('resolved early: before the first checkpoint, the timer is stopped while it waits', async () => {
      const world = await play('resolved early', {
        script: [
          { at: 3, entry: 'staff_replied' },
          { at: 8, entry: 'resolved' },
        ],
      });
      expect(world.log).toEqual([]);
      expect(world.paths).toEqual([[s.choice, s.wait]]);
      expect(world.transitions).toBe(2);
    });

    it('resolved early with the stop lost: the timer wakes, finds the ticket resolved and ends itself', async () => {
      const world = await play('resolved early, stop lost', {
        stopIsLost: true,
        script: [{ at: 8, entry: 'resolved' }],
      });
      expect(world.log).toEqual([]);
      expect(world.paths).toEqual([[s.choice, s.wait, s.evaluate, s.choice, s.done]]);
      expect(world.executions[0]?.output).toMatchObject({ timer: { done: true, reason: 'inactive' } });
      expect(world.transitions).toBeLessThanOrEqual(8);
    });

    it('warned: the 75 % warning goes out, the late reply meets the target', async () => {
      const world = await play('warned', {
        script: [
          { at: 25, entry: 'staff_replied' },
          { at: 100, entry: 'resolved' },
        ],
      });
      expect(world.log).toEqual(['firstResponse#1:warning:75@22.5']);
      expect(world.applied[0]?.action).toMatchObject({
        kind: 'warning',
        remainingMinutes: 7.5,
        recipients: [{ role: 'assignee', channel: 'email', agentId: 'agent-1' }],
      });
      // Started at its Choice with the write path's checkpoint: no ComputeCheckpoint, within 8 (issue 15).
      expect(world.paths[0]?.[0]).toBe(s.choice);
      expect(world.transitions).toBeLessThanOrEqual(8);
    });

    it('breached: the breach is recorded and level 1 escalates to the assignee and the team supervisor', async () => {
      const world = await play('breached', {
        script: [
          { at: 40, entry: 'staff_replied' },
          { at: 50, entry: 'resolved' },
        ],
      });
      expect(world.log).toEqual([
        'firstResponse#1:warning:75@22.5',
        'firstResponse#1:breach@30',
        'firstResponse#1:escalation:1@30',
      ]);
      expect(world.applied[2]?.action).toMatchObject({
        kind: 'escalation',
        level: 1,
        recipients: [
          { role: 'assignee', channel: 'email', agentId: 'agent-1' },
          { role: 'team_supervisor', channel: 'email', team: 'support' },
        ],
      });
    });

    it('multi-level escalation: an untouched urgent ticket climbs L1 → L2 (+30 min, SMS) → L3 (+2 h)', async () => {
      const world = await play('multi-level escalation', { script: [{ at: 200, entry: 'resolved' }] });
      expect(world.log).toEqual([
        'firstResponse#1:warning:75@22.5',
        'firstResponse#1:breach@30',
        'firstResponse#1:escalation:1@30',
        'firstResponse#1:escalation:2@60',
        'firstResponse#1:escalation:3@150',
        'resolution#1:warning:75@180',
      ]);
      const levels = world.applied.filter((a) => a.action.kind === 'escalation').map((a) => a.action);
      expect(levels[1]).toMatchObject({
        level: 2,
        overdueMinutes: 30,
        recipients: [{ role: 'manager', channel: 'sms' }],
      });
      expect(levels[2]).toMatchObject({
        level: 3,
        overdueMinutes: 120,
        recipients: [{ role: 'on_call', channel: 'sms' }],
      });
      // Every action was applied at the instant it fell due: no polling lag.
      expect(
        world.applied.every((a) => a.appliedAt === (Date.parse(a.action.scheduledAt) - t0) / 60_000),
      ).toBe(true);
    });

    it('paused and resumed: pending stops the timer, resume starts a new version with deadlines moved by the pause', async () => {
      const world = await play('paused/resumed', {
        script: [
          { at: 5, entry: 'staff_replied' },
          { at: 20, entry: 'pending' },
          { at: 80, entry: 'resumed' },
          { at: 260, entry: 'resolved' },
        ],
      });
      expect(world.plans.map((p) => p.plan)).toEqual(['start', 'keep', 'stop', 'start', 'stop']);
      expect(world.executions.map((e) => [e.name, e.status])).toEqual([
        ['sla-T-1001-v1', 'aborted'],
        ['sla-T-1001-v4', 'aborted'],
      ]);
      // Resolution: 240 min; 75 % at 180 — plus the 60 min spent pending.
      expect(world.log).toEqual(['resolution#1:warning:75@240']);
      expect(world.applied[0]?.action).toMatchObject({
        dueAt: minute(300).toISOString(),
        remainingMinutes: 60,
      });
      // Both versions start at the Choice with their checkpoint: within 8 transitions in all (issue 15).
      expect(world.transitions).toBeLessThanOrEqual(8);
    });

    it('priority change: the timer restarts under the next versioned name with the new policy', async () => {
      const world = await play('priority change', {
        ticket: { priority: 'normal' },
        script: [
          { at: 10, patch: { priority: 'urgent' } },
          { at: 45, entry: 'resolved' },
        ],
      });
      expect(world.plans.map((p) => p.plan)).toEqual(['start', 'restart', 'stop']);
      expect(world.executions.map((e) => [e.name, e.status])).toEqual([
        ['sla-T-1001-v1', 'aborted'],
        ['sla-T-1001-v2', 'aborted'],
      ]);
      // Normal (4 business hours, due 14:00 Beijing) became urgent (30 min): breached at 30.
      expect(world.log).toEqual([
        'firstResponse#1:warning:75@22.5',
        'firstResponse#1:breach@30',
        'firstResponse#1:escalation:1@30',
      ]);
      expect(world.applied.every((a) => a.execution === 'sla-T-1001-v2')).toBe(true);
    });

    it('a superseded execution whose stop was lost ends itself without sending anything', async () => {
      const world = await play('priority change, stop lost', {
        ticket: { priority: 'normal' },
        stopIsLost: true,
        script: [
          { at: 10, patch: { priority: 'urgent' } },
          { at: 45, entry: 'resolved' },
        ],
      });
      const [v1] = world.executions;
      expect(v1?.output).toMatchObject({ timer: { done: true, reason: 'superseded' } });
      expect(world.applied.every((a) => a.execution === 'sla-T-1001-v2')).toBe(true);
      expect(world.log).toContain('firstResponse#1:breach@30');
    });

    it('a next-response clock starts on a customer reply and restarts the timer', async () => {
      const world = await play('next response', {
        script: [
          { at: 5, entry: 'staff_replied' },
          { at: 60, entry: 'customer_replied' },
          { at: 130, entry: 'resolved' },
        ],
      });
      expect(world.plans.map((p) => p.plan)).toEqual(['start', 'keep', 'restart', 'stop']);
      // Next response: 60 min → warning at 60 + 45, breach at 120.
      expect(world.log).toEqual([
        'nextResponse#1:warning:75@105',
        'nextResponse#1:breach@120',
        'nextResponse#1:escalation:1@120',
      ]);
    });

    it('task failure: retried, then alerted, then evaluated again — the timer is not lost', async () => {
      // EvaluateCheckpoint fails on its first entry and all 3 retries (4 calls), and the alert's first try.
      const world = await play('task failure', {
        faults: { evaluate: 4, alert: 1 },
        script: [{ at: 45, entry: 'resolved' }],
      });
      const [execution] = world.executions;
      const retried = execution?.events.filter((e) => e.type === 'StateRetried').map((e) => e.state?.name);
      expect(retried).toEqual([s.evaluate, s.evaluate, s.evaluate, s.alert]);
      expect(world.alerts).toHaveLength(1);
      expect(world.alerts[0]).toMatchObject({
        Entries: [
          {
            DetailType: 'sla.timer_failed',
            Source: 'gongdan',
            Detail: { ticketId: 'T-1001', version: 1, failures: 1, error: 'Throttled' },
          },
        ],
      });
      // The warning due at 22.5 went out after the 5-minute back-off; the breach at 30 on time.
      expect(world.log).toEqual([
        'firstResponse#1:warning:75@27.5',
        'firstResponse#1:breach@30',
        'firstResponse#1:escalation:1@30',
      ]);
      expect(world.paths[0]?.slice(0, 8)).toEqual([
        s.choice,
        s.wait,
        s.evaluate,
        s.countFailure,
        s.giveUp,
        s.alert,
        s.backoff,
        s.evaluate,
      ]);
    });

    it('task failure in ComputeCheckpoint and in every alert attempt: still back to evaluating', async () => {
      // Started without a checkpoint (as an older record would), so the timer computes the first itself.
      const world = await play('compute and alert failure', {
        computeFirst: true,
        faults: { checkpoint: 4, alert: 4 },
        script: [{ at: 45, entry: 'resolved' }],
      });
      expect(world.alerts).toEqual([]);
      expect(world.paths[0]?.slice(0, 8)).toEqual([
        s.choice,
        s.compute,
        s.countFailure,
        s.giveUp,
        s.alert,
        s.backoff,
        s.evaluate,
        s.choice,
      ]);
      expect(world.log).toContain('firstResponse#1:breach@30');
      expect(world.executions[0]?.status).toBe('aborted');
    });

    it('a fault that does not clear: six alerts, then the timer records itself degraded and fails (bounded history)', async () => {
      // Every EvaluateCheckpoint call fails: 4 calls (entry + 3 retries) per lap, for ever.
      const world = await play('fault that does not clear', { faults: { evaluate: 10_000 } });
      const [execution] = world.executions;
      expect(execution?.status).toBe('failed');
      expect(execution?.events.find((e) => e.type === 'ExecutionFailed')).toMatchObject({
        Error: 'Timer.GaveUp',
      });
      // Six laps alert and back off; the seventh failure gives up.
      expect(world.alerts).toHaveLength(6);
      expect(
        world.alerts.map(
          (a) => (a as { Entries: { Detail: { failures: number } }[] }).Entries[0]?.Detail.failures,
        ),
      ).toEqual([1, 2, 3, 4, 5, 6]);
      expect(world.degraded).toEqual([
        { ticketId: 'T-1001', version: 1, failure: { error: 'Throttled', cause: expect.any(String) } },
      ]);
      const path = world.paths[0]!;
      expect(path.slice(-4)).toEqual([s.countFailure, s.giveUp, s.degraded, s.gaveUp]);
      // Bounded: a few hundred history events at most, where the old loop ran on to 25,000.
      expect(execution!.events.length).toBeLessThan(200);
      expect(world.log).toEqual([]);
    });

    it('gives up even when recording the degraded timer fails too', async () => {
      const world = await play('degraded record fails', { faults: { evaluate: 10_000, degraded: 10_000 } });
      expect(world.executions[0]?.status).toBe('failed');
      expect(world.paths[0]?.slice(-2)).toEqual([s.degraded, s.gaveUp]);
      expect(world.degraded).toEqual([]);
    });

    it('runs on a business calendar: targets and business-clock escalations wait a week for working time', async () => {
      // Only Mondays 09:00–10:30 Beijing work. High: 60 min first response; L2 60 business min after the breach.
      const world = await play('business hours', {
        ticket: { priority: 'high' },
        script: [{ at: 7 * 24 * 60 + 60, entry: 'resolved' }],
        calendars: [
          defineCalendar({
            id: 'cn-office',
            name: 'Monday mornings',
            timeZone: 'Asia/Shanghai',
            weeklyHours: { mon: [{ start: '09:00', end: '10:30' }] },
          }),
        ],
      });
      // Created Monday 09:00: warning 09:45, breach and L1 10:00; L2 after 30 min that day and 30 the next Monday.
      expect(world.log).toEqual([
        'firstResponse#1:warning:75@45',
        'firstResponse#1:breach@60',
        'firstResponse#1:escalation:1@60',
        `firstResponse#1:escalation:2@${7 * 24 * 60 + 30}`,
        `firstResponse#1:escalation:2:raise_priority@${7 * 24 * 60 + 30}`,
      ]);
      expect(world.applied[3]?.action).toMatchObject({ kind: 'escalation', level: 2 });
      expect(world.applied.find((a) => a.action.kind === 'raise_priority')?.action).toMatchObject({
        from: 'high',
        to: 'urgent',
      });
    });
  });

  describe('local timer', () => {
    it('waits on the wall clock until the TimestampPath instant', async () => {
      const started = Date.now();
      const wakeAt = new Date(started + 300);
      const calls: number[] = [];
      let step = 0;
      const timer = localSlaTimer({
        definition,
        handlers: {
          checkpoint: async () => ({
            done: false,
            checkpointAt: wakeAt.toISOString(),
            waitUntil: wakeAt.toISOString(),
            reason: 'checkpoint',
            actions: 0,
            lagMs: null,
          }),
          evaluate: async () => {
            calls.push(Date.now());
            step += 1;
            return {
              done: true,
              checkpointAt: null,
              waitUntil: null,
              reason: 'nothing_left',
              actions: 0,
              lagMs: null,
            };
          },
          alert: async () => ({}),
        },
      });
      await timer.start('T-9', 1, SlaTimerInput.parse({ ticketId: 'T-9', version: 1 }));
      await timer.idle();
      expect(step).toBe(1);
      expect(calls[0]).toBeGreaterThanOrEqual(wakeAt.getTime());
      // Choice → Compute → Choice → Wait → Evaluate → Choice → Done
      expect(transitionsOf(timer.executions[0]!)).toBe(7);
    });

    it('started with a checkpoint, waits for it at once: no ComputeCheckpoint call', async () => {
      const wakeAt = new Date(Date.now() + 200);
      let computed = 0;
      let evaluatedAt = 0;
      const timer = localSlaTimer({
        definition,
        handlers: {
          checkpoint: async () => {
            computed++;
            return {};
          },
          evaluate: async () => {
            evaluatedAt = Date.now();
            return {
              done: true,
              checkpointAt: null,
              waitUntil: null,
              reason: 'nothing_left',
              actions: 0,
              lagMs: null,
            };
          },
          alert: async () => ({}),
        },
      });
      await timer.start('T-8', 1, { ticketId: 'T-8', version: 1, checkpointAt: wakeAt.toISOString() });
      await timer.idle();
      expect(computed).toBe(0);
      expect(evaluatedAt).toBeGreaterThanOrEqual(wakeAt.getTime());
      const [execution] = timer.executions;
      expect(execution?.events.find((e) => e.type === 'StateEntered')?.state?.input).toMatchObject({
        ticketId: 'T-8',
        version: 1,
        failures: { count: 0 },
        timer: { done: false, checkpointAt: wakeAt.toISOString(), waitUntil: wakeAt.toISOString() },
      });
      // Choice → Wait → Evaluate → Choice → Done
      expect(transitionsOf(execution!)).toBe(5);
    });

    it('refuses a second execution with a used name, like StartExecution', async () => {
      const timer = localSlaTimer({
        definition,
        handlers: {
          checkpoint: async () => ({
            done: true,
            checkpointAt: null,
            waitUntil: null,
            reason: 'inactive',
            actions: 0,
            lagMs: null,
          }),
          evaluate: async () => ({}),
          alert: async () => ({}),
        },
      });
      await timer.start('T-9', 1, { ticketId: 'T-9', version: 1 });
      await timer.idle();
      await expect(timer.start('T-9', 1, { ticketId: 'T-9', version: 1 })).rejects.toThrow(/already exists/);
      await expect(timer.start('T-9', 2, { ticketId: 'T-9', version: 2 })).resolves.toEqual({
        executionName: 'sla-T-9-v2',
      });
      await timer.idle();
    });
  });
});
