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
  for (const agent of agents) {
    ids.set(agent.id, agent);
    for (const team of new Set(agent.teams)) {
      const members = teams.get(team);
      if (members) members.push(agent);
      else teams.set(team, [agent]);
    }
  }
  for (const members of teams.values()) members.sort(byId);

  // (team, skill) lists are built on first use: a snapshot routed once pays only for what it needs.
  const skills = new Map<string, Agent[]>();
  const holders = (teamId: string, skill: string): readonly Agent[] => {
    const key = `${teamId}\u0000${skill}`;
    let list = skills.get(key);
    if (!list) {
      list = (teams.get(teamId) ?? none).filter((a) => agentSkill(a, skill) > 0);
      list.sort((a, b) => agentSkill(b, skill) - agentSkill(a, skill) || byId(a, b));
      skills.set(key, list);
    }
    return list;
  };

  return {
    size: ids.size,
    get: (id) => ids.get(id),
    team: (teamId) => teams.get(teamId) ?? none,
    teamSkill: holders,
    countAtLeast(teamId, skill, min) {
      const list = holders(teamId, skill);
      // Sorted by proficiency descending: binary search for the first one below `min`.
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (agentSkill(list[mid]!, skill) >= min) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    },
  };
}

const agentSkill = (agent: Agent, skill: string) =>
  Object.hasOwn(agent.skills, skill) ? (agent.skills[skill] ?? 0) : 0;

export const isPool = (agents: readonly Agent[] | AgentPool): agents is AgentPool =>
  !Array.isArray(agents) && typeof (agents as AgentPool).teamSkill === 'function';
