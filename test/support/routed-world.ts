import { expect } from 'vitest';
import { dynamoAgentStore } from '#shared/adapters/dynamo/dynamo-agent-store.ts';
import type { AgentProfile } from '#shared/domain/routing/agent.ts';
import type { RoutingConfig } from '#shared/domain/routing/routing-config.ts';
import { recordingLogger } from './recording-logger.ts';
import { freshTicketDeps } from './ticket-fixtures.ts';

/**
 * A fresh table with `config` stored (none when null), agents written through the agent store, a clock
 * the test moves from `start`, and the use-case dependencies with routing wired as the API functions
 * have it, logging into `logs`. `drain()` runs the reactions that follow the changes so far (agents'
 * capacity among them), as the outbox dispatcher does.
 */
export async function routedWorld(config: RoutingConfig | null, agentProfiles: AgentProfile[], start: Date) {
  let now = start;
  const clock = { now: () => now };
  const { logger, lines } = recordingLogger();
  const base = await freshTicketDeps(clock.now, { logger });
  // The store the deps use, with the test-only view of what each agent holds (`held`).
  const agents = dynamoAgentStore(base.client, base.tableName, clock);
  const configs = base.deps.routing.config;
  if (config) expect(await configs.put(config, 0)).toBe(true);
  for (const p of agentProfiles) await agents.put(p);
  return {
    ...base,
    agents,
    configs,
    logger,
    logs: lines,
    advance(minutes: number) {
      now = new Date(now.getTime() + minutes * 60_000);
    },
  };
}
