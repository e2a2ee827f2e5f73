import { expect } from 'vitest';
import { dynamoAgentStore } from '#shared/adapters/dynamo/dynamo-agent-store.ts';
import { dynamoRoutingConfigStore } from '#shared/adapters/dynamo/dynamo-routing-config-store.ts';
import type { AgentProfile } from '#shared/domain/routing/agent.ts';
import type { RoutingConfig } from '#shared/domain/routing/routing-config.ts';
import type { TicketDeps } from '#shared/use-cases/deps.ts';
import { recordingLogger } from './recording-logger.ts';
import { freshTicketDeps } from './ticket-fixtures.ts';

/**
 * A fresh table with `config` stored (none when null), agents written through the agent store, a clock
 * the test moves from `start`, and the use-case dependencies with routing wired as the API functions
 * have it, logging into `logs`.
 */
export async function routedWorld(config: RoutingConfig | null, agentProfiles: AgentProfile[], start: Date) {
  let now = start;
  const clock = { now: () => now };
  const base = await freshTicketDeps(clock.now);
  const agents = dynamoAgentStore(base.client, base.tableName, clock);
  const configs = dynamoRoutingConfigStore(base.client, base.tableName);
  if (config) expect(await configs.put(config, 0)).toBe(true);
  for (const p of agentProfiles) await agents.put(p);
  const { logger, lines } = recordingLogger();
  const deps: TicketDeps = { ...base.deps, logger, routing: { agents, config: configs } };
  return {
    ...base,
    deps,
    agents,
    configs,
    logger,
    logs: lines,
    advance(minutes: number) {
      now = new Date(now.getTime() + minutes * 60_000);
    },
  };
}
