import type { FieldIssue } from '../errors.ts';
import type { Connector, ConnectorsConfigParsed, FieldFormat, LocalizedText } from './connectors.ts';

/** How a source answered: `ok`, or why it shows nothing (the panel shows every source either way). */
export type SourceStatus = 'ok' | 'timeout' | 'error' | 'malformed' | 'not_mapped';

/** A field as shown: `date` an ISO date, `money` a number (with its currency), `list` strings. */
export interface ShownField {
  label: LocalizedText;
  format: FieldFormat;
  value: string | number | string[] | null;
  currency?: string;
}

export interface SourceAnswer {
  status: SourceStatus;
  fields: ShownField[];
  /** When the answer was fetched (a cached answer keeps its time). */
  fetchedAt: string;
  cached: boolean;
  /** Why a source is not `ok`, in words an agent can pass on. */
  message?: string;
}

/** What a connector looks up by: the customer's id in its system, or the asset's serial number. */
export type LookupKeys = Partial<Record<'externalId' | 'serial', string>>;

/**
 * The connector port: looks a customer or an asset up in one external system and returns the fields
 * its configuration names. Never throws for what the other system does (slow, failing, odd answers):
 * that is the answer's status.
 */
export interface CustomerLookup {
  look(
    connector: Connector,
    keys: LookupKeys,
    options: { refresh: boolean; configVersion: number },
  ): Promise<SourceAnswer>;
  /** What this runtime refuses in a configuration (URLs it will not call, paths it cannot read, secret refs). */
  problems(config: ConnectorsConfigParsed): FieldIssue[];
}

/** Where a connector's auth header comes from. */
export interface ConnectorSecrets {
  read(ref: string): Promise<string | undefined>;
}
