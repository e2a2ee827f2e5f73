import { intentIds, intents } from '../domain/classify/intents.ts';
import { priorities, statuses, statusLabels } from '../domain/ticket/lifecycle.ts';
import type { TicketDeps } from './deps.ts';

/**
 * What every member of staff needs to read a ticket: team and agent names, SLA policy names and the
 * labels of statuses and intents, in Chinese and English. The routing and SLA documents themselves stay
 * with supervisors and admins (they name escalation contacts).
 */
export async function readDirectory(deps: TicketDeps) {
  const [routing, sla, agents] = await Promise.all([
    deps.routing.config.get(),
    deps.sla.config.load(),
    deps.routing.agents.list(),
  ]);
  return {
    teams: (routing?.teams ?? []).map((t) => ({
      id: t.id,
      name: t.name,
      nameEn: t.nameEn ?? t.name,
      supervisor: t.supervisor,
    })),
    agents: agents.map((a) => ({ id: a.id, name: a.name, teams: a.teams, availability: a.availability })),
    policies: sla.policies.map((p) => ({ id: p.id, name: p.name })),
    statuses: statuses.map((s) => ({ id: s, ...statusLabels[s] })),
    priorities,
    intents: intentIds.map((id) => ({ id, zh: intents[id].zh, en: intents[id].en })),
  };
}
