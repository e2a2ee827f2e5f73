/**
 * Routing bench: `node --import tsx bench/routing.ts`
 *
 * 1. Decision time (median, p99) of `decide()` for 10,000 agents holding 200 skills, against an
 *    indexed snapshot (`indexAgents`, built once) — and, for comparison, a plain array.
 * 2. `pickQueuedTicket()` time for an agent looking through 1,000 queued tickets.
 * 3. Misroute rate of the default rules on test/fixtures/routing-scenarios.json (expected team written
 *    down before any rule existed) and on the hold-out sets (see their descriptions): first with the
 *    rules alone (no intent), then as intake runs them, after the classifier has set the intent.
 *
 * Data is generated from a fixed seed, so runs are comparable.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Agent } from '#shared/domain/routing/agent.ts';
import { indexAgents } from '#shared/domain/routing/agent-pool.ts';
import { decide, pickQueuedTicket } from '#shared/domain/routing/decide.ts';
import { defaultRoutingConfig } from '#shared/domain/routing/default-config.ts';
import { parseRoutingConfig, type RoutingRuleInput } from '#shared/domain/routing/routing-config.ts';
import type { Ticket } from '#shared/domain/ticket/ticket.entity.ts';
import { minutesAfter, t0, ticket } from '../test/fixtures/routing-fixtures.ts';
import { loadScenarios } from '../test/fixtures/routing-scenarios.ts';

/** mulberry32: small, fast, seedable. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(20261120);
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;

const AGENTS = 10_000;
const SKILLS = 200;
const TEAMS = 40;
const RULES = 120;
const DECISIONS = 5_000;

const skills = Array.from({ length: SKILLS }, (_, i) => `skill-${String(i).padStart(3, '0')}`);
const teams = Array.from({ length: TEAMS }, (_, i) => `team-${String(i).padStart(2, '0')}`);
const words = Array.from({ length: RULES }, (_, i) => `kw${i}`);

function syntheticConfig() {
  const rules: RoutingRuleInput[] = words.map((word, i) => {
    const team = teams[i % TEAMS]!;
    // Skills a team's rules need come from a band of 20 so that team members can hold them.
    const band = (i % TEAMS) % 10;
    const need = Array.from({ length: int(1, 2) }, () => skills[band * 20 + int(0, 19)]!);
    return {
      id: `rule-${i}`,
      name: `rule ${i}`,
      when:
        i % 5 === 0
          ? { keywords: [word], priorities: ['high', 'urgent'] }
          : { keywords: [word, `关键词${i}`] },
      route: {
        team,
        skills: [...new Set(need)].map((skill) => ({ skill, minProficiency: int(2, 4) })),
        language: i % 3 === 0 ? 'auto' : null,
        onsite: i % 4 === 0,
        relax: [
          { afterMinutes: 15, minProficiency: 2 },
          { afterMinutes: 45, addTeams: [teams[(i + 1) % TEAMS]!] },
        ],
      },
    };
  });
  return parseRoutingConfig({
    version: 1,
    teams: teams.map((id) => ({
      id,
      name: id,
      supervisor: `sup-${id}`,
      escalation: { email: `${id}@example.com` },
    })),
    rules,
    defaults: { team: teams[0] },
  });
}

function syntheticAgents(): Agent[] {
  return Array.from({ length: AGENTS }, (_, i) => {
    const home = int(0, TEAMS - 1);
    const memberOf = random() < 0.3 ? [teams[home]!, teams[(home + 1) % TEAMS]!] : [teams[home]!];
    const band = home % 10;
    const held: Record<string, number> = {};
    for (let k = int(6, 12); k > 0; k--) {
      // Mostly skills of the home team's band, some from anywhere.
      const skill = random() < 0.8 ? skills[band * 20 + int(0, 19)]! : pick(skills);
      held[skill] = int(1, 5);
    }
    const capacity = int(5, 15);
    return Agent.parse({
      id: `agent-${String(i).padStart(5, '0')}`,
      name: `Agent ${i}`,
      teams: memberOf,
      skills: held,
      languages: random() < 0.3 ? ['zh', 'en'] : ['zh'],
      capacity: random() < 0.2 ? { max: capacity, perChannel: { phone: 2 } } : capacity,
      level: int(1, 3),
      fieldEngineer: random() < 0.4,
      availability: random() < 0.75 ? 'online' : pick(['away', 'offline'] as const),
      shift:
        random() < 0.25
          ? { timeZone: 'Asia/Shanghai', windows: [{ days: [1, 2, 3, 4, 5], start: '08:00', end: '20:00' }] }
          : null,
      location: { lat: 31.0 + random() * 0.5, lng: 121.2 + random() * 0.5 },
      load: { total: int(0, capacity) },
      lastAssignedAt: random() < 0.9 ? minutesAfter(t0, -int(0, 600)).toISOString() : null,
    });
  });
}

function syntheticTicket(i: number): Ticket {
  const word = pick(words);
  const english = random() < 0.3;
  return ticket({
    id: `T-${i}`,
    subject: english ? `Problem with ${word} in room ${i}` : `${word} 故障，请处理`,
    description: english ? 'Please send someone.' : `关键词${words.indexOf(word)} 相关问题`,
    priority: pick(['low', 'normal', 'high', 'urgent'] as const),
    channel: pick(['web', 'email', 'phone', 'api'] as const),
    customer: { email: `c${i}@example.com`, tier: random() < 0.1 ? 'vip' : 'standard' },
    location: random() < 0.5 ? { lat: 31.0 + random() * 0.5, lng: 121.2 + random() * 0.5 } : null,
    createdAt: minutesAfter(t0, -int(0, 60)).toISOString(),
  });
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const ms = (n: number) => `${n.toFixed(3)} ms`;

function timeIt<T>(fn: () => T): [number, T] {
  const start = performance.now();
  const result = fn();
  return [performance.now() - start, result];
}

function summary(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return `median ${ms(quantile(sorted, 0.5))} · p99 ${ms(quantile(sorted, 0.99))} · max ${ms(sorted[sorted.length - 1]!)} · mean ${ms(mean)} (n=${times.length})`;
}

function benchDecisions() {
  const config = syntheticConfig();
  const agents = syntheticAgents();
  const [indexMs, pool] = timeIt(() => indexAgents(agents));
  const tickets = Array.from({ length: DECISIONS + 500 }, (_, i) => syntheticTicket(i));

  for (const t of tickets.slice(0, 500)) decide(t, pool, config, t0); // warm-up (JIT)
  const times: number[] = [];
  let assigned = 0;
  let candidates = 0;
  for (const t of tickets.slice(500)) {
    const [elapsed, d] = timeIt(() => decide(t, pool, config, t0));
    times.push(elapsed);
    if (d.outcome === 'assign') assigned++;
    candidates += d.candidates.length;
  }
  const unindexed: number[] = [];
  for (const t of tickets.slice(500, 700)) unindexed.push(timeIt(() => decide(t, agents, config, t0))[0]);

  const queued = tickets.slice(0, 1000).map((t, i) => ({ ...t, team: teams[i % TEAMS]! }));
  const pickTimes: number[] = [];
  for (const a of agents.slice(0, 1000)) {
    const free = { ...a, availability: 'online' as const, shift: null, load: { total: 0, byChannel: {} } };
    pickTimes.push(timeIt(() => pickQueuedTicket(free, queued, config, t0))[0]);
  }

  console.log(
    `\n## Decision time — ${AGENTS.toLocaleString('en')} agents, ${SKILLS} skills, ${TEAMS} teams, ${RULES} rules`,
  );
  console.log(`index build (once per snapshot): ${ms(indexMs)}`);
  console.log(`decide() on the index:      ${summary(times)}`);
  console.log(
    `                            ${((100 * assigned) / DECISIONS).toFixed(1)} % assigned, ${(candidates / DECISIONS).toFixed(1)} eligible candidates on average`,
  );
  console.log(`decide() on a plain array:  ${summary(unindexed)} (index built on every call)`);
  console.log(`pickQueuedTicket(), 1,000 queued tickets: ${summary(pickTimes)}`);
  return { times, pickTimes };
}

function benchMisroutes(label: string, file?: string, classify = true) {
  const scenarios = loadScenarios(file, { classify });
  const misses: string[] = [];
  const perTeam = new Map<string, { total: number; wrong: number }>();
  for (const { scenario, ticket: t } of scenarios) {
    const team = decide(t, [], defaultRoutingConfig, t0).team;
    const row = perTeam.get(scenario.expected) ?? { total: 0, wrong: 0 };
    row.total++;
    if (team !== scenario.expected) {
      row.wrong++;
      misses.push(`  ${scenario.id} expected ${scenario.expected}, routed to ${team}: ${scenario.subject}`);
    }
    perTeam.set(scenario.expected, row);
  }
  const rate = (100 * misses.length) / scenarios.length;
  console.log(
    `\n## Misroute rate — ${label}, ${classify ? 'classifier + rules' : 'rules alone (no intent)'}`,
  );
  console.log(`${misses.length} of ${scenarios.length} tickets misrouted: ${rate.toFixed(1)} %`);
  for (const [team, r] of [...perTeam].sort())
    console.log(`  ${team.padEnd(13)} ${r.total - r.wrong}/${r.total}`);
  if (misses.length) console.log(misses.join('\n'));
  return rate;
}

console.log(`# Gongdan routing bench (Node ${process.version})`);
benchDecisions();
const sets = [
  [undefined, 'scenario set (test/fixtures/routing-scenarios.json)'],
  [
    'routing-scenarios-holdout-1.json',
    'hold-out 1 (measured once at 38.3 %, then seen while broadening the rules)',
  ],
  ['routing-scenarios-holdout-2.json', 'hold-out 2 (never used to change the rules or the classifier)'],
  ['routing-scenarios-holdout-3.json', 'hold-out 3 (written before the classifier; never used to tune it)'],
] as const;
for (const classify of [false, true]) {
  for (const [name, label] of sets) {
    const file = name && new URL(`../test/fixtures/${name}`, import.meta.url);
    if (!file) benchMisroutes(label, undefined, classify);
    else if (existsSync(file)) benchMisroutes(label, fileURLToPath(file), classify);
  }
}
