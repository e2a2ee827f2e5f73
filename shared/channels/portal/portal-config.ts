import { DomainError } from '../../domain/errors.ts';
import {
  defaultPortalConfig,
  PortalConfig,
  type PortalConfigInput,
} from '../../domain/portal/portal-config.ts';
import type { Logger } from '../../domain/ports.ts';
import type { ChannelDeps } from '../deps.ts';

/** What reading or writing the portal configuration needs: its store (absent: the defaults). */
export type PortalConfigDeps = { channels: Pick<ChannelDeps, 'portalConfig'> };

/** The portal's configuration: the stored one, or the defaults (version 0) where none is stored. */
export const readPortalConfig = async (deps: PortalConfigDeps): Promise<PortalConfig> =>
  deps.channels.portalConfig ? deps.channels.portalConfig.get() : defaultPortalConfig;

const mismatch = (message: string, detail: Record<string, unknown>) =>
  new DomainError('precondition_failed', 'CONFIG.VERSION_MISMATCH', message, detail);

/**
 * `PUT /config/portal`: the whole configuration, conditional on the version it revises (If-Match;
 * without it, on the version just read). A concurrent change loses with 412, nothing half-written.
 */
export async function putPortalConfig(
  input: PortalConfigInput,
  expectedVersion: number | undefined,
  deps: PortalConfigDeps & { logger: Logger },
): Promise<PortalConfig> {
  const store = deps.channels.portalConfig;
  if (!store) throw new Error('No portal configuration store is wired');
  const current = await store.get();
  if (expectedVersion !== undefined && expectedVersion !== current.version) {
    throw mismatch(`The portal configuration is at version ${current.version}, not ${expectedVersion}`, {
      expected: expectedVersion,
      actual: current.version,
    });
  }
  const next = PortalConfig.parse({ ...input, version: current.version + 1 });
  if (!(await store.put(next, current.version))) {
    throw mismatch('The portal configuration changed meanwhile', { expected: current.version });
  }
  deps.logger.info('portal.config_changed', { version: next.version });
  return next;
}
