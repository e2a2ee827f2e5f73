import * as z from 'zod';

/*
 * The SLA vocabularies are declared here rather than imported from the ticket entity so the SLA domain
 * does not move with it; they are the shared vocabularies of DESIGN.md §6.
 */
export const slaPriorities = ['low', 'normal', 'high', 'urgent'] as const;
export const SlaPriority = z.enum(slaPriorities);
export type SlaPriority = z.infer<typeof SlaPriority>;

export const slaTiers = ['standard', 'vip'] as const;
export const SlaTier = z.enum(slaTiers);
export type SlaTier = z.infer<typeof SlaTier>;

/** The three clocks: first public staff reply, reply to each customer message, resolution. */
export const slaTargets = ['firstResponse', 'nextResponse', 'resolution'] as const;
export const SlaTarget = z.enum(slaTargets);
export type SlaTarget = z.infer<typeof SlaTarget>;

export const SlaChannel = z.enum(['email', 'sms', 'chat']);
export type SlaChannel = z.infer<typeof SlaChannel>;

/** People named by their relation to the ticket; the notifier resolves them to addresses. */
export const escalationRoles = ['assignee', 'team_supervisor', 'manager', 'on_call'] as const;
export const EscalationRole = z.enum(escalationRoles);
export type EscalationRole = z.infer<typeof EscalationRole>;

/** Who hears about a warning or an escalation: a role on the ticket, or a fixed address. */
export const Recipient = z.union([
  z.object({ role: EscalationRole, channel: SlaChannel }),
  z.object({ address: z.string().trim().min(1).max(320), channel: SlaChannel }),
]);
export type Recipient = z.infer<typeof Recipient>;

const Percent = z.number().gt(0).lt(100);

/**
 * One level of the escalation chain, `afterBreachMinutes` after the breach. The delay runs on the
 * ticket's SLA clock (it stops while the ticket is pending): in elapsed time by default, or in the
 * policy calendar's business time with `clock: 'business'`.
 */
export const EscalationLevel = z.object({
  level: z.number().int().min(1).max(9),
  afterBreachMinutes: z.number().min(0).max(525_600),
  clock: z.enum(['elapsed', 'business']).default('elapsed'),
  notify: z.array(Recipient).max(20).default([]),
  /** Raise the ticket to at least this priority (never lowers it). */
  raisePriorityTo: SlaPriority.optional(),
  /** Move the ticket to another team and/or agent (`assignee: null` leaves it with the team). */
  reassignTo: z
    .object({
      team: z.string().min(1).max(120).optional(),
      assignee: z.string().min(1).max(120).nullable().optional(),
    })
    .refine((r) => r.team !== undefined || r.assignee !== undefined, 'name a team or an assignee')
    .optional(),
  /** The targets whose breach this level follows; all by default. */
  targets: z.array(SlaTarget).min(1).optional(),
});
export type EscalationLevel = z.infer<typeof EscalationLevel>;

/** A target in business minutes of the policy's calendar, with optional warning thresholds of its own. */
export const TargetSpec = z.object({
  minutes: z.number().positive().max(525_600),
  warnAtPercent: z.array(Percent).max(5).optional(),
});
export type TargetSpec = z.infer<typeof TargetSpec>;

/**
 * An SLA policy (configured at `GET/PUT /config/sla`). It applies to the tickets its `match` selects —
 * by priority × customer tier, optionally category; an empty list matches anything — and the most
 * specific matching policy wins (`selectPolicy`).
 */
export const SlaPolicy = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'letters, digits, - and _ (max 64)'),
    name: z.string().trim().min(1).max(120),
    enabled: z.boolean().default(true),
    match: z
      .object({
        priorities: z.array(SlaPriority).default([]),
        tiers: z.array(SlaTier).default([]),
        categories: z.array(z.string().min(1).max(120)).default([]),
      })
      .default({ priorities: [], tiers: [], categories: [] }),
    calendarId: z.string().min(1).max(64),
    targets: z
      .object({
        firstResponse: TargetSpec.optional(),
        nextResponse: TargetSpec.optional(),
        resolution: TargetSpec.optional(),
      })
      .refine((t) => slaTargets.some((k) => t[k]), 'a policy needs at least one target'),
    /** Warning thresholds, as percentages of each target; a target may set its own. */
    warnAtPercent: z.array(Percent).max(5).default([75]),
    /** Who is warned; an unassigned ticket's warning goes to the team supervisor. */
    warningRecipients: z
      .array(Recipient)
      .max(20)
      .default([{ role: 'assignee', channel: 'email' }]),
    escalation: z.array(EscalationLevel).max(9).default([]),
    /** On reopen the resolution clock starts again from zero (`restart`) or carries on (`continue`). */
    onReopen: z.enum(['restart', 'continue']).default('restart'),
  })
  .superRefine((policy, ctx) => {
    policy.escalation.forEach((level, index) => {
      const previous = policy.escalation[index - 1];
      if (previous && level.level <= previous.level) {
        ctx.addIssue({
          code: 'custom',
          path: ['escalation', index, 'level'],
          message: 'levels must increase',
        });
      }
    });
  });
export type SlaPolicy = z.infer<typeof SlaPolicy>;
export type SlaPolicyInput = z.input<typeof SlaPolicy>;

/** The policy set as configured: ids unique. Calendar references are checked by `policyIssues`. */
export const SlaPolicies = z
  .array(SlaPolicy)
  .max(200)
  .superRefine((policies, ctx) => {
    const seen = new Set<string>();
    policies.forEach((p, index) => {
      if (seen.has(p.id))
        ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate id ${p.id}` });
      seen.add(p.id);
    });
  });

/** Parses and validates a policy (defaults filled in). Throws a ZodError when it is invalid. */
export const definePolicy = (input: SlaPolicyInput): SlaPolicy => SlaPolicy.parse(input);

/** Policies that name a calendar that does not exist, as field issues for a 400/422. */
export function policyIssues(
  policies: readonly SlaPolicy[],
  calendarIds: Iterable<string>,
): { path: string; message: string }[] {
  const known = new Set(calendarIds);
  return policies.flatMap((p, index) =>
    known.has(p.calendarId)
      ? []
      : [{ path: `${index}.calendarId`, message: `unknown calendar ${p.calendarId}` }],
  );
}

/** The ticket fields that select a policy. */
export interface PolicySubject {
  priority: SlaPriority;
  tier: SlaTier;
  category: string | null;
}

const specificity = (p: SlaPolicy) =>
  (p.match.categories.length > 0 ? 4 : 0) +
  (p.match.tiers.length > 0 ? 2 : 0) +
  (p.match.priorities.length > 0 ? 1 : 0);

const matches = (p: SlaPolicy, t: PolicySubject) =>
  p.enabled &&
  (p.match.priorities.length === 0 || p.match.priorities.includes(t.priority)) &&
  (p.match.tiers.length === 0 || p.match.tiers.includes(t.tier)) &&
  (p.match.categories.length === 0 || (t.category !== null && p.match.categories.includes(t.category)));

/**
 * The policy for a ticket: among enabled policies that match it, the most specific (a category match
 * outweighs a tier match, which outweighs a priority match); on a tie, the first listed.
 */
export function selectPolicy(policies: readonly SlaPolicy[], ticket: PolicySubject): SlaPolicy | undefined {
  let best: SlaPolicy | undefined;
  for (const p of policies) {
    if (matches(p, ticket) && (!best || specificity(p) > specificity(best))) best = p;
  }
  return best;
}

/** Warning thresholds of one target, ascending, without duplicates. */
export const warningPercents = (policy: SlaPolicy, target: SlaTarget): number[] =>
  [...new Set(policy.targets[target]?.warnAtPercent ?? policy.warnAtPercent)].sort((a, b) => a - b);

const atBreach = [
  { role: 'assignee', channel: 'email' },
  { role: 'team_supervisor', channel: 'email' },
] as const;

/**
 * The demo seed's policies. `urgent` is the issue's: 30 min first response, 4 h resolution, warned at
 * 75 %, 24×7, escalated at breach to the assignee and team supervisor, then the manager (+30 min, SMS)
 * and on-call (+2 h). The others run on Beijing office hours.
 */
export const defaultSlaPolicies: readonly SlaPolicy[] = SlaPolicies.parse([
  {
    id: 'urgent',
    name: 'Urgent 紧急',
    match: { priorities: ['urgent'] },
    calendarId: '24x7',
    targets: { firstResponse: { minutes: 30 }, nextResponse: { minutes: 60 }, resolution: { minutes: 240 } },
    warnAtPercent: [75],
    escalation: [
      { level: 1, afterBreachMinutes: 0, notify: atBreach },
      { level: 2, afterBreachMinutes: 30, notify: [{ role: 'manager', channel: 'sms' }] },
      { level: 3, afterBreachMinutes: 120, notify: [{ role: 'on_call', channel: 'sms' }] },
    ],
  },
  {
    id: 'high-vip',
    name: 'High, VIP 高优先级 VIP',
    match: { priorities: ['high'], tiers: ['vip'] },
    calendarId: '24x7',
    targets: { firstResponse: { minutes: 30 }, nextResponse: { minutes: 60 }, resolution: { minutes: 480 } },
    escalation: [
      { level: 1, afterBreachMinutes: 0, notify: atBreach },
      {
        level: 2,
        afterBreachMinutes: 30,
        notify: [{ role: 'manager', channel: 'sms' }],
        raisePriorityTo: 'urgent',
      },
    ],
  },
  {
    id: 'high',
    name: 'High 高优先级',
    match: { priorities: ['high'] },
    calendarId: 'cn-office',
    targets: { firstResponse: { minutes: 60 }, nextResponse: { minutes: 120 }, resolution: { minutes: 480 } },
    escalation: [
      { level: 1, afterBreachMinutes: 0, notify: atBreach },
      {
        level: 2,
        afterBreachMinutes: 60,
        clock: 'business',
        notify: [{ role: 'manager', channel: 'email' }],
        raisePriorityTo: 'urgent',
      },
    ],
  },
  {
    id: 'normal-vip',
    name: 'Normal, VIP 普通 VIP',
    match: { priorities: ['normal', 'low'], tiers: ['vip'] },
    calendarId: 'cn-office',
    targets: {
      firstResponse: { minutes: 120 },
      nextResponse: { minutes: 240 },
      resolution: { minutes: 960 },
    },
    escalation: [{ level: 1, afterBreachMinutes: 0, notify: atBreach }],
  },
  {
    id: 'normal',
    name: 'Normal 普通',
    match: { priorities: ['normal'] },
    calendarId: 'cn-office',
    targets: {
      firstResponse: { minutes: 240 },
      nextResponse: { minutes: 480 },
      resolution: { minutes: 1440 },
    },
    escalation: [
      { level: 1, afterBreachMinutes: 0, notify: [{ role: 'team_supervisor', channel: 'email' }] },
    ],
  },
  {
    id: 'low',
    name: 'Low 低优先级',
    match: { priorities: ['low'] },
    calendarId: 'cn-office',
    targets: { firstResponse: { minutes: 480 }, resolution: { minutes: 2400 } },
    escalation: [
      { level: 1, afterBreachMinutes: 0, notify: [{ role: 'team_supervisor', channel: 'email' }] },
    ],
  },
]);
