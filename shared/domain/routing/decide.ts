import type { z } from 'zod';
import type { Channel } from '../actor.ts';
import { activeStatuses, type Priority } from '../ticket/lifecycle.ts';
import type { RoutingDecision, RoutingExplanation } from '../ticket/ticket.entity.ts';
import {
  type Agent,
  capacityBlock,
  isAvailable,
  type LocalTimeOf,
  localTimeAt,
  onShift,
  speaks,
} from './agent.ts';
import { type AgentPool, indexAgents, isPool } from './agent-pool.ts';
import { haversineKm, type LatLng } from './geo.ts';
import type { RoutingConfig, RoutingRule, ScoreWeights, SkillRequirement } from './routing-config.ts';
import { detectLanguage, matchRule, type RoutableTicket } from './rule-matcher.ts';

/** The ticket's `routing` field: why it went where it went. */
export type TicketRouting = z.infer<typeof RoutingDecision>;

/** What a ticket needs from an agent at one relaxation step. */
export interface Requirements {
  /** 0 = as configured; n = with relaxation steps 1…n applied. */
  step: number;
  /** Teams whose agents qualify; the first is the ticket's own queue. */
  teams: string[];
  skills: SkillRequirement[];
  /** Primary language tag the agent must speak, or null. */
  language: string | null;
  onsite: boolean;
  maxDistanceKm: number | null;
  /** Waiting time after which this step may be used. */
  afterMinutes: number;
}

/** What the ticket needs, before looking at any agent. */
export interface RoutePlan {
  rule: RoutingRule | null;
  /** The team was fixed by the caller (transfer, explicit choice), not by a rule. */
  pinned: boolean;
  team: string;
  /** Step 0 and every configured relaxation step, cumulative. */
  steps: Requirements[];
  /** How many of `steps` the ticket's waiting time has unlocked (at least 1). */
  usable: number;
  waitedMinutes: number;
  /** When the next locked step unlocks, if any. */
  nextStepAt: string | null;
}

export type Exclusion =
  | 'lackingSkills'
  | 'language'
  | 'notFieldEngineer'
  | 'unavailable'
  | 'offShift'
  | 'atCapacity'
  | 'channelCap'
  | 'tooFar';

/** Each component in 0…1; null when it does not apply to this ticket. */
export interface ScoreParts {
  proficiency: number;
  load: number;
  fairness: number;
  distance: number | null;
  tier: number | null;
}

export interface Candidate {
  agentId: string;
  /** Weighted mean of the applicable parts, 0…1, rounded to 4 places. */
  score: number;
  parts: ScoreParts;
  distanceKm: number | null;
}

export interface RouteDecision {
  outcome: 'assign' | 'queue';
  /** The ticket's team (queue), whether or not someone was found. */
  team: string;
  rule: string | null;
  ruleName: string | null;
  /** The team was fixed by the caller rather than by a rule. */
  pinned: boolean;
  /** The step used to assign, or, when queued, the loosest step tried. */
  requirements: Requirements;
  relaxed: boolean;
  /** Eligible agents, best first: try to claim them in this order. Empty when queued. */
  candidates: Candidate[];
  /** Team members looked at for `requirements`. */
  considered: number;
  excluded: Partial<Record<Exclusion, number>>;
  nextStepAt: string | null;
  /** Ready for the ticket, naming `candidates[0]`; see `settleRouting` when another agent is claimed. */
  routing: TicketRouting;
}

export interface RouteOptions {
  /** Route within this team regardless of the rules (a transfer or a person's choice). */
  team?: string;
}

const minute = 60_000;

/**
 * The requirements a ticket has under `config`: its first matching rule (or the default team), each
 * relaxation step applied cumulatively, and how many steps its waiting time (since `createdAt`) unlocks.
 */
export function planRoute(
  ticket: RoutableTicket,
  config: RoutingConfig,
  now: Date,
  options: RouteOptions = {},
): RoutePlan {
  const matched = matchRule(ticket, config);
  const pinned = options.team !== undefined && options.team !== matched?.route.team;
  const rule = pinned ? null : matched;
  const outcome = rule?.route;
  const team = pinned ? options.team! : (outcome?.team ?? config.defaults.team);
  const wantedLanguage = outcome?.language === undefined ? config.defaults.language : outcome.language;

  const first: Requirements = {
    step: 0,
    teams: [team],
    skills: outcome?.skills ?? [],
    language: wantedLanguage === 'auto' ? detectLanguage(ticket) : wantedLanguage,
    onsite: outcome?.onsite ?? false,
    maxDistanceKm: outcome?.maxDistanceKm ?? null,
    afterMinutes: 0,
  };
  const steps = [first];
  for (const relax of outcome?.relax ?? []) {
    const prev = steps[steps.length - 1]!;
    const dropped = new Set(relax.dropSkills);
    steps.push({
      step: steps.length,
      teams: [...new Set([...prev.teams, ...relax.addTeams])],
      skills: prev.skills
        .filter((s) => !dropped.has(s.skill))
        .map((s) =>
          relax.minProficiency === undefined
            ? s
            : { ...s, minProficiency: Math.min(s.minProficiency, relax.minProficiency) },
        ),
      language: relax.dropLanguage ? null : prev.language,
      onsite: prev.onsite,
      maxDistanceKm: relax.maxDistanceKm ?? prev.maxDistanceKm,
      afterMinutes: relax.afterMinutes,
    });
  }

  const created = Date.parse(ticket.createdAt);
  const waitedMinutes = Math.max(0, (now.getTime() - created) / minute);
  const usable = steps.filter((s) => s.afterMinutes <= waitedMinutes).length;
  const next = steps[usable];
  return {
    rule,
    pinned,
    team,
    steps,
    usable,
    waitedMinutes,
    nextStepAt: next ? new Date(created + next.afterMinutes * minute).toISOString() : null,
  };
}

interface Context {
  ticketId: string;
  nowMs: number;
  localTime: LocalTimeOf;
  channel: Channel;
  location: LatLng | null;
  vip: boolean;
  weights: ScoreWeights;
  distanceScaleKm: number;
  fairnessWindowMs: number;
}

function contextFor(ticket: RoutableTicket, config: RoutingConfig, now: Date): Context {
  return {
    ticketId: ticket.id,
    nowMs: now.getTime(),
    localTime: localTimeAt(now),
    channel: ticket.channel,
    location: ticket.location ? { lat: ticket.location.lat, lng: ticket.location.lng } : null,
    vip: ticket.customer.tier === 'vip',
    weights: config.defaults.weights,
    distanceScaleKm: config.defaults.distanceScaleKm,
    fairnessWindowMs: config.defaults.fairnessWindowMinutes * minute,
  };
}

/** Distance to on-site work, when both ends are known. */
const distanceTo = (agent: Agent, req: Requirements, ctx: Context) =>
  req.onsite && ctx.location && agent.location ? haversineKm(agent.location, ctx.location) : null;

/** The first reason `agent` cannot take the ticket at `req`, or null. Skills before state, state before load. */
function exclusionOf(
  agent: Agent,
  req: Requirements,
  ctx: Context,
  distanceKm: number | null,
  skipSkill?: string,
): Exclusion | null {
  for (const s of req.skills) {
    if (s.skill !== skipSkill && (agent.skills[s.skill] ?? 0) < s.minProficiency) return 'lackingSkills';
  }
  if (req.language && !speaks(agent, req.language)) return 'language';
  if (req.onsite && !agent.fieldEngineer) return 'notFieldEngineer';
  if (agent.availability !== 'online') return 'unavailable';
  if (agent.shift && !onShift(agent.shift, ctx.localTime)) return 'offShift';
  const full = capacityBlock(agent, ctx.channel);
  if (full) return full;
  if (
    req.onsite &&
    req.maxDistanceKm !== null &&
    ctx.location &&
    (distanceKm === null || distanceKm > req.maxDistanceKm)
  )
    return 'tooFar';
  return null;
}

const round = (n: number, places = 4) => Math.round(n * 10 ** places) / 10 ** places;

/**
 * Scores an eligible agent: proficiency in the required skills (or their best skill when none is
 * required), spare capacity, time since their last assignment (fairness), distance for on-site work,
 * and for VIP customers the agent's support level. Parts that do not apply carry no weight.
 */
function scoreOf(agent: Agent, req: Requirements, ctx: Context, distanceKm: number | null) {
  const levels = req.skills.length
    ? req.skills.map((s) => agent.skills[s.skill] ?? 0)
    : [Math.max(0, ...Object.values(agent.skills))];
  const mean = levels.reduce((a, b) => a + b, 0) / levels.length;
  const proficiency = Math.max(0, (mean - 1) / 4);
  const load = 1 - agent.load.total / Math.max(1, agent.capacity.max);
  const since = agent.lastAssignedAt
    ? ctx.nowMs - Date.parse(agent.lastAssignedAt)
    : Number.POSITIVE_INFINITY;
  const fairness = Math.min(1, Math.max(0, since / ctx.fairnessWindowMs));
  const distance =
    req.onsite && ctx.location
      ? distanceKm === null
        ? 0
        : 1 / (1 + distanceKm / ctx.distanceScaleKm)
      : null;
  const tier = ctx.vip ? (agent.level - 1) / 2 : null;

  const w = ctx.weights;
  let sum = w.proficiency * proficiency + w.load * load + w.fairness * fairness;
  let weights = w.proficiency + w.load + w.fairness;
  if (distance !== null) {
    sum += w.distance * distance;
    weights += w.distance;
  }
  if (tier !== null) {
    sum += w.tier * tier;
    weights += w.tier;
  }
  const raw = weights > 0 ? sum / weights : 0;
  return { raw, parts: { proficiency, load, fairness, distance, tier } };
}

interface Scored {
  agent: Agent;
  raw: number;
  /** Tie-breaker, from the ticket and agent ids. */
  tie: number;
  parts: ScoreParts;
  distanceKm: number | null;
}

/**
 * Best first; equal scores go to whoever waited longest since their last ticket, then by a hash of
 * (ticket, agent): deterministic, yet concurrent tickets facing equal agents spread over them instead
 * of all trying to claim the same one first.
 */
function byRank(a: Scored, b: Scored): number {
  if (b.raw !== a.raw) return b.raw - a.raw;
  const la = a.agent.lastAssignedAt ?? '';
  const lb = b.agent.lastAssignedAt ?? '';
  if (la !== lb) return la < lb ? -1 : 1;
  if (a.tie !== b.tie) return a.tie - b.tie;
  return a.agent.id < b.agent.id ? -1 : a.agent.id > b.agent.id ? 1 : 0;
}

/** 32-bit FNV-1a. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

interface Evaluation {
  eligible: Scored[];
  considered: number;
  excluded: Partial<Record<Exclusion, number>>;
}

/**
 * Eligible agents for one step. With required skills only the team members holding the rarest of them
 * at the minimum are visited (the pool keeps them sorted by proficiency); the rest lack skills by
 * construction.
 */
function evaluate(req: Requirements, pool: AgentPool, ctx: Context): Evaluation {
  const eligible: Scored[] = [];
  const excluded: Partial<Record<Exclusion, number>> = {};
  const multi = req.teams.length > 1;
  const members = multi ? new Set<string>() : null;
  const visited = multi ? new Set<string>() : null;
  let considered = 0;
  let visits = 0;

  const visit = (agent: Agent, skipSkill?: string) => {
    if (visited) {
      if (visited.has(agent.id)) return;
      visited.add(agent.id);
    }
    visits++;
    const distanceKm = distanceTo(agent, req, ctx);
    const reason = exclusionOf(agent, req, ctx, distanceKm, skipSkill);
    if (reason) {
      excluded[reason] = (excluded[reason] ?? 0) + 1;
      return;
    }
    const { raw, parts } = scoreOf(agent, req, ctx, distanceKm);
    eligible.push({ agent, raw, parts, distanceKm, tie: fnv1a(`${ctx.ticketId}|${agent.id}`) });
  };

  for (const team of req.teams) {
    const teamMembers = pool.team(team);
    if (members) for (const m of teamMembers) members.add(m.id);
    else considered = teamMembers.length;

    if (!req.skills.length) {
      for (const agent of teamMembers) visit(agent);
      continue;
    }
    let driver = req.skills[0]!;
    let count = pool.countAtLeast(team, driver.skill, driver.minProficiency);
    for (const s of req.skills.slice(1)) {
      const n = pool.countAtLeast(team, s.skill, s.minProficiency);
      if (n < count) {
        driver = s;
        count = n;
      }
    }
    const holders = pool.teamSkill(team, driver.skill);
    for (let i = 0; i < count; i++) visit(holders[i]!, driver.skill);
  }
  if (members) considered = members.size;
  if (req.skills.length && considered > visits) {
    excluded.lackingSkills = (excluded.lackingSkills ?? 0) + considered - visits;
  }
  eligible.sort(byRank);
  return { eligible, considered, excluded };
}

const toCandidate = (s: Scored): Candidate => ({
  agentId: s.agent.id,
  score: round(s.raw),
  parts: {
    proficiency: round(s.parts.proficiency),
    load: round(s.parts.load),
    fairness: round(s.parts.fairness),
    distance: s.parts.distance === null ? null : round(s.parts.distance),
    tier: s.parts.tier === null ? null : round(s.parts.tier),
  },
  distanceKm: s.distanceKm === null ? null : round(s.distanceKm, 1),
});

/**
 * Decides who should take `ticket`: the first matching rule gives the team and requirements; agents in
 * the team who meet them and are online, on shift and below capacity are scored and returned best
 * first. If nobody qualifies, relaxation steps the ticket's waiting time has unlocked are tried in
 * order; if still nobody, the decision is to queue in the team. Pure and deterministic: the same
 * inputs give the same decision. Pass an `AgentPool` (`indexAgents`) when deciding many tickets
 * against one snapshot.
 */
export function decide(
  ticket: RoutableTicket,
  agents: readonly Agent[] | AgentPool,
  config: RoutingConfig,
  now: Date,
  options: RouteOptions = {},
): RouteDecision {
  const plan = planRoute(ticket, config, now, options);
  const pool = isPool(agents) ? agents : indexAgents(agents);
  const ctx = contextFor(ticket, config, now);

  let evaluation: Evaluation | undefined;
  let req = plan.steps[0]!;
  for (let s = 0; s < plan.usable; s++) {
    req = plan.steps[s]!;
    evaluation = evaluate(req, pool, ctx);
    if (evaluation.eligible.length) break;
  }
  const { eligible, considered, excluded } = evaluation!;
  const candidates = eligible.map(toCandidate);
  const base: DecisionCore = {
    outcome: candidates.length ? 'assign' : 'queue',
    team: plan.team,
    rule: plan.rule?.id ?? null,
    ruleName: plan.rule?.name ?? null,
    pinned: plan.pinned,
    requirements: req,
    relaxed: candidates.length > 0 && req.step > 0,
    candidates,
    considered,
    excluded,
    nextStepAt: candidates.length ? null : plan.nextStepAt,
  };
  const routing = settleRouting(base, now, {
    assignee: candidates[0]?.agentId ?? null,
    record: config.defaults.recordCandidates,
  });
  return { ...base, routing };
}

/** A decision without its `routing` text. */
export type DecisionCore = Omit<RouteDecision, 'routing'>;

/**
 * The `routing` to store once the claims are done: naming the agent actually claimed (`assignee`) and
 * the better-ranked ones whose claims failed (`passedOver`), or the queue when nobody could be claimed.
 */
export function settleRouting(
  decision: DecisionCore,
  now: Date,
  settled: {
    assignee: string | null;
    passedOver?: readonly string[];
    /** How many candidates to record (the config's `defaults.recordCandidates`). */
    record?: number;
    /** Set when an agent took the ticket from the queue after it waited this long. */
    pickedUpAfterMinutes?: number;
  },
): TicketRouting {
  const winner = settled.assignee
    ? (decision.candidates.find((c) => c.agentId === settled.assignee) ?? null)
    : null;
  return {
    rule: decision.rule,
    reason: reasonFor(decision, winner, settled.passedOver ?? [], settled.pickedUpAfterMinutes),
    explanation: explanationFor(decision, winner, settled.pickedUpAfterMinutes),
    candidates: decision.candidates
      .slice(0, settled.record ?? 10)
      .map((c) => ({ agentId: c.agentId, score: c.score })),
    relaxed: winner ? decision.relaxed : false,
    decidedAt: now.toISOString(),
  };
}

/** The decision as a code and its parameters (the console's words for `reasonFor`'s prose). */
function explanationFor(
  d: DecisionCore,
  winner: Candidate | null,
  pickedUpAfterMinutes: number | undefined,
): RoutingExplanation {
  const common = {
    team: d.team,
    rule: d.rule,
    ruleName: d.ruleName,
    match: d.rule ? 'rule' : d.pinned ? 'pinned' : 'default',
    eligible: d.candidates.length,
    considered: d.considered,
    relaxedStep: d.requirements.step,
  };
  if (winner && pickedUpAfterMinutes !== undefined) {
    return {
      code: 'queue.picked_up',
      params: { ...common, agent: winner.agentId, afterMinutes: Math.round(pickedUpAfterMinutes) },
    };
  }
  if (winner) {
    return {
      code: 'rule.assigned',
      params: { ...common, agent: winner.agentId, score: Number(winner.score.toFixed(3)) },
    };
  }
  return { code: 'rule.queued', params: { ...common, nextStepAt: d.nextStepAt ?? null } };
}

const exclusionLabels: Record<Exclusion, string> = {
  lackingSkills: 'lacking skills',
  language: 'not speaking the language',
  notFieldEngineer: 'not field engineers',
  unavailable: 'offline or away',
  offShift: 'off shift',
  atCapacity: 'at capacity',
  channelCap: 'at their channel cap',
  tooFar: 'too far away',
};

function needsOf(req: Requirements): string {
  const parts = req.skills.map((s) => `${s.skill}≥${s.minProficiency}`);
  if (req.language) parts.push(`language ${req.language}`);
  if (req.onsite)
    parts.push(req.maxDistanceKm !== null ? `on site within ${req.maxDistanceKm} km` : 'on site');
  return parts.length ? `needs ${parts.join(', ')}` : 'no particular skills';
}

const fixed = (n: number) => n.toFixed(2);

function partsOf(c: Candidate): string {
  const p = c.parts;
  const out = [`proficiency ${fixed(p.proficiency)}`, `load ${fixed(p.load)}`];
  if (p.distance !== null)
    out.push(
      c.distanceKm === null ? 'distance unknown' : `distance ${c.distanceKm} km → ${fixed(p.distance)}`,
    );
  out.push(`fairness ${fixed(p.fairness)}`);
  if (p.tier !== null) out.push(`VIP level ${fixed(p.tier)}`);
  return out.join(', ');
}

function reasonFor(
  d: DecisionCore,
  winner: Candidate | null,
  passedOver: readonly string[],
  pickedUpAfterMinutes: number | undefined,
): string {
  const head = d.rule
    ? `Rule "${d.rule}" (${d.ruleName}) → team ${d.team}`
    : d.pinned
      ? `Team ${d.team} set on the ticket`
      : `No rule matched → default team ${d.team}`;
  const excluded = Object.entries(d.excluded)
    .filter(([, n]) => n)
    .map(([k, n]) => `${n} ${exclusionLabels[k as Exclusion]}`)
    .join(', ');
  const pool = `${d.candidates.length} of ${d.considered} agents eligible${excluded ? ` (${excluded})` : ''}`;
  const relaxed = d.requirements.step
    ? ` Requirements relaxed to step ${d.requirements.step} (after ${d.requirements.afterMinutes} min in queue).`
    : '';
  const skipped = passedOver.length
    ? ` Claims on ${[...new Set(passedOver)].join(', ')} failed (taken meanwhile).`
    : '';

  if (winner && pickedUpAfterMinutes !== undefined) {
    return `${head}; ${needsOf(d.requirements)}. Picked up from the ${d.team} queue after ${Math.round(pickedUpAfterMinutes)} min by ${winner.agentId}, who had capacity (score ${winner.score.toFixed(3)}: ${partsOf(winner)}).${relaxed}`;
  }
  if (winner) {
    return `${head}; ${needsOf(d.requirements)}. ${pool}; picked ${winner.agentId} (score ${winner.score.toFixed(3)}: ${partsOf(winner)}).${relaxed}${skipped}`;
  }
  const retry = d.nextStepAt ? ` Requirements relax at ${d.nextStepAt}.` : '';
  if (d.candidates.length) {
    return `${head}; ${needsOf(d.requirements)}. ${pool}, but every claim failed (all taken meanwhile); queued in ${d.team}.${retry}`;
  }
  return `${head}; ${needsOf(d.requirements)}. Nobody eligible: ${pool}; queued in ${d.team}.${retry}`;
}

const priorityRank: Record<Priority, number> = { urgent: 3, high: 2, normal: 1, low: 0 };

/** Queue order: highest priority first, then oldest, then by id. */
export function queueOrder(a: RoutableTicket, b: RoutableTicket): number {
  return (
    priorityRank[b.priority] - priorityRank[a.priority] ||
    (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

export interface QueuePick<T extends RoutableTicket> {
  ticket: T;
  decision: RouteDecision;
}

/**
 * When `agent` comes online or frees capacity: the queued ticket they should take next — the highest
 * priority, then oldest, unassigned ticket whose requirements they meet at a step its waiting time has
 * unlocked — or null. A queued ticket routes within its own `team` (so a transfer sticks).
 */
export function pickQueuedTicket<T extends RoutableTicket>(
  agent: Agent,
  queued: readonly T[],
  config: RoutingConfig,
  now: Date,
): QueuePick<T> | null {
  const localTime = localTimeAt(now);
  if (!isAvailable(agent, localTime) || agent.load.total >= agent.capacity.max) return null;

  const waiting = queued
    .filter((t) => !t.assignee && (t.status === undefined || activeStatuses.includes(t.status)))
    .sort(queueOrder);
  for (const ticket of waiting) {
    const ctx = contextFor(ticket, config, now);
    if (capacityBlock(agent, ctx.channel)) continue;
    const plan = planRoute(ticket, config, now, ticket.team ? { team: ticket.team } : {});
    for (let s = 0; s < plan.usable; s++) {
      const req = plan.steps[s]!;
      if (!req.teams.some((t) => agent.teams.includes(t))) continue;
      const distanceKm = distanceTo(agent, req, ctx);
      if (exclusionOf(agent, req, ctx, distanceKm)) continue;
      const { raw, parts } = scoreOf(agent, req, ctx, distanceKm);
      const candidate = toCandidate({ agent, raw, parts, distanceKm, tie: 0 });
      const base: DecisionCore = {
        outcome: 'assign',
        team: plan.team,
        rule: plan.rule?.id ?? null,
        ruleName: plan.rule?.name ?? null,
        pinned: plan.pinned,
        requirements: req,
        relaxed: req.step > 0,
        candidates: [candidate],
        considered: 1,
        excluded: {},
        nextStepAt: null,
      };
      const routing = settleRouting(base, now, {
        assignee: agent.id,
        record: config.defaults.recordCandidates,
        pickedUpAfterMinutes: plan.waitedMinutes,
      });
      return { ticket, decision: { ...base, routing } };
    }
  }
  return null;
}
