import type { AgentStore } from '#shared/domain/routing/agent.store.ts';
import type { RoutingConfigStore } from '#shared/domain/routing/routing-config.store.ts';
import { type RoutingConfig, reviseRoutingConfig } from '#shared/domain/routing/routing-config.ts';

export interface LoadRoutingDeps {
  routing: RoutingConfigStore;
  agents: AgentStore;
  now?: () => Date;
}

/**
 * Stores a routing configuration document (e.g. docs/templates/routing.json) as the next version, as
 * `PUT /config/routing` does: validated as a whole, versioned, its history kept. A team's `supervisor`
 * and `members` may be given as e-mail addresses: each becomes the id (Cognito `sub`) of the agent with
 * that address, so a template can be loaded before anyone knows the ids. Throws, naming the field,
 * when the document is invalid or an address belongs to no agent.
 */
export async function loadRoutingConfig(deps: LoadRoutingDeps, document: unknown): Promise<RoutingConfig> {
  const proposal = await resolveAgentEmails(deps.agents, document);
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await deps.routing.get();
    const next = reviseRoutingConfig(current, proposal, {
      by: 'admin-tool',
      at: (deps.now ?? (() => new Date()))(),
    });
    if (await deps.routing.put(next, current?.version ?? 0)) return next;
  }
  throw new Error('The routing configuration is being changed by others; try again');
}

async function resolveAgentEmails(agents: AgentStore, document: unknown): Promise<unknown> {
  if (!isObject(document) || !Array.isArray(document.teams)) return document;
  const byEmail = new Map<string, string>();
  for (const agent of await agents.list()) if (agent.email) byEmail.set(agent.email.toLowerCase(), agent.id);
  const idOf = (value: unknown, path: string) => {
    if (typeof value !== 'string' || !value.includes('@')) return value;
    const id = byEmail.get(value.toLowerCase());
    if (!id) {
      throw new Error(
        `${path}: no agent has the e-mail ${value}; create them first (npm run admin -- create-agent)`,
      );
    }
    return id;
  };
  const teams = document.teams.map((team: unknown, i: number) => {
    if (!isObject(team)) return team;
    return {
      ...team,
      ...('supervisor' in team ? { supervisor: idOf(team.supervisor, `teams.${i}.supervisor`) } : {}),
      ...(Array.isArray(team.members)
        ? { members: team.members.map((m: unknown, j: number) => idOf(m, `teams.${i}.members.${j}`)) }
        : {}),
    };
  });
  return { ...document, teams };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
