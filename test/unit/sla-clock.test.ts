import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alwaysOpenCalendar, type BusinessCalendar, defaultCalendars } from '#shared/domain/sla/calendar.ts';
import {
  defaultSlaPolicies,
  definePolicy,
  type SlaPolicy,
  type SlaPolicyInput,
} from '#shared/domain/sla/policy.ts';
import {
  computeSla,
  evaluate,
  nextCheckpoint,
  type SlaClockInput,
  type SlaTicket,
  slaSummary,
  type TimelineEntry,
} from '#shared/domain/sla/sla-clock.ts';

const t0 = Date.parse('2026-06-08T01:00:00Z');
/** An instant `m` minutes after t0. */
const min = (m: number) => new Date(t0 + m * 60_000);
const isoMin = (m: number) => min(m).toISOString();

const urgentPolicy = defaultSlaPolicies.find((p) => p.id === 'urgent')!;
const cnOffice = defaultCalendars.find((c) => c.id === 'cn-office')!;

const ticket = (overrides: Partial<SlaTicket> = {}): SlaTicket => ({
  id: 'T1',
  priority: 'urgent',
  tier: 'standard',
  category: null,
  team: 'support',
  assignee: 'agent-1',
  status: 'open',
  ...overrides,
});

type Entry = [type: TimelineEntry['type'], minute: number, extra?: { public: boolean }];
const timeline = (...entries: Entry[]): TimelineEntry[] =>
  entries.map(([type, m, extra]) =>
    type === 'staff_replied'
      ? { type, at: isoMin(m), public: extra?.public ?? true }
      : ({ type, at: isoMin(m) } as TimelineEntry),
  );

const input = (
  entries: TimelineEntry[],
  options: { policy?: SlaPolicy; calendar?: BusinessCalendar; ticket?: Partial<SlaTicket> } = {},
): SlaClockInput => ({
  ticket: ticket(options.ticket),
  timeline: entries,
  policy: options.policy ?? urgentPolicy,
  calendar: options.calendar ?? alwaysOpenCalendar,
});

const clock = (sla: ReturnType<typeof computeSla>, target: string, cycle?: number) =>
  sla.targets.find((t) => t.target === target && (cycle === undefined || t.cycle === cycle));

describe('SLA clock', () => {
  describe('computeSla()', () => {
    it('runs first response and resolution from creation', () => {
      // Prepare
      const sla = computeSla(input(timeline(['created', 0])), min(10));
      // Assess
      expect(clock(sla, 'firstResponse')).toMatchObject({
        state: 'running',
        dueAt: isoMin(30),
        remainingMinutes: 20,
        targetMinutes: 30,
      });
      expect(clock(sla, 'resolution')).toMatchObject({
        state: 'running',
        dueAt: isoMin(240),
        remainingMinutes: 230,
      });
      expect(clock(sla, 'nextResponse')).toBeUndefined();
      expect(sla.breaches).toEqual([]);
      expect(sla.active).toBe(true);
    });

    it('meets the first response with the first public staff reply, not with an internal note', () => {
      const sla = computeSla(
        input(timeline(['created', 0], ['staff_replied', 5, { public: false }], ['staff_replied', 12])),
        min(20),
      );
      expect(clock(sla, 'firstResponse')).toMatchObject({
        state: 'met',
        stoppedAt: isoMin(12),
        remainingMinutes: 18,
      });
    });

    it('breaches a target whose due time has passed, and keeps the breach after a late reply', () => {
      const running = computeSla(input(timeline(['created', 0])), min(31));
      expect(clock(running, 'firstResponse')).toMatchObject({ state: 'breached', remainingMinutes: -1 });
      expect(running.breaches).toEqual([{ target: 'firstResponse', cycle: 1, at: isoMin(30) }]);

      const late = computeSla(input(timeline(['created', 0], ['staff_replied', 45])), min(50));
      expect(clock(late, 'firstResponse')).toMatchObject({
        state: 'breached',
        breachedAt: isoMin(30),
        stoppedAt: isoMin(45),
      });
    });

    it('counts a reply exactly at the deadline as met', () => {
      const sla = computeSla(input(timeline(['created', 0], ['staff_replied', 30])), min(31));
      expect(clock(sla, 'firstResponse')?.state).toBe('met');
    });

    it('pauses while pending and resumes on the customer reply, pushing the deadline by the pause', () => {
      const entries = timeline(
        ['created', 0],
        ['staff_replied', 5],
        ['pending', 20],
        ['customer_replied', 80],
      );
      const during = computeSla(input(entries), min(50));
      expect(during.paused).toBe(true);
      expect(clock(during, 'resolution')).toMatchObject({
        state: 'paused',
        dueAt: null,
        remainingMinutes: 220,
      });

      const after = computeSla(input(entries), min(90));
      expect(after.paused).toBe(false);
      expect(clock(after, 'resolution')).toMatchObject({ state: 'running', dueAt: isoMin(300) });
    });

    it('also resumes on an explicit resume', () => {
      const sla = computeSla(input(timeline(['created', 0], ['pending', 10], ['resumed', 40])), min(41));
      expect(clock(sla, 'firstResponse')).toMatchObject({ state: 'running', dueAt: isoMin(60) });
    });

    it('starts a next-response cycle on each customer reply after the first response', () => {
      const entries = timeline(
        ['created', 0],
        ['customer_replied', 3], // before any answer: the first-response clock covers it
        ['staff_replied', 5],
        ['customer_replied', 100],
        ['staff_replied', 130],
        ['customer_replied', 200],
      );
      const sla = computeSla(input(entries), min(210));
      expect(clock(sla, 'nextResponse')).toMatchObject({ cycle: 2, state: 'running', dueAt: isoMin(260) });
      const first = computeSla(input(entries), min(140));
      expect(clock(first, 'nextResponse')).toMatchObject({ cycle: 1, state: 'met', stoppedAt: isoMin(130) });
    });

    it('stops the resolution clock on resolve and restarts it from zero on reopen', () => {
      const entries = timeline(['created', 0], ['staff_replied', 5], ['resolved', 60], ['reopened', 300]);
      const resolved = computeSla(input(entries), min(100));
      expect(resolved.active).toBe(false);
      expect(clock(resolved, 'resolution')).toMatchObject({ state: 'met', stoppedAt: isoMin(60) });
      const reopened = computeSla(input(entries), min(310));
      expect(reopened.active).toBe(true);
      expect(clock(reopened, 'resolution')).toMatchObject({ cycle: 2, state: 'running', dueAt: isoMin(540) });
    });

    it('continues the resolution clock on reopen when the policy says so', () => {
      const policy = definePolicy({ ...(urgentPolicy as SlaPolicyInput), onReopen: 'continue' });
      const entries = timeline(['created', 0], ['resolved', 60], ['reopened', 300]);
      const sla = computeSla(input(entries, { policy }), min(310));
      expect(clock(sla, 'resolution')).toMatchObject({ cycle: 1, state: 'running', dueAt: isoMin(480) });
    });

    it('ignores what has not happened yet', () => {
      const sla = computeSla(input(timeline(['created', 0], ['resolved', 60])), min(30));
      expect(clock(sla, 'resolution')?.state).toBe('running');
    });

    it('measures targets in business time on a business calendar', () => {
      // Normal: 4 business hours first response. Created Friday 17:00 Beijing → Monday 12:00.
      const normal = defaultSlaPolicies.find((p) => p.id === 'normal')!;
      const created = '2026-06-05T09:00:00.000Z'; // 17:00 +08:00
      const sla = computeSla(
        {
          ticket: ticket({ priority: 'normal' }),
          timeline: [{ type: 'created', at: created }],
          policy: normal,
          calendar: cnOffice,
        },
        new Date('2026-06-06T09:00:00Z'),
      );
      expect(clock(sla, 'firstResponse')).toMatchObject({
        dueAt: '2026-06-08T04:00:00.000Z',
        remainingMinutes: 180,
      });
    });

    it('summarises the ticket `sla` field', () => {
      const sla = computeSla(input(timeline(['created', 0])), min(31));
      expect(slaSummary(sla)).toMatchObject({
        policy: 'urgent',
        firstResponseDueAt: isoMin(30),
        resolutionDueAt: isoMin(240),
        nextResponseDueAt: null,
        breached: ['firstResponse'],
        paused: false,
      });
    });
  });

  describe('nextCheckpoint()', () => {
    const fresh = input(timeline(['created', 0]));

    it('is the first warning, then the breach, then each escalation level', () => {
      expect(nextCheckpoint(fresh, min(0), [])).toEqual({
        at: isoMin(22.5),
        keys: ['firstResponse#1:warning:75'],
      });
      expect(nextCheckpoint(fresh, min(23), ['firstResponse#1:warning:75'])).toEqual({
        at: isoMin(30),
        keys: ['firstResponse#1:breach', 'firstResponse#1:escalation:1'],
      });
      const afterL1 = [
        'firstResponse#1:warning:75',
        'firstResponse#1:breach',
        'firstResponse#1:escalation:1',
      ];
      expect(nextCheckpoint(fresh, min(31), afterL1)?.at).toBe(isoMin(60));
      expect(nextCheckpoint(fresh, min(61), [...afterL1, 'firstResponse#1:escalation:2'])?.at).toBe(
        isoMin(150),
      );
    });

    it('moves on to the resolution warning once the first response is met', () => {
      expect(nextCheckpoint(input(timeline(['created', 0], ['staff_replied', 10])), min(10), [])?.at).toBe(
        isoMin(180),
      );
    });

    it('is due at once when a checkpoint has already passed', () => {
      expect(nextCheckpoint(fresh, min(25), [])?.at).toBe(isoMin(22.5));
    });

    it('is null while paused and once resolved', () => {
      expect(nextCheckpoint(input(timeline(['created', 0], ['pending', 5])), min(6), [])).toBeNull();
      expect(nextCheckpoint(input(timeline(['created', 0], ['resolved', 5])), min(6), [])).toBeNull();
    });

    it('is null for a ticket whose status is resolved even if its timeline lags', () => {
      expect(
        nextCheckpoint(input(timeline(['created', 0]), { ticket: { status: 'resolved' } }), min(6), []),
      ).toBeNull();
    });
  });

  describe('evaluate()', () => {
    const fresh = input(timeline(['created', 0]));

    it('warns at 75 % of the target', () => {
      const result = evaluate(fresh, min(22.5), []);
      expect(result.actions).toEqual([
        {
          kind: 'warning',
          key: 'firstResponse#1:warning:75',
          target: 'firstResponse',
          cycle: 1,
          percent: 75,
          scheduledAt: isoMin(22.5),
          dueAt: isoMin(30),
          remainingMinutes: 7.5,
          recipients: [{ role: 'assignee', channel: 'email', agentId: 'agent-1' }],
        },
      ]);
      expect(result.next?.at).toBe(isoMin(30));
    });

    it('records the breach and escalates level 1 to the assignee and the team supervisor', () => {
      const result = evaluate(fresh, min(30), ['firstResponse#1:warning:75']);
      expect(result.actions.map((a) => a.key)).toEqual([
        'firstResponse#1:breach',
        'firstResponse#1:escalation:1',
      ]);
      expect(result.actions[1]).toMatchObject({
        kind: 'escalation',
        level: 1,
        overdueMinutes: 0,
        recipients: [
          { role: 'assignee', channel: 'email', agentId: 'agent-1' },
          { role: 'team_supervisor', channel: 'email', team: 'support' },
        ],
      });
      expect(result.snapshot.breaches).toHaveLength(1);
    });

    it('never repeats an action already sent', () => {
      const first = evaluate(fresh, min(30), []);
      const again = evaluate(
        fresh,
        min(30),
        first.actions.map((a) => a.key),
      );
      expect(again.actions).toEqual([]);
      expect(again.next).toEqual(first.next);
    });

    it('skips a warning whose breach has come too, and sends every level already due', () => {
      const result = evaluate(fresh, min(200), []);
      expect(result.actions.map((a) => a.key)).toEqual([
        'firstResponse#1:breach',
        'firstResponse#1:escalation:1',
        'firstResponse#1:escalation:2',
        'firstResponse#1:escalation:3',
        'resolution#1:warning:75',
      ]);
      expect(result.actions[2]).toMatchObject({
        overdueMinutes: 170,
        recipients: [{ role: 'manager', channel: 'sms', team: 'support' }],
      });
      expect(result.next?.at).toBe(isoMin(240));
    });

    it('runs escalation delays on the SLA clock: a pending spell postpones the next level', () => {
      // Breached at 30; pending 40 → 100; level 2 (+30 min) comes 10 min before and 20 min after the pause.
      const entries = timeline(['created', 0], ['pending', 40], ['resumed', 100]);
      const sent = ['firstResponse#1:warning:75', 'firstResponse#1:breach', 'firstResponse#1:escalation:1'];
      expect(nextCheckpoint(input(entries), min(100), sent)?.keys).toContain('firstResponse#1:escalation:2');
      expect(nextCheckpoint(input(entries), min(100), sent)?.at).toBe(isoMin(120));
    });

    it('raises priority and reassigns at the levels that say so, once and only when it changes something', () => {
      const policy = definePolicy({
        id: 'p',
        name: 'p',
        calendarId: '24x7',
        targets: { firstResponse: { minutes: 60 } },
        escalation: [
          {
            level: 1,
            afterBreachMinutes: 0,
            notify: [{ role: 'assignee', channel: 'email' }],
            raisePriorityTo: 'high',
          },
          {
            level: 2,
            afterBreachMinutes: 30,
            notify: [{ address: 'noc@example.com', channel: 'email' }],
            reassignTo: { team: 'tier2' },
          },
        ],
      });
      const normal = input(timeline(['created', 0]), { policy, ticket: { priority: 'normal' } });
      const result = evaluate(normal, min(90), ['firstResponse#1:warning:75']);
      expect(result.actions.map((a) => a.kind)).toEqual([
        'breach',
        'escalation',
        'raise_priority',
        'escalation',
        'reassign',
      ]);
      expect(result.actions[2]).toMatchObject({
        key: 'firstResponse#1:escalation:1:raise_priority',
        from: 'normal',
        to: 'high',
      });
      expect(result.actions[4]).toMatchObject({ team: 'tier2', assignee: null });

      const alreadyUrgent = input(timeline(['created', 0]), {
        policy,
        ticket: { priority: 'urgent', team: 'tier2', assignee: null },
      });
      expect(evaluate(alreadyUrgent, min(90), []).actions.map((a) => a.kind)).toEqual([
        'breach',
        'escalation',
        'escalation',
      ]);
    });

    it('warns the team supervisor when the ticket has no assignee', () => {
      const unassigned = input(timeline(['created', 0]), { ticket: { assignee: null } });
      const [warning] = evaluate(unassigned, min(23), []).actions;
      expect(warning).toMatchObject({
        recipients: [{ role: 'team_supervisor', channel: 'email', team: 'support' }],
      });
    });

    it('records a breach that happened before the ticket was resolved, without escalating it', () => {
      const entries = timeline(['created', 0], ['resolved', 35]);
      const result = evaluate(input(entries, { ticket: { status: 'resolved' } }), min(36), []);
      expect(result.actions.map((a) => a.key)).toEqual(['firstResponse#1:breach']);
      expect(result.next).toBeNull();
    });

    it('sends nothing and waits for nothing while paused', () => {
      const result = evaluate(input(timeline(['created', 0], ['pending', 5])), min(100), []);
      expect(result.actions).toEqual([]);
      expect(result.next).toBeNull();
    });
  });

  describe('properties', () => {
    const types: TimelineEntry['type'][] = [
      'staff_replied',
      'customer_replied',
      'pending',
      'resumed',
      'resolved',
      'reopened',
    ];
    const arbitraryTimeline = fc
      .array(fc.tuple(fc.constantFrom(...types), fc.integer({ min: 1, max: 600 }), fc.boolean()), {
        maxLength: 12,
      })
      .map((events) =>
        timeline(['created', 0], ...events.map(([type, m, pub]): Entry => [type, m, { public: pub }])),
      );
    const policies = [urgentPolicy, ...defaultSlaPolicies.filter((p) => p.id === 'high')];

    it('after evaluate(now), nothing more is due at now, and the next checkpoint is later', () => {
      fc.assert(
        fc.property(
          arbitraryTimeline,
          fc.constantFrom(...policies),
          fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 1, maxLength: 6 }),
          (entries, policy, nows) => {
            const calendar = policy.calendarId === '24x7' ? alwaysOpenCalendar : cnOffice;
            const clockInput = input(entries, { policy, calendar });
            const sent = new Set<string>();
            for (const m of [...nows].sort((a, b) => a - b)) {
              const result = evaluate(clockInput, min(m), sent);
              for (const action of result.actions) {
                expect(sent.has(action.key)).toBe(false);
                sent.add(action.key);
              }
              expect(evaluate(clockInput, min(m), sent).actions).toEqual([]);
              const next = nextCheckpoint(clockInput, min(m), sent);
              expect(next).toEqual(result.next);
              if (next) expect(Date.parse(next.at)).toBeGreaterThan(min(m).getTime());
            }
          },
        ),
        { numRuns: 150 },
      );
    });

    it('walking from checkpoint to checkpoint sends everything one late evaluation would, plus warnings and escalations of clocks stopped since', () => {
      fc.assert(
        fc.property(arbitraryTimeline, (entries) => {
          const clockInput = input(entries);
          const end = min(2_000);
          entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
          const walked = new Set<string>();
          let now = min(0);
          for (let i = 0; i < 100; i++) {
            const result = evaluate(clockInput, now, walked);
            for (const action of result.actions) walked.add(action.key);
            // The timer wakes at its checkpoint, or is restarted by the next change on the ticket.
            const change = entries.map((e) => Date.parse(e.at)).find((ms) => ms > now.getTime());
            const wake = Math.min(result.next ? Date.parse(result.next.at) : Infinity, change ?? Infinity);
            if (wake > end.getTime()) break;
            now = new Date(wake);
          }
          const late = new Set(evaluate(clockInput, end, []).actions.map((a) => a.key));
          for (const key of late) expect(walked.has(key)).toBe(true);
          for (const key of walked) if (!late.has(key)) expect(key).toMatch(/:warning:|:escalation:/);
        }),
        { numRuns: 150 },
      );
    });
  });
});
