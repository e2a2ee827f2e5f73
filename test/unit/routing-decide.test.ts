import { describe, expect, it } from 'vitest';
import { indexAgents } from '#shared/domain/routing/agent-pool.ts';
import { decide, planRoute } from '#shared/domain/routing/decide.ts';
import { haversineKm } from '#shared/domain/routing/geo.ts';
import type { RoutingRuleInput } from '#shared/domain/routing/routing-config.ts';
import { RoutingDecision } from '#shared/domain/ticket/ticket.entity.ts';
import { agent, config, minutesAfter, t0, ticket } from '../fixtures/routing-fixtures.ts';

const elevatorRule: RoutingRuleInput = {
  id: 'elevator',
  name: '电梯',
  when: { keywords: ['电梯'] },
  route: { team: 'repair', skills: [{ skill: 'elevator', minProficiency: 4 }] },
};
const elevatorTicket = ticket({ subject: '电梯异响' });
const ids = (d: { candidates: { agentId: string }[] }) => d.candidates.map((c) => c.agentId);

const peoplesSquare = { lat: 31.2304, lng: 121.4737 };
const lujiazui = { lat: 31.2397, lng: 121.4998 }; // ~2.7 km from People's Square
const minhang = { lat: 31.1129, lng: 121.3817 }; // ~16 km
const suzhou = { lat: 31.2989, lng: 120.5853 }; // ~85 km

describe('decide()', () => {
  describe('eligibility', () => {
    it('considers only agents of the rule team who hold every required skill at the minimum', () => {
      // Prepare
      const rules = config([
        {
          ...elevatorRule,
          route: {
            ...elevatorRule.route,
            skills: [...elevatorRule.route.skills!, { skill: 'electrical', minProficiency: 2 }],
          },
        },
      ]);
      const agents = [
        agent('both', { teams: ['repair'], skills: { elevator: 4, electrical: 2 } }),
        agent('weak', { teams: ['repair'], skills: { elevator: 3, electrical: 5 } }),
        agent('one-skill', { teams: ['repair'], skills: { elevator: 5 } }),
        agent('other-team', { teams: ['desk'], skills: { elevator: 5, electrical: 5 } }),
      ];
      // Act
      const d = decide(elevatorTicket, agents, rules, t0);
      // Assess
      expect(ids(d)).toEqual(['both']);
      expect(d).toMatchObject({ outcome: 'assign', team: 'repair', rule: 'elevator', considered: 3 });
      expect(d.excluded).toEqual({ lackingSkills: 2 });
    });

    it('leaves out agents who are away, offline, at capacity or at their cap for the channel', () => {
      // Prepare
      const agents = [
        agent('ok'),
        agent('away', { availability: 'away' }),
        agent('offline', { availability: 'offline' }),
        agent('full', { capacity: 2, load: { total: 2 } }),
        agent('phone-full', {
          capacity: { max: 5, perChannel: { phone: 1 } },
          load: { total: 1, byChannel: { phone: 1 } },
        }),
        agent('zero', { capacity: 0 }),
      ];
      // Act
      const d = decide(ticket({ channel: 'phone' }), agents, config(), t0);
      // Assess
      expect(ids(d)).toEqual(['ok']);
      expect(d.excluded).toEqual({ unavailable: 2, atCapacity: 2, channelCap: 1 });
    });

    it('lets an agent at their phone cap still take web tickets', () => {
      const capped = agent('capped', {
        capacity: { max: 5, perChannel: { phone: 1 } },
        load: { total: 1, byChannel: { phone: 1 } },
      });
      expect(ids(decide(ticket({ channel: 'web' }), [capped], config(), t0))).toEqual(['capped']);
    });

    it('requires the language the ticket is written in when the rule asks for it', () => {
      // Prepare
      const rules = config([], { defaults: { team: 'desk', language: 'auto' } });
      const agents = [
        agent('zh-only', { languages: ['zh-CN'] }),
        agent('en-too', { languages: ['zh', 'en'] }),
      ];
      // Act
      const english = decide(ticket({ subject: 'Cannot log in' }), agents, rules, t0);
      const chinese = decide(ticket({ subject: '无法登录' }), agents, rules, t0);
      // Assess
      expect(ids(english)).toEqual(['en-too']);
      expect(english.excluded).toEqual({ language: 1 });
      expect(ids(chinese).sort()).toEqual(['en-too', 'zh-only']);
    });

    it('uses online agents only within their shift, in their own time zone, overnight shifts included', () => {
      // Prepare: t0 is Friday 16:00 in Shanghai, 08:00 in London.
      const shanghaiDay = {
        timeZone: 'Asia/Shanghai',
        windows: [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' }],
      };
      const londonDay = {
        timeZone: 'Europe/London',
        windows: [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }],
      };
      const nights = { timeZone: 'Asia/Shanghai', windows: [{ days: [4], start: '22:00', end: '06:00' }] };
      const agents = [
        agent('sh-day', { shift: shanghaiDay }),
        agent('london-day', { shift: londonDay }),
        agent('nights', { shift: nights }),
      ];
      // Act
      const friday4pm = decide(ticket(), agents, config(), t0);
      const friday2am = decide(ticket(), agents, config(), new Date('2026-11-19T18:00:00Z'));
      // Assess
      expect(ids(friday4pm)).toEqual(['sh-day']);
      expect(friday4pm.excluded).toEqual({ offShift: 2 });
      expect(ids(friday2am)).toEqual(['nights']);
    });

    it('sends only field engineers to on-site work, within the rule distance', () => {
      // Prepare
      const rules = config([{ ...elevatorRule, route: { team: 'repair', onsite: true, maxDistanceKm: 50 } }]);
      const agents = [
        agent('desk-sup', { teams: ['repair'], location: peoplesSquare }),
        agent('near', { teams: ['repair'], fieldEngineer: true, location: lujiazui }),
        agent('suzhou', { teams: ['repair'], fieldEngineer: true, location: suzhou }),
        agent('nowhere', { teams: ['repair'], fieldEngineer: true }),
      ];
      // Act
      const d = decide(ticket({ subject: '电梯', location: peoplesSquare }), agents, rules, t0);
      // Assess
      expect(ids(d)).toEqual(['near']);
      expect(d.excluded).toEqual({ notFieldEngineer: 1, tooFar: 2 });
    });
  });

  describe('scoring', () => {
    it('prefers the more proficient agent when all else is equal', () => {
      const rules = config([
        { ...elevatorRule, route: { team: 'repair', skills: [{ skill: 'elevator', minProficiency: 2 }] } },
      ]);
      const agents = [
        agent('good', { teams: ['repair'], skills: { elevator: 3 } }),
        agent('expert', { teams: ['repair'], skills: { elevator: 5 } }),
      ];
      const d = decide(elevatorTicket, agents, rules, t0);
      expect(ids(d)).toEqual(['expert', 'good']);
      expect(d.candidates[0]!.parts.proficiency).toBe(1);
      expect(d.candidates[1]!.parts.proficiency).toBe(0.5);
    });

    it('prefers the agent with more spare capacity, as a share of their own capacity', () => {
      const agents = [
        agent('busy', { capacity: 10, load: { total: 6 } }),
        agent('light', { capacity: 4, load: { total: 1 } }),
      ];
      const d = decide(ticket(), agents, config(), t0);
      expect(ids(d)).toEqual(['light', 'busy']);
      expect(d.candidates.map((c) => c.parts.load)).toEqual([0.75, 0.4]);
    });

    it('prefers the nearer field engineer for on-site work, by great-circle distance', () => {
      // Prepare
      const rules = config([{ ...elevatorRule, route: { team: 'repair', onsite: true } }]);
      const agents = [
        agent('minhang', { teams: ['repair'], fieldEngineer: true, location: minhang }),
        agent('lujiazui', { teams: ['repair'], fieldEngineer: true, location: lujiazui }),
      ];
      // Act
      const d = decide(ticket({ subject: '电梯', location: peoplesSquare }), agents, rules, t0);
      // Assess
      expect(ids(d)).toEqual(['lujiazui', 'minhang']);
      expect(d.candidates[0]!.distanceKm).toBeCloseTo(haversineKm(peoplesSquare, lujiazui), 1);
      expect(d.candidates[1]!.distanceKm).toBeCloseTo(haversineKm(peoplesSquare, minhang), 1);
      expect(d.candidates[0]!.distanceKm).toBeGreaterThan(2);
      expect(d.candidates[1]!.distanceKm).toBeGreaterThan(15);
      expect(d.routing.reason).toContain('distance 2.7 km');
    });

    it('does not score distance when the work is not on site', () => {
      const agents = [agent('far', { location: suzhou }), agent('near', { location: lujiazui })];
      const d = decide(ticket({ location: peoplesSquare }), agents, config(), t0);
      expect(d.candidates.every((c) => c.parts.distance === null && c.distanceKm === null)).toBe(true);
      expect(d.candidates[0]!.score).toBe(d.candidates[1]!.score);
    });

    it('shares work round-robin between equal agents, least recently assigned first', () => {
      // Prepare: equal agents; each assignment is recorded as the store's claim would.
      let agents = [agent('a'), agent('b'), agent('c')];
      const picks: string[] = [];
      // Act
      for (let i = 0; i < 6; i++) {
        const now = minutesAfter(t0, i);
        const d = decide(ticket({ id: `T-${i}` }), agents, config(), now);
        const picked = d.candidates[0]!.agentId;
        picks.push(picked);
        agents = agents.map((a) =>
          a.id === picked
            ? { ...a, lastAssignedAt: now.toISOString(), load: { total: a.load.total + 1, byChannel: {} } }
            : a,
        );
      }
      // Assess: everyone once before anyone twice, then the same order again.
      expect([...picks.slice(0, 3)].sort()).toEqual(['a', 'b', 'c']);
      expect(picks.slice(3)).toEqual(picks.slice(0, 3));
    });

    it('ranks by fairness when equal agents differ only in when they last got a ticket', () => {
      const agents = [
        agent('recent', { lastAssignedAt: minutesAfter(t0, -5).toISOString() }),
        agent('earlier', { lastAssignedAt: minutesAfter(t0, -60).toISOString() }),
      ];
      const d = decide(ticket(), agents, config(), t0);
      expect(ids(d)).toEqual(['earlier', 'recent']);
      expect(d.candidates[1]!.parts.fairness).toBeLessThan(d.candidates[0]!.parts.fairness);
    });

    it("weighs the agent's support level for VIP customers only", () => {
      // Prepare: the senior agent is busier; a standard ticket goes to the idle one, a VIP's to the senior.
      const agents = [
        agent('senior', { level: 3, capacity: 4, load: { total: 2 } }),
        agent('junior', { level: 1, capacity: 4, load: { total: 0 } }),
      ];
      const vip = { email: 'boss@example.com', tier: 'vip' as const };
      // Act
      const standard = decide(ticket(), agents, config(), t0);
      const vipTicket = decide(ticket({ customer: vip }), agents, config(), t0);
      // Assess
      expect(ids(standard)).toEqual(['junior', 'senior']);
      expect(standard.candidates[0]!.parts.tier).toBeNull();
      expect(ids(vipTicket)).toEqual(['senior', 'junior']);
      expect(vipTicket.candidates[0]!.parts.tier).toBe(1);
    });

    it('keeps scores between 0 and 1 and follows the configured weights', () => {
      // Prepare: only load counts.
      const rules = config([], {
        defaults: { team: 'desk', weights: { proficiency: 0, load: 1, distance: 0, fairness: 0, tier: 0 } },
      });
      const agents = [
        agent('half', { capacity: 4, load: { total: 2 }, skills: { x: 5 } }),
        agent('idle', { capacity: 4 }),
      ];
      // Act
      const d = decide(ticket(), agents, rules, t0);
      // Assess
      expect(d.candidates.map((c) => [c.agentId, c.score])).toEqual([
        ['idle', 1],
        ['half', 0.5],
      ]);
    });
  });

  describe('relaxation over time', () => {
    const relaxing = config([
      {
        ...elevatorRule,
        route: {
          team: 'repair',
          skills: [{ skill: 'elevator', minProficiency: 4 }],
          relax: [
            { afterMinutes: 10, minProficiency: 3 },
            { afterMinutes: 30, addTeams: ['experts'] },
          ],
        },
      },
    ]);
    const agents = [
      agent('three', { teams: ['repair'], skills: { elevator: 3 } }),
      agent('expert-team', { teams: ['experts'], skills: { elevator: 5 } }),
    ];

    it('queues a new ticket nobody meets yet, saying when requirements will relax', () => {
      const d = decide(elevatorTicket, agents, relaxing, minutesAfter(t0, 2));
      expect(d).toMatchObject({ outcome: 'queue', team: 'repair', relaxed: false, candidates: [] });
      expect(d.nextStepAt).toBe(minutesAfter(t0, 10).toISOString());
      expect(d.routing.reason).toContain('Nobody eligible');
      expect(d.routing.reason).toContain('queued in repair');
    });

    it('lowers the minimum proficiency after the ticket has waited long enough', () => {
      const d = decide(elevatorTicket, agents, relaxing, minutesAfter(t0, 10));
      expect(d).toMatchObject({ outcome: 'assign', relaxed: true, requirements: { step: 1 } });
      expect(ids(d)).toEqual(['three']);
      expect(d.routing).toMatchObject({ relaxed: true });
      expect(d.routing.reason).toContain('relaxed to step 1');
    });

    it('still prefers the strict requirement when someone meets it, however long the wait', () => {
      const withFour = [...agents, agent('four', { teams: ['repair'], skills: { elevator: 4 } })];
      const d = decide(elevatorTicket, withFour, relaxing, minutesAfter(t0, 45));
      expect(ids(d)).toEqual(['four']);
      expect(d.relaxed).toBe(false);
    });

    it('widens to another team at a later step while the ticket stays in its own queue', () => {
      const onlyExperts = [agents[1]!];
      expect(decide(elevatorTicket, onlyExperts, relaxing, minutesAfter(t0, 29)).outcome).toBe('queue');
      const d = decide(elevatorTicket, onlyExperts, relaxing, minutesAfter(t0, 30));
      expect(ids(d)).toEqual(['expert-team']);
      expect(d.team).toBe('repair');
      expect(d.requirements.teams).toEqual(['repair', 'experts']);
    });

    it('applies the steps cumulatively', () => {
      const plan = planRoute(elevatorTicket, relaxing, minutesAfter(t0, 31));
      expect(plan.usable).toBe(3);
      expect(plan.steps[2]).toMatchObject({
        teams: ['repair', 'experts'],
        skills: [{ skill: 'elevator', minProficiency: 3 }],
      });
      expect(plan.nextStepAt).toBeNull();
    });
  });

  describe('explanation', () => {
    it('matches the ticket routing schema and records the rule, candidates with scores and the pick', () => {
      // Prepare
      const rules = config([
        { ...elevatorRule, route: { team: 'repair', skills: [{ skill: 'elevator', minProficiency: 2 }] } },
      ]);
      const agents = Array.from({ length: 15 }, (_, i) =>
        agent(`a${String(i).padStart(2, '0')}`, { teams: ['repair'], skills: { elevator: 2 + (i % 4) } }),
      );
      // Act
      const d = decide(elevatorTicket, agents, rules, t0);
      // Assess
      expect(RoutingDecision.parse(d.routing)).toEqual(d.routing);
      expect(d.routing).toMatchObject({ rule: 'elevator', relaxed: false, decidedAt: t0.toISOString() });
      expect(d.routing.candidates).toHaveLength(10);
      expect(d.candidates).toHaveLength(15);
      expect(d.routing.candidates[0]).toEqual({
        agentId: d.candidates[0]!.agentId,
        score: d.candidates[0]!.score,
      });
      expect(d.routing.reason).toMatch(
        /^Rule "elevator" \(电梯\) → team repair; needs elevator≥2\. 15 of 15 agents eligible; picked a\d\d \(score [01]\.\d{3}: proficiency/,
      );
    });

    it('says when no rule matched and the default team took the ticket', () => {
      const d = decide(ticket(), [agent('a')], config([elevatorRule]), t0);
      expect(d.routing.rule).toBeNull();
      expect(d.routing.reason).toMatch(/^No rule matched → default team desk/);
    });

    it('routes within a team chosen by a person, ignoring the rule that would send it elsewhere', () => {
      const d = decide(
        elevatorTicket,
        [agent('desk-1'), agent('bill-1', { teams: ['billing'] })],
        config([elevatorRule]),
        t0,
        {
          team: 'billing',
        },
      );
      expect(ids(d)).toEqual(['bill-1']);
      expect(d).toMatchObject({ team: 'billing', rule: null, pinned: true });
      expect(d.routing.reason).toMatch(/^Team billing set on the ticket/);
    });
  });

  describe('determinism', () => {
    it('gives the same decision for the same inputs, whatever order the agents come in', () => {
      // Prepare
      const agents = Array.from({ length: 40 }, (_, i) =>
        agent(`agent-${i}`, {
          teams: ['repair'],
          skills: { elevator: 1 + (i % 5) },
          capacity: 5,
          load: { total: i % 3 },
          lastAssignedAt: i % 2 ? null : minutesAfter(t0, -(i % 7)).toISOString(),
        }),
      );
      const rules = config([
        { ...elevatorRule, route: { team: 'repair', skills: [{ skill: 'elevator', minProficiency: 2 }] } },
      ]);
      // Act
      const first = decide(elevatorTicket, agents, rules, t0);
      const again = decide(elevatorTicket, [...agents].reverse(), rules, t0);
      const pooled = decide(elevatorTicket, indexAgents(agents), rules, t0);
      // Assess
      expect(again).toEqual(first);
      expect(pooled).toEqual(first);
    });

    it('spreads different tickets over equal agents instead of sending all to the same one first', () => {
      // Prepare
      const agents = Array.from({ length: 10 }, (_, i) => agent(`equal-${i}`));
      // Act
      const firsts = new Set(
        Array.from(
          { length: 50 },
          (_, i) => decide(ticket({ id: `T-${i}` }), agents, config(), t0).candidates[0]!.agentId,
        ),
      );
      // Assess
      expect(firsts.size).toBeGreaterThan(5);
    });
  });
});
