import * as z from 'zod';
import { Channel } from '../actor.ts';
import type { FieldIssue } from '../errors.ts';
import { safeRecord } from '../safe-record.ts';
import { Priority } from '../ticket/lifecycle.ts';
import { ProductSettings } from '../ticket/product-region.ts';
import { CustomFieldValue, Tier } from '../ticket/ticket.entity.ts';
import { Language, Proficiency, SkillName, Team, TeamId } from './agent.ts';
import { routingConfigInvalid, routingConfigVersionMismatch } from './routing.errors.ts';

const RuleId = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'Use lower-case letters, digits, ".", "_" and "-"');
const RegionId = RuleId;
const Keyword = z.string().trim().min(1).max(80);
const list = <T extends z.ZodType>(item: T, max = 200) => z.array(item).min(1).max(max);

/**
 * What a rule looks at. Every condition given must hold (AND); within one condition any listed value
 * will do (OR). Text comparisons ignore case and full/half width. `keywords` are looked for in the
 * subject and description: a keyword starting with a Latin letter or digit must start a word and, unless
 * it ends in `*`, end one too (`refund*` matches "refunded", `fee` does not match "feedback"); other
 * keywords (Chinese) match anywhere.
 */
export const RuleConditions = z
  .object({
    categories: list(z.string().trim().min(1).max(80)),
    intents: list(z.string().trim().min(1).max(80)),
    priorities: list(Priority),
    tiers: list(Tier),
    channels: list(Channel),
    /** Region ids from `regions`; a ticket's region is `customFields.region`, else where its location is. */
    regions: list(RegionId),
    keywords: list(Keyword, 1000),
    /** None of these may appear (same matching as `keywords`). */
    notKeywords: list(Keyword, 1000),
    /** Field → accepted value(s); strings compare ignoring case. */
    customFields: safeRecord(z.string().max(60), z.union([CustomFieldValue, list(CustomFieldValue)])),
  })
  .partial()
  .strict();
export type RuleConditions = z.infer<typeof RuleConditions>;

export const SkillRequirement = z
  .object({ skill: SkillName, minProficiency: Proficiency.default(1) })
  .strict();
export type SkillRequirement = z.infer<typeof SkillRequirement>;

/** `auto` asks for the language the ticket is written in (Chinese if it contains Han characters). */
export const LanguageRequirement = z.union([z.literal('auto'), Language]);

/**
 * Loosening applied when a ticket has waited `afterMinutes` and nobody meets the stricter requirement
 * (Amazon Connect's routing steps). Steps accumulate in order.
 */
export const RelaxStep = z
  .object({
    afterMinutes: z
      .number()
      .min(0)
      .max(7 * 24 * 60),
    /** Lower every required skill's minimum to at most this. */
    minProficiency: Proficiency.optional(),
    /** Stop requiring these skills. */
    dropSkills: z.array(SkillName).max(50).default([]),
    /** Stop requiring a language. */
    dropLanguage: z.boolean().default(false),
    /** Also consider agents of these teams (the ticket stays in its own team's queue). */
    addTeams: z.array(TeamId).max(20).default([]),
    /** Allow on-site agents this far away. */
    maxDistanceKm: z.number().positive().max(20_000).optional(),
  })
  .strict();
export type RelaxStep = z.infer<typeof RelaxStep>;

/** Where a matching ticket goes and whom it needs. */
export const RuleOutcome = z
  .object({
    team: TeamId,
    skills: z.array(SkillRequirement).max(20).default([]),
    /** Omitted: the default language requirement; null: none. */
    language: LanguageRequirement.nullable().optional(),
    /** On-site work: only field engineers, scored by distance to the ticket's location. */
    onsite: z.boolean().default(false),
    /** On-site agents farther than this are not eligible. */
    maxDistanceKm: z.number().positive().max(20_000).optional(),
    relax: z.array(RelaxStep).max(10).default([]),
  })
  .strict();
export type RuleOutcome = z.infer<typeof RuleOutcome>;

export const RoutingRule = z
  .object({
    id: RuleId,
    name: z.string().trim().min(1).max(120),
    description: z.string().max(1000).optional(),
    enabled: z.boolean().default(true),
    when: RuleConditions.default({}),
    route: RuleOutcome,
  })
  .strict();
export type RoutingRule = z.infer<typeof RoutingRule>;
export type RoutingRuleInput = z.input<typeof RoutingRule>;

/** A named circle on the map, for rules on `regions`. */
export const Region = z
  .object({
    id: RegionId,
    name: z.string().trim().min(1).max(80),
    center: z.object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) }),
    radiusKm: z.number().positive().max(20_000),
  })
  .strict();
export type Region = z.infer<typeof Region>;

const weight = z.number().min(0).max(100);

/** Relative weights of the score's components; only those that apply to a ticket are counted. */
export const ScoreWeights = z
  .object({
    proficiency: weight.default(0.35),
    load: weight.default(0.25),
    distance: weight.default(0.25),
    fairness: weight.default(0.15),
    tier: weight.default(0.2),
  })
  .strict();
export type ScoreWeights = z.infer<typeof ScoreWeights>;

export const RoutingDefaults = z
  .object({
    /** Where a ticket goes when no rule matches. */
    team: TeamId,
    language: LanguageRequirement.nullable().default(null),
    weights: ScoreWeights.default(ScoreWeights.parse({})),
    /** Distance at which the distance component halves. */
    distanceScaleKm: z.number().positive().max(10_000).default(10),
    /** Time since an agent's last assignment after which fairness no longer tells agents apart. */
    fairnessWindowMinutes: z
      .number()
      .positive()
      .max(7 * 24 * 60)
      .default(120),
    /** How many candidates a decision records on the ticket. */
    recordCandidates: z.int().min(1).max(50).default(10),
  })
  .strict();
export type RoutingDefaults = z.infer<typeof RoutingDefaults>;

const RoutingConfigShape = z
  .object({
    version: z.int().min(1),
    updatedAt: z.string().optional(),
    updatedBy: z.string().max(120).optional(),
    teams: z.array(Team).min(1).max(500),
    regions: z.array(Region).max(500).default([]),
    /** Ordered: the first enabled rule that matches decides. */
    rules: z.array(RoutingRule).max(1000),
    defaults: RoutingDefaults,
    /** Model-number prefixes → product lines, for deriving a ticket's product (docs/analytics.md). */
    products: ProductSettings.optional(),
  })
  .strict();

/** The routing configuration (`GET/PUT /config/routing`): validated as a whole, versioned. */
export const RoutingConfig = RoutingConfigShape.superRefine((config, ctx) => {
  const teamIds = new Set(config.teams.map((t) => t.id));
  const regionIds = new Set(config.regions.map((r) => r.id));
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });

  for (const i of duplicates(config.teams.map((t) => t.id))) issue(['teams', i, 'id'], 'Duplicate team id');
  for (const i of duplicates(config.regions.map((r) => r.id)))
    issue(['regions', i, 'id'], 'Duplicate region id');
  for (const i of duplicates(config.rules.map((r) => r.id))) issue(['rules', i, 'id'], 'Duplicate rule id');
  if (!teamIds.has(config.defaults.team)) issue(['defaults', 'team'], 'Unknown team');

  for (const [r, rule] of config.rules.entries()) {
    if (!teamIds.has(rule.route.team)) issue(['rules', r, 'route', 'team'], 'Unknown team');
    for (const [i, id] of (rule.when.regions ?? []).entries()) {
      if (!regionIds.has(id)) issue(['rules', r, 'when', 'regions', i], 'Unknown region');
    }
    for (const i of duplicates(rule.route.skills.map((s) => s.skill))) {
      issue(['rules', r, 'route', 'skills', i, 'skill'], 'Skill listed twice');
    }
    let previous = -1;
    for (const [s, step] of rule.route.relax.entries()) {
      if (step.afterMinutes <= previous)
        issue(['rules', r, 'route', 'relax', s, 'afterMinutes'], 'Steps must come in increasing time order');
      previous = step.afterMinutes;
      for (const [t, team] of step.addTeams.entries()) {
        if (!teamIds.has(team)) issue(['rules', r, 'route', 'relax', s, 'addTeams', t], 'Unknown team');
      }
    }
  }
});
export type RoutingConfig = z.infer<typeof RoutingConfig>;
export type RoutingConfigInput = z.input<typeof RoutingConfig>;

function duplicates(ids: string[]): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  for (const [i, id] of ids.entries()) {
    if (seen.has(id)) out.push(i);
    seen.add(id);
  }
  return out;
}

const issuesOf = (error: z.ZodError): FieldIssue[] =>
  error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, code: i.code }));

/** Validates a routing configuration; throws ROUTING.CONFIG_INVALID with field-level issues. */
export function parseRoutingConfig(input: unknown): RoutingConfig {
  const result = RoutingConfig.safeParse(input);
  if (!result.success) throw routingConfigInvalid(issuesOf(result.error));
  return result.data;
}

/**
 * The next version of the configuration from a proposal (`PUT /config/routing`). With
 * `expectedVersion` (If-Match) a stale base is refused with ROUTING.CONFIG_VERSION_MISMATCH; the
 * proposal's own `version` is ignored, so the stored version always counts up by one.
 */
export function reviseRoutingConfig(
  current: RoutingConfig | null,
  proposal: unknown,
  change: { by: string; at: Date; expectedVersion?: number },
): RoutingConfig {
  const actual = current?.version ?? 0;
  if (change.expectedVersion !== undefined && change.expectedVersion !== actual)
    throw routingConfigVersionMismatch(change.expectedVersion, actual);
  const body = proposal && typeof proposal === 'object' && !Array.isArray(proposal) ? proposal : {};
  return parseRoutingConfig({
    ...body,
    version: actual + 1,
    updatedAt: change.at.toISOString(),
    updatedBy: change.by,
  });
}
