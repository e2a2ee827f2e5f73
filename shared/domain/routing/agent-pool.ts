import type { Agent } from './agent.ts';

/**
 * A snapshot of agents indexed by team and by (team, skill), so a decision looks only at the team
 * members who hold the rarest required skill instead of scanning everyone. Build it once per snapshot
 * (`indexAgents`) when routing many tickets against the same agents.
 */
export interface AgentPool {
  readonly size: number;
  get(id: string): Agent | undefined;
  /** The team's members, in id order. */
  team(teamId: string): readonly Agent[];
  /** The team's members holding `skill`, most proficient first (then by id). */
  teamSkill(teamId: string, skill: string): readonly Agent[];
  /** How many entries of `teamSkill(teamId, skill)` have at least `min` proficiency. */
  countAtLeast(teamId: string, skill: string, min: number): number;
}

const none: readonly Agent[] = [];
const byId = (a: Agent, b: Agent) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function indexAgents(agents: readonly Agent[]): AgentPool {
  const ids = new Map<string, Agent>();
  const teams = new Map<string, Agent[]>();
  const skills = new Map<string, Agent[]>();
  const key = (team: string, skill: string) => `${team}\u0000${skill}`;

  for (const agent of agents) {
    ids.set(agent.id, agent);
    for (const team of new Set(agent.teams)) {
      const members = teams.get(team);
      if (members) members.push(agent);
      else teams.set(team, [agent]);
      for (const skill of Object.keys(agent.skills)) {
        const k = key(team, skill);
        const holders = skills.get(k);
        if (holders) holders.push(agent);
        else skills.set(k, [agent]);
      }
    }
  }
  for (const members of teams.values()) members.sort(byId);
  for (const [k, holders] of skills) {
    const skill = k.slice(k.indexOf('\u0000') + 1);
    holders.sort((a, b) => (b.skills[skill] ?? 0) - (a.skills[skill] ?? 0) || byId(a, b));
  }

  return {
    size: ids.size,
    get: (id) => ids.get(id),
    team: (teamId) => teams.get(teamId) ?? none,
    teamSkill: (teamId, skill) => skills.get(key(teamId, skill)) ?? none,
    countAtLeast(teamId, skill, min) {
      const holders = skills.get(key(teamId, skill));
      if (!holders) return 0;
      // Sorted by proficiency descending: binary search for the first one below `min`.
      let lo = 0;
      let hi = holders.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((holders[mid]!.skills[skill] ?? 0) >= min) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    },
  };
}

export const isPool = (agents: readonly Agent[] | AgentPool): agents is AgentPool =>
  !Array.isArray(agents) && typeof (agents as AgentPool).teamSkill === 'function';
