import { describe, expect, it } from 'vitest';
import { DomainError } from '#shared/domain/errors.ts';
import { defaultRoutingConfig, defaultRoutingInput } from '#shared/domain/routing/default-config.ts';
import { parseRoutingConfig, reviseRoutingConfig } from '#shared/domain/routing/routing-config.ts';
import { detectLanguage, keywordPattern, matchRule, regionOf } from '#shared/domain/routing/rule-matcher.ts';
import { config, t0, ticket } from '../fixtures/routing-fixtures.ts';

const thrown = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
};

/** One rule sending matches to `repair`; everything else falls to the default team. */
const oneRule = (when: Record<string, unknown>) =>
  config([{ id: 'r', name: 'r', when, route: { team: 'repair' } }]);
const routes = (when: Record<string, unknown>, overrides: Parameters<typeof ticket>[0]) =>
  matchRule(ticket(overrides), oneRule(when))?.id === 'r';

describe('Routing rules', () => {
  describe('conditions', () => {
    it('match on category, ignoring case, and not on another category', () => {
      expect(routes({ categories: ['Elevator'] }, { category: 'elevator' })).toBe(true);
      expect(routes({ categories: ['elevator'] }, { category: 'billing' })).toBe(false);
      expect(routes({ categories: ['elevator'] }, { category: null })).toBe(false);
    });

    it('match on the intent a classifier set', () => {
      expect(routes({ intents: ['repair', 'maintenance'] }, { intent: 'maintenance' })).toBe(true);
      expect(routes({ intents: ['repair'] }, { intent: 'complaint' })).toBe(false);
    });

    it('match on priority', () => {
      expect(routes({ priorities: ['high', 'urgent'] }, { priority: 'urgent' })).toBe(true);
      expect(routes({ priorities: ['high', 'urgent'] }, { priority: 'normal' })).toBe(false);
    });

    it('match on customer tier', () => {
      const vip = { email: 'v@example.com', tier: 'vip' as const };
      expect(routes({ tiers: ['vip'] }, { customer: vip })).toBe(true);
      expect(routes({ tiers: ['vip'] }, {})).toBe(false);
    });

    it('match on channel', () => {
      expect(routes({ channels: ['email', 'phone'] }, { channel: 'phone' })).toBe(true);
      expect(routes({ channels: ['email'] }, { channel: 'web' })).toBe(false);
    });

    it('match on region, from the custom field or else from where the ticket is', () => {
      // Prepare
      const when = { regions: ['beijing'] };
      // Act / Assess
      expect(routes(when, { customFields: { region: 'beijing' } })).toBe(true);
      expect(routes(when, { location: { lat: 39.99, lng: 116.31 } })).toBe(true);
      expect(routes(when, { location: { lat: 31.23, lng: 121.47 } })).toBe(false);
      expect(routes(when, {})).toBe(false);
      expect(regionOf(ticket({ location: { lat: 31.19, lng: 121.44 } }), oneRule(when))).toBe('shanghai');
    });

    it('match keywords in subject or description, in Chinese and English, ignoring case and width', () => {
      const when = { keywords: ['电梯', 'Lift', 'refund*'] };
      expect(routes(when, { subject: '3号楼电梯困人' })).toBe(true);
      expect(routes(when, { description: 'The LIFT is stuck' })).toBe(true);
      expect(routes(when, { subject: 'ＲＥＦＵＮＤＥＤ twice' })).toBe(true);
      expect(routes(when, { subject: '空调不制冷', description: 'too hot' })).toBe(false);
    });

    it('match Latin keywords as whole words unless they end in *', () => {
      expect(keywordPattern(['fee']).test('late fee applied')).toBe(true);
      expect(keywordPattern(['fee']).test('thanks for the feedback')).toBe(false);
      expect(keywordPattern(['lift']).test('we lifted it')).toBe(false);
      expect(keywordPattern(['refund*']).test('refunds please')).toBe(true);
      expect(keywordPattern(['not working']).test('it is   not\nworking')).toBe(true);
      expect(keywordPattern(['a.b']).test('axb')).toBe(false);
    });

    it('refuse a ticket containing any of the excluded keywords', () => {
      const when = { keywords: ['wifi'], notKeywords: ['password', '密码'] };
      expect(routes(when, { subject: 'WiFi down on floor 3' })).toBe(true);
      expect(routes(when, { subject: 'WiFi password for guests' })).toBe(false);
      expect(routes(when, { subject: 'wifi 密码是多少' })).toBe(false);
    });

    it('match custom fields by value or any of several, strings ignoring case', () => {
      const when = { customFields: { building: ['A', 'B'], floors: 12, urgentFlag: true } };
      expect(routes(when, { customFields: { building: 'b', floors: 12, urgentFlag: true } })).toBe(true);
      expect(routes(when, { customFields: { building: 'C', floors: 12, urgentFlag: true } })).toBe(false);
      expect(routes(when, { customFields: { building: 'A', floors: 11, urgentFlag: true } })).toBe(false);
      expect(routes(when, { customFields: { building: 'A', floors: 12 } })).toBe(false);
    });

    it('need every condition of a rule to hold', () => {
      const when = { priorities: ['urgent'], keywords: ['电梯'] };
      expect(routes(when, { priority: 'urgent', subject: '电梯困人' })).toBe(true);
      expect(routes(when, { priority: 'normal', subject: '电梯困人' })).toBe(false);
      expect(routes(when, { priority: 'urgent', subject: '空调' })).toBe(false);
    });
  });

  describe('matchRule()', () => {
    it('takes the first enabled rule that matches, in order', () => {
      // Prepare
      const rules = config([
        { id: 'off', name: 'off', enabled: false, when: { keywords: ['电梯'] }, route: { team: 'experts' } },
        { id: 'first', name: 'first', when: { keywords: ['电梯'] }, route: { team: 'repair' } },
        { id: 'second', name: 'second', when: { keywords: ['困人'] }, route: { team: 'complaints' } },
      ]);
      // Act
      const rule = matchRule(ticket({ subject: '电梯困人' }), rules);
      // Assess
      expect(rule?.id).toBe('first');
    });

    it('matches nothing when no rule applies, leaving the ticket to the default team', () => {
      expect(matchRule(ticket({ subject: '你好' }), oneRule({ keywords: ['电梯'] }))).toBeNull();
    });
  });

  describe('default rule set', () => {
    const route = (overrides: Parameters<typeof ticket>[0]) =>
      matchRule(ticket(overrides), defaultRoutingConfig)?.route.team ?? defaultRoutingConfig.defaults.team;
    const vip = { email: 'boss@example.com', tier: 'vip' as const };

    it("sends a VIP customer's urgent ticket straight to the experts, whatever it is about", () => {
      expect(route({ customer: vip, priority: 'urgent', subject: '发票开错了' })).toBe('experts');
      expect(route({ customer: vip, priority: 'urgent', subject: '我要投诉' })).toBe('experts');
      expect(route({ customer: vip, priority: 'high', subject: '电梯异响' })).toBe('field-repair');
      expect(route({ priority: 'urgent', subject: '电梯困人' })).toBe('field-repair');
    });

    it('sends repairs, complaints and billing to their teams in Chinese and English', () => {
      expect(route({ subject: '报修：空调不制冷' })).toBe('field-repair');
      expect(route({ subject: 'Lift stuck between floors' })).toBe('field-repair');
      expect(route({ subject: '投诉维修师傅态度恶劣' })).toBe('complaints');
      expect(route({ subject: 'Formal complaint about your technician' })).toBe('complaints');
      expect(route({ subject: '发票抬头开错了' })).toBe('billing');
      expect(route({ subject: 'Refund for a cancelled visit' })).toBe('billing');
      expect(route({ subject: '忘记密码无法登录' })).toBe('service-desk');
    });

    it('has a roster for every team that names each rule team and validates', () => {
      expect(defaultRoutingConfig.version).toBe(1);
      const teams = new Set(defaultRoutingConfig.teams.map((t) => t.id));
      expect([...teams].sort()).toEqual(['billing', 'complaints', 'experts', 'field-repair', 'service-desk']);
      for (const rule of defaultRoutingConfig.rules) expect(teams.has(rule.route.team)).toBe(true);
    });
  });

  describe('RoutingConfig', () => {
    it('rejects unknown teams, duplicate ids, unordered relaxation and unknown keys, naming each field', () => {
      // Prepare
      const input = {
        ...defaultRoutingInput,
        rules: [
          { id: 'a', name: 'a', route: { team: 'nowhere' } },
          { id: 'a', name: 'dup', when: { regions: ['mars'] }, route: { team: 'billing' } },
          {
            id: 'b',
            name: 'b',
            route: { team: 'billing', relax: [{ afterMinutes: 30 }, { afterMinutes: 10 }] },
          },
          { id: 'c', name: 'c', when: { keyword: ['typo'] }, route: { team: 'billing' } },
        ],
      };
      // Act
      const error = thrown(() => parseRoutingConfig(input));
      // Assess
      expect(error.code).toBe('ROUTING.CONFIG_INVALID');
      const paths = ((error.details?.fields ?? []) as { path: string }[]).map((f) => f.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          'rules.0.route.team',
          'rules.1.id',
          'rules.1.when.regions.0',
          'rules.2.route.relax.1.afterMinutes',
          'rules.3.when',
        ]),
      );
    });

    it('counts the version up by one on each revision and refuses a stale base', () => {
      // Act
      const v2 = reviseRoutingConfig(
        defaultRoutingConfig,
        { ...defaultRoutingInput, version: 99 },
        {
          by: 'admin-1',
          at: t0,
          expectedVersion: 1,
        },
      );
      // Assess
      expect(v2).toMatchObject({ version: 2, updatedBy: 'admin-1', updatedAt: t0.toISOString() });
      const stale = thrown(() =>
        reviseRoutingConfig(v2, defaultRoutingInput, { by: 'admin-2', at: t0, expectedVersion: 1 }),
      );
      expect(stale).toMatchObject({ code: 'ROUTING.CONFIG_VERSION_MISMATCH', kind: 'precondition_failed' });
      expect(reviseRoutingConfig(null, defaultRoutingInput, { by: 'admin', at: t0 }).version).toBe(1);
    });
  });

  describe('detectLanguage()', () => {
    it('reads Han characters as Chinese and anything else as English', () => {
      expect(detectLanguage({ subject: '空调不制冷', description: '' })).toBe('zh');
      expect(detectLanguage({ subject: 'AC broken', description: 'room 1204' })).toBe('en');
      expect(detectLanguage({ subject: 'AC broken', description: '谢谢 Thanks' })).toBe('zh');
    });
  });
});
