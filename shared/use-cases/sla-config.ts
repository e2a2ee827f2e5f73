import { type Actor, primaryRole } from '../domain/actor.ts';
import type { Clock, Logger } from '../domain/ports.ts';
import { retry, retryOnConflict } from '../domain/retry.ts';
import {
  type CalendarDocument,
  type ConfigRecord,
  checkCalendarsInUse,
  checkPolicyCalendars,
  configConflict,
  configVersionMismatch,
  type SlaConfigName,
  type SlaConfigStore,
  type SlaPolicyDocument,
  summarizeChange,
} from '../domain/sla/sla-config.ts';

export interface SlaConfigDeps {
  store: SlaConfigStore;
  clock: Clock;
  logger: Logger;
}

/** A configuration as `GET /config/{sla,calendars}` shows it; the document's own fields can be PUT back. */
export async function configView<N extends SlaConfigName>(record: ConfigRecord<N>, store: SlaConfigStore) {
  return {
    version: record.version,
    ...record.config,
    updatedAt: record.updatedAt,
    updatedBy: record.updatedBy,
    history: await store.history(record.name, 20),
  };
}

/** The SLA policies or the calendars, with their version (the ETag) and who changed them last. */
export const getSlaConfig = <N extends SlaConfigName>(name: N, deps: Pick<SlaConfigDeps, 'store'>) =>
  deps.store.get(name);

/**
 * Replaces the policy set (`PUT /config/sla`).
 *
 * 1. The body is already a valid policy set (zod: ids unique, levels increasing, targets present).
 * 2. Every policy's calendar must exist among the current calendars (400 naming the policy).
 * 3. Store it as the next version — only if the version the caller read (If-Match) is still current
 *    (412 if not); without If-Match, on top of whatever is current.
 * 4. The change is kept in the configuration's history: who, when, which policies were added,
 *    removed and changed.
 */
export function putSlaPolicies(
  body: SlaPolicyDocument,
  actor: Actor,
  expectedVersion: number | undefined,
  deps: SlaConfigDeps,
) {
  return revise('sla', body, actor, expectedVersion, deps, async (current) => {
    const calendars = await deps.store.get('calendars');
    checkPolicyCalendars(body.policies, calendars.config.calendars);
    return summarizeChange(current.config.policies, body.policies);
  });
}

/**
 * Replaces the calendars (`PUT /config/calendars`), like `putSlaPolicies`; a calendar that a policy
 * still names cannot be dropped (400 naming the policy).
 */
export function putCalendars(
  body: CalendarDocument,
  actor: Actor,
  expectedVersion: number | undefined,
  deps: SlaConfigDeps,
) {
  return revise('calendars', body, actor, expectedVersion, deps, async (current) => {
    const policies = await deps.store.get('sla');
    checkCalendarsInUse(policies.config.policies, body.calendars);
    return summarizeChange(current.config.calendars, body.calendars);
  });
}

async function revise<N extends SlaConfigName>(
  name: N,
  body: ConfigRecord<N>['config'],
  actor: Actor,
  expectedVersion: number | undefined,
  deps: SlaConfigDeps,
  check: (current: ConfigRecord<N>) => Promise<ReturnType<typeof summarizeChange>>,
): Promise<ConfigRecord<N>> {
  return retryOnConflict(
    async () => {
      const current = await deps.store.get(name);
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw configVersionMismatch(name, expectedVersion, current.version);
      }
      const summary = await check(current);
      const at = deps.clock.now().toISOString();
      const by = {
        id: actor.id,
        ...(actor.name ? { name: actor.name } : {}),
        role: primaryRole(actor),
        ...(actor.sourceIp ? { sourceIp: actor.sourceIp } : {}),
      };
      const stored = await deps.store.put(name, body, current.version, {
        version: current.version + 1,
        at,
        by,
        summary,
      });
      if (stored) {
        deps.logger.info('config.changed', { name, version: stored.version, by: actor.id, ...summary });
        return stored;
      }
      if (expectedVersion !== undefined) {
        const fresh = await deps.store.get(name);
        throw configVersionMismatch(name, expectedVersion, fresh.version);
      }
      return retry;
    },
    { exhausted: () => configConflict(name) },
  );
}
