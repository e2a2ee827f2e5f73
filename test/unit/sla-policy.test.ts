import { describe, expect, it } from 'vitest';
import { defaultCalendars } from '#shared/domain/sla/calendar.ts';
import {
  defaultSlaPolicies,
  definePolicy,
  policyIssues,
  SlaPolicies,
  SlaPolicy,
  type SlaPolicyInput,
  selectPolicy,
  warningPercents,
} from '#shared/domain/sla/policy.ts';

const minimal: SlaPolicyInput = {
  id: 'p',
  name: 'p',
  calendarId: '24x7',
  targets: { resolution: { minutes: 60 } },
};

describe('SlaPolicy', () => {
  describe('schema', () => {
    it('fills in a 75 % warning, an assignee e-mail warning and restart-on-reopen', () => {
      const policy = definePolicy(minimal);
      expect(policy.warnAtPercent).toEqual([75]);
      expect(policy.warningRecipients).toEqual([{ role: 'assignee', channel: 'email' }]);
      expect(policy.onReopen).toBe('restart');
      expect(policy.match).toEqual({ priorities: [], tiers: [], categories: [] });
      expect(policy.escalation).toEqual([]);
    });

    it('rejects a policy without targets', () => {
      expect(SlaPolicy.safeParse({ ...minimal, targets: {} }).success).toBe(false);
    });

    it('rejects warning thresholds outside 0–100 %', () => {
      expect(SlaPolicy.safeParse({ ...minimal, warnAtPercent: [100] }).success).toBe(false);
      expect(SlaPolicy.safeParse({ ...minimal, warnAtPercent: [0] }).success).toBe(false);
    });

    it('rejects escalation levels out of order and a reassignment that names nobody', () => {
      const notify = [{ role: 'manager', channel: 'sms' }] as const;
      const outOfOrder = SlaPolicy.safeParse({
        ...minimal,
        escalation: [
          { level: 2, afterBreachMinutes: 0, notify },
          { level: 1, afterBreachMinutes: 30, notify },
        ],
      });
      expect(outOfOrder.success).toBe(false);
      expect(
        SlaPolicy.safeParse({ ...minimal, escalation: [{ level: 1, afterBreachMinutes: 0, reassignTo: {} }] })
          .success,
      ).toBe(false);
    });

    it('rejects an unknown role or channel', () => {
      const bad = {
        ...minimal,
        escalation: [{ level: 1, afterBreachMinutes: 0, notify: [{ role: 'ceo', channel: 'fax' }] }],
      };
      expect(SlaPolicy.safeParse(bad).success).toBe(false);
    });

    it('rejects a policy set with duplicate ids', () => {
      expect(SlaPolicies.safeParse([minimal, minimal]).success).toBe(false);
    });

    it('reports policies that name an unknown calendar', () => {
      const policies = [definePolicy(minimal), definePolicy({ ...minimal, id: 'q', calendarId: 'mars' })];
      expect(policyIssues(policies, ['24x7'])).toEqual([
        { path: '1.calendarId', message: 'unknown calendar mars' },
      ]);
    });
  });

  describe('selectPolicy()', () => {
    const policies = SlaPolicies.parse([
      { ...minimal, id: 'catch-all' },
      { ...minimal, id: 'urgent', match: { priorities: ['urgent'] } },
      { ...minimal, id: 'vip', match: { tiers: ['vip'] } },
      { ...minimal, id: 'urgent-vip', match: { priorities: ['urgent'], tiers: ['vip'] } },
      { ...minimal, id: 'billing', match: { categories: ['billing'] } },
      { ...minimal, id: 'disabled', enabled: false, match: { categories: ['outage'] } },
    ]);
    const pick = (priority: 'normal' | 'urgent', tier: 'standard' | 'vip', category: string | null = null) =>
      selectPolicy(policies, { priority, tier, category })?.id;

    it('picks the most specific matching policy', () => {
      expect(pick('normal', 'standard')).toBe('catch-all');
      expect(pick('urgent', 'standard')).toBe('urgent');
      expect(pick('normal', 'vip')).toBe('vip');
      expect(pick('urgent', 'vip')).toBe('urgent-vip');
    });

    it('lets a category match outweigh priority and tier', () => {
      expect(pick('urgent', 'vip', 'billing')).toBe('billing');
    });

    it('skips disabled policies', () => {
      expect(pick('normal', 'standard', 'outage')).toBe('catch-all');
    });

    it('returns undefined when nothing matches', () => {
      expect(
        selectPolicy([definePolicy({ ...minimal, match: { priorities: ['low'] } })], {
          priority: 'high',
          tier: 'standard',
          category: null,
        }),
      ).toBeUndefined();
    });

    it('takes the first listed on a tie', () => {
      const tie = [definePolicy({ ...minimal, id: 'a' }), definePolicy({ ...minimal, id: 'b' })];
      expect(selectPolicy(tie, { priority: 'low', tier: 'standard', category: null })?.id).toBe('a');
    });
  });

  describe('warningPercents()', () => {
    it("uses a target's own thresholds over the policy's, sorted and unique", () => {
      const policy = definePolicy({
        ...minimal,
        warnAtPercent: [75],
        targets: { firstResponse: { minutes: 10, warnAtPercent: [90, 50, 90] }, resolution: { minutes: 60 } },
      });
      expect(warningPercents(policy, 'firstResponse')).toEqual([50, 90]);
      expect(warningPercents(policy, 'resolution')).toEqual([75]);
    });
  });

  describe('defaultSlaPolicies', () => {
    it('has the urgent policy of the issue: 30 min / 4 h, 75 %, 24×7, team supervisor at breach', () => {
      const urgent = selectPolicy(defaultSlaPolicies, {
        priority: 'urgent',
        tier: 'standard',
        category: null,
      })!;
      expect(urgent.id).toBe('urgent');
      expect(urgent.targets.firstResponse?.minutes).toBe(30);
      expect(urgent.targets.resolution?.minutes).toBe(240);
      expect(urgent.warnAtPercent).toEqual([75]);
      expect(urgent.calendarId).toBe('24x7');
      expect(urgent.escalation[0]).toMatchObject({ level: 1, afterBreachMinutes: 0 });
      expect(urgent.escalation[0]?.notify).toContainEqual({ role: 'team_supervisor', channel: 'email' });
      expect(urgent.escalation.map((l) => l.afterBreachMinutes)).toEqual([0, 30, 120]);
    });

    it('covers every priority × tier and names only the default calendars', () => {
      for (const priority of ['low', 'normal', 'high', 'urgent'] as const) {
        for (const tier of ['standard', 'vip'] as const) {
          expect(selectPolicy(defaultSlaPolicies, { priority, tier, category: null })).toBeDefined();
        }
      }
      expect(
        policyIssues(
          defaultSlaPolicies,
          defaultCalendars.map((c) => c.id),
        ),
      ).toEqual([]);
    });
  });
});
