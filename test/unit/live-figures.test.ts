import { describe, expect, it } from 'vitest';
import { liveFigures } from '../../shared/domain/analytics/live.ts';
import { defaultCalendars } from '../../shared/domain/sla/calendar.ts';
import { definePolicy } from '../../shared/domain/sla/policy.ts';
import type { Ticket } from '../../shared/domain/ticket/ticket.entity.ts';

const policy = definePolicy({
  id: 'office',
  name: 'Office hours',
  calendarId: 'cn-office',
  targets: { resolution: { minutes: 480 } },
  warnAtPercent: [75],
});
const config = { policies: [policy], calendars: defaultCalendars };
// Tuesday 2026-11-10, 15:00 in Shanghai
const now = new Date('2026-11-10T07:00:00Z');

type LiveTicket = Pick<Ticket, 'status' | 'team' | 'sla'>;
const ticket = (
  status: string,
  team: string | null,
  dueAt: string | null,
  over: Partial<Ticket['sla']> = {},
): LiveTicket => ({
  status: status as Ticket['status'],
  team,
  sla: {
    policy: 'office',
    calendar: 'cn-office',
    firstResponseDueAt: null,
    resolutionDueAt: dueAt,
    breached: [],
    paused: false,
    targets: dueAt
      ? [
          {
            target: 'resolution',
            cycle: 1,
            state: 'running',
            targetMinutes: 480,
            startedAt: '2026-11-09T01:00:00.000Z',
            dueAt,
            remainingMinutes: 0,
            stoppedAt: null,
            breachedAt: null,
          },
        ]
      : [],
    ...over,
  },
});

describe('live figures', () => {
  it('counts the backlog, the breached and those inside the warning window, by business time', () => {
    const figures = liveFigures(
      [
        // 1 business hour left of 8 (under the last quarter, 2 h): at risk
        ticket('open', 'desk', '2026-11-10T08:00:00.000Z'),
        // 4 business hours left (due tomorrow 10:00 local: 15→18 today, then 09→10): not at risk
        ticket('open', 'desk', '2026-11-11T02:00:00.000Z'),
        // due Wednesday 09:30 local: 3 h today + 0.5 h = 3.5 h left, wall time 18.5 h — not at risk either
        ticket('new', 'field', '2026-11-11T01:30:00.000Z'),
        // breached: not also at risk
        ticket('open', 'field', '2026-11-10T07:30:00.000Z', { breached: ['resolution'] }),
        // paused (pending): not at risk
        ticket('pending', 'field', '2026-11-10T07:30:00.000Z', { paused: true }),
        // no SLA at all, no team
        ticket('open', null, null),
        // finished: not in the backlog
        ticket('resolved', 'desk', '2026-11-10T08:00:00.000Z'),
        ticket('closed', 'desk', null, { breached: ['resolution'] }),
      ],
      now,
      config,
    );
    expect(figures).toEqual({
      at: now.toISOString(),
      backlog: 6,
      atRisk: 1,
      breached: 1,
      byTeam: [
        { team: 'desk', backlog: 2, atRisk: 1, breached: 0 },
        { team: 'field', backlog: 3, atRisk: 0, breached: 1 },
        { team: null, backlog: 1, atRisk: 0, breached: 0 },
      ],
    });
  });

  it("takes the policy's own warning threshold", () => {
    const early = { ...config, policies: [definePolicy({ ...policy, warnAtPercent: [50] })] };
    // 3.5 business hours left of 8: inside the last half
    expect(liveFigures([ticket('new', 'field', '2026-11-11T01:30:00.000Z')], now, early).atRisk).toBe(1);
  });
});
