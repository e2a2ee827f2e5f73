import type { RoutingConfig } from './routing-config.ts';

/** One stored version of the routing configuration, with who changed it and when. */
export interface RoutingConfigRevision {
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
  config: RoutingConfig;
}

/**
 * The routing configuration (`GET/PUT /config/routing`): one current, versioned document, and every
 * version ever stored, so a change can be traced to a person and a time.
 */
export interface RoutingConfigStore {
  /** The current configuration, or null when none has been stored yet (routing is then off). */
  get(): Promise<RoutingConfig | null>;
  /**
   * The configuration to route a new ticket by: `get()`, or a copy up to 30 s old where the
   * wiring caches it (`cachedRoutingConfigStore`). Never for the admin read or a change.
   */
  current(): Promise<RoutingConfig | null>;
  /**
   * Stores `next` (already revised: its `version` is the stored one + 1) if the stored version is still
   * `expectedVersion` (0: nothing stored yet); false, writing nothing, when someone got there first.
   */
  put(next: RoutingConfig, expectedVersion: number): Promise<boolean>;
  /** Every stored version, oldest first. */
  history(): Promise<RoutingConfigRevision[]>;
}
