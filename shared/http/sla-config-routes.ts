import type { SlaConfigStore } from '../domain/sla/sla-config.ts';
import type { ApiDeps } from './route.ts';

/** The SLA configuration store of an API function; its absence is a wiring fault (a 500), not a client error. */
export function slaConfigStore(deps: ApiDeps): SlaConfigStore {
  const store = deps.sla?.store;
  if (!store) throw new Error('The SLA configuration store is not wired into this function');
  return store;
}

/** The ETag of a configuration document: its version. */
export const configEtag = (record: { version: number }) => `"${record.version}"`;
