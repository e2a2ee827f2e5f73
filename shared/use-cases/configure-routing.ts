import * as z from 'zod';
import type { Actor } from '../domain/actor.ts';
import { DomainError } from '../domain/errors.ts';
import { retry, retryOnConflict } from '../domain/retry.ts';
import { routingConfigNotFound, routingConfigVersionMismatch } from '../domain/routing/routing.errors.ts';
import type { RoutingConfigRevision } from '../domain/routing/routing-config.store.ts';
import { type RoutingConfig, reviseRoutingConfig } from '../domain/routing/routing-config.ts';
import { safeRecord } from '../domain/safe-record.ts';
import type { TicketDeps } from './deps.ts';

/** `PUT /config/routing` takes a JSON object; `reviseRoutingConfig` validates it field by field. */
export const RoutingConfigProposal = safeRecord(z.string(), z.unknown());

/** The current routing configuration; ROUTING.CONFIG_NOT_FOUND (404) when none is stored. */
export async function getRoutingConfig(deps: TicketDeps): Promise<RoutingConfig> {
  const config = await deps.routing.config.get();
  if (!config) throw routingConfigNotFound();
  return config;
}

/** Every stored version, oldest first: who changed the routing and when. */
export function routingConfigHistory(deps: TicketDeps): Promise<RoutingConfigRevision[]> {
  return deps.routing.config.history();
}

/**
 * Stores a new version of the routing configuration.
 *
 * 1. Read the current version; with `expectedVersion` (If-Match) a stale one is a 412.
 * 2. Validate the proposal as a whole (unknown keys, teams, regions, duplicate ids: 400 with each field)
 *    and stamp it with the next version, who and when.
 * 3. Write it on condition that the stored version has not moved, with a copy kept as its audit record;
 *    without If-Match a lost race is retried on the fresh version.
 */
export async function putRoutingConfig(
  proposal: unknown,
  actor: Actor,
  expectedVersion: number | undefined,
  deps: TicketDeps,
): Promise<RoutingConfig> {
  const store = deps.routing.config;
  return retryOnConflict(
    async () => {
      const current = await store.get();
      const next = reviseRoutingConfig(current, proposal, {
        by: actor.id,
        at: deps.clock.now(),
        ...(expectedVersion !== undefined ? { expectedVersion } : {}),
      });
      if (await store.put(next, current?.version ?? 0)) {
        deps.logger.info('routing.config_updated', {
          version: next.version,
          by: actor.id,
          rules: next.rules.length,
          teams: next.teams.length,
        });
        return next;
      }
      if (expectedVersion !== undefined) {
        throw routingConfigVersionMismatch(expectedVersion, (await store.get())?.version ?? 0);
      }
      return retry;
    },
    {
      exhausted: () =>
        new DomainError(
          'conflict',
          'ROUTING.CONFIG_CONCURRENT_UPDATE',
          'The routing configuration is being changed by others; try again',
        ),
    },
  );
}
