import { DateTime, IANAZone } from 'luxon';
import * as z from 'zod';
import { Channel } from '../actor.ts';
import { safeRecord } from '../safe-record.ts';
import { Location } from '../ticket/ticket.entity.ts';

/** Ids people type into config: `field-repair`, `vip-care`, `u-agent-wang`. */
const slug = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'Use lower-case letters, digits, ".", "_" and "-"');

export const AgentId = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._@-]+$/, 'Use letters, digits, ".", "_", "@" and "-"');
export const TeamId = slug;
export const SkillName = slug;

/** 1 learning · 2 can do with help · 3 independent · 4 senior · 5 expert. */
export const Proficiency = z.int().min(1).max(5);
export type Proficiency = z.infer<typeof Proficiency>;

/** A BCP 47 language tag; routing compares the primary subtag (`zh-CN` speaks `zh`). */
export const Language = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'Use a language tag such as zh, en or zh-CN');

export const availabilities = ['online', 'away', 'offline'] as const;
export const Availability = z.enum(availabilities);
export type Availability = z.infer<typeof Availability>;

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'Use HH:MM (24-hour)');

/**
 * Weekly working hours in a time zone. A window whose end is before its start runs past midnight into
 * the next day (`22:00`–`06:00`); `days` are ISO weekdays (1 = Monday) on which a window starts.
 */
export const Shift = z.object({
  timeZone: z.string().refine((zone) => IANAZone.isValidZone(zone), 'Unknown IANA time zone'),
  windows: z
    .array(
      z.object({
        days: z.array(z.int().min(1).max(7)).min(1).max(7),
        start: clockTime,
        end: clockTime,
      }),
    )
    .min(1)
    .max(21),
});
export type Shift = z.infer<typeof Shift>;

const count = z.int().min(0).max(10_000);

/**
 * Max concurrent open tickets, optionally capped per channel (`{ max: 8, perChannel: { phone: 2 } }`).
 * A bare number is accepted as `{ max: n }`.
 */
export const Capacity = z.union([
  count.transform((max) => ({ max, perChannel: {} as Partial<Record<Channel, number>> })),
  z.object({ max: count, perChannel: z.partialRecord(Channel, count).default({}) }),
]);
export type Capacity = z.infer<typeof Capacity>;

/** Open tickets held now, in total and per channel; changed only by claim and release. */
export const Load = z.object({
  total: count,
  byChannel: z.partialRecord(Channel, count).default({}),
});
export type Load = z.infer<typeof Load>;

/** What a supervisor sets on an agent (`PUT /agents/{id}`); live load is not part of it. */
export const AgentProfile = z.object({
  id: AgentId,
  name: z.string().trim().min(1).max(120),
  email: z.email().max(254).optional(),
  phone: z.string().trim().min(3).max(40).optional(),
  teams: z.array(TeamId).min(1).max(20),
  skills: safeRecord(SkillName, Proficiency).default({}),
  languages: z.array(Language).max(20).default(['zh']),
  capacity: Capacity,
  /** Support level: 1 front line, 2 specialist, 3 expert. VIP tickets prefer higher levels. */
  level: z.int().min(1).max(3).default(1),
  /** Works on site; only field engineers are sent to on-site work. */
  fieldEngineer: z.boolean().default(false),
  availability: Availability.default('offline'),
  shift: Shift.nullable().default(null),
  location: Location.nullable().default(null),
  /**
   * Who decides in their place when they leave an approval waiting past the delegation deadline
   * (docs/collaboration.md, "Delegation"); null for nobody.
   */
  delegate: AgentId.nullable().default(null),
});
export type AgentProfile = z.infer<typeof AgentProfile>;
export type AgentProfileInput = z.input<typeof AgentProfile>;

/** An agent as routing sees it: profile plus live load and when they were last given a ticket. */
export const Agent = AgentProfile.extend({
  load: Load.default({ total: 0, byChannel: {} }),
  lastAssignedAt: z.string().nullable().default(null),
  /** The profile's version (its ETag): each `PUT /agents/{id}` adds one; load changes do not. */
  profileVersion: z.number().int().nonnegative().optional(),
  /** When and by whom the profile was last written (absent on profiles stored before this existed). */
  updatedAt: z.string().optional(),
  updatedBy: z.object({ id: z.string(), name: z.string().optional() }).nullable().optional(),
});
export type Agent = z.infer<typeof Agent>;
export type AgentInput = z.input<typeof Agent>;

/** A team (queue): who supervises it and whom to call when its work is escalated. */
export const Team = z.object({
  id: TeamId,
  name: z.string().trim().min(1).max(80),
  nameEn: z.string().trim().min(1).max(80).optional(),
  supervisor: AgentId,
  escalation: z
    .object({
      name: z.string().trim().min(1).max(120).optional(),
      email: z.email().max(254).optional(),
      phone: z.string().trim().min(3).max(40).optional(),
    })
    .refine((c) => c.email || c.phone, 'Give an e-mail address or a phone number'),
  /**
   * The roster as the supervisor sees it. Routing reads membership from each agent's `teams`, which the
   * agent store keeps queryable; `rosterGaps()` reports where the two disagree.
   */
  members: z.array(AgentId).max(5000).default([]),
});
export type Team = z.infer<typeof Team>;

/** Local weekday and minute of day in a zone; memoised per decision because luxon is not free. */
export type LocalTimeOf = (zone: string) => { weekday: number; minute: number };

export function localTimeAt(now: Date): LocalTimeOf {
  const memo = new Map<string, { weekday: number; minute: number }>();
  return (zone) => {
    let t = memo.get(zone);
    if (!t) {
      const local = DateTime.fromJSDate(now, { zone });
      t = { weekday: local.weekday, minute: local.hour * 60 + local.minute };
      memo.set(zone, t);
    }
    return t;
  };
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether `now` falls in one of the shift's windows (in the shift's own time zone). */
export function onShift(shift: Shift, localTime: LocalTimeOf): boolean {
  const { weekday, minute } = localTime(shift.timeZone);
  const yesterday = weekday === 1 ? 7 : weekday - 1;
  return shift.windows.some((w) => {
    const start = minutesOf(w.start);
    const end = minutesOf(w.end);
    if (start < end) return w.days.includes(weekday) && minute >= start && minute < end;
    // Overnight: the part after start today, or the part before end of a window that began yesterday.
    return (w.days.includes(weekday) && minute >= start) || (w.days.includes(yesterday) && minute < end);
  });
}

/** Online and, if the agent keeps a shift, within it. */
export function isAvailable(agent: Agent, localTime: LocalTimeOf): boolean {
  return agent.availability === 'online' && (!agent.shift || onShift(agent.shift, localTime));
}

/** Why an agent cannot take one more ticket on `channel`, or null when they can. */
export function capacityBlock(agent: Agent, channel: Channel): 'atCapacity' | 'channelCap' | null {
  if (agent.load.total >= agent.capacity.max) return 'atCapacity';
  const cap = agent.capacity.perChannel[channel];
  if (cap !== undefined && (agent.load.byChannel[channel] ?? 0) >= cap) return 'channelCap';
  return null;
}

/** Primary language subtag, lower case: `zh-CN` → `zh`. */
export const primaryLanguage = (tag: string) => tag.split('-')[0]!.toLowerCase();

export const speaks = (agent: Agent, language: string) => {
  const wanted = primaryLanguage(language);
  return agent.languages.some((l) => primaryLanguage(l) === wanted);
};

/** Where a team's configured roster and the agents' own `teams` disagree (for the supervisor view). */
export function rosterGaps(team: Team, agents: readonly Agent[]) {
  const inTeam = new Set(agents.filter((a) => a.teams.includes(team.id)).map((a) => a.id));
  const listed = new Set(team.members);
  return {
    notOnRoster: [...inTeam].filter((id) => !listed.has(id)).sort(),
    notInTeam: [...listed].filter((id) => !inTeam.has(id)).sort(),
  };
}
