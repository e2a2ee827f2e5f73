import { describe, expect, it } from 'vitest';
import { alwaysOpenCalendar } from '#shared/domain/sla/calendar.ts';
import { defaultSlaPolicies } from '#shared/domain/sla/policy.ts';
import { evaluate } from '#shared/domain/sla/sla-clock.ts';
import { SlaEventFields, slaEventOf } from '#shared/domain/sla/sla-events.ts';

const urgent = defaultSlaPolicies.find((p) => p.id === 'urgent')!;
const t0 = Date.parse('2026-06-08T01:00:00Z');

describe('slaEventOf()', () => {
  it('turns warnings, breaches and escalations into sla.* events with valid fields', () => {
    // Prepare: an untouched urgent ticket evaluated late, so every kind is due at once.
    const { actions } = evaluate(
      {
        ticket: {
          id: 'T',
          priority: 'normal',
          tier: 'standard',
          category: null,
          team: 't',
          assignee: 'a',
          status: 'open',
        },
        timeline: [{ type: 'created', at: new Date(t0).toISOString() }],
        policy: { ...urgent, escalation: [{ ...urgent.escalation[0]!, raisePriorityTo: 'urgent' }] },
        calendar: alwaysOpenCalendar,
      },
      new Date(t0 + 200 * 60_000),
      [],
    );
    // Act
    const events = actions.map((a) => slaEventOf(a, 'urgent'));
    // Assess
    expect(events.map((e) => e?.name ?? null)).toEqual([
      'sla.breached',
      'sla.escalated',
      null, // raise_priority is a ticket change, not an sla.* event
      'sla.warning',
    ]);
    for (const event of events) if (event) expect(SlaEventFields.parse(event.fields)).toEqual(event.fields);
    expect(events[1]?.fields).toMatchObject({
      level: 1,
      overdueMinutes: 170,
      target: 'firstResponse',
      cycle: 1,
    });
    expect(events[3]?.fields).toMatchObject({ percent: 75, remainingMinutes: 40, target: 'resolution' });
  });
});
