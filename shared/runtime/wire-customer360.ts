import { restCustomerLookup } from '../adapters/connectors/rest-customer-lookup.ts';
import {
  dynamoConnectorsConfigStore,
  dynamoCustomerMappingStore,
} from '../adapters/dynamo/dynamo-customer360-store.ts';
import type { ConnectorSecrets } from '../domain/customer360/customer-lookup.ts';
import type { Customer360Services } from '../use-cases/customer-360.ts';
import { type EnvSource, env, readEnv } from './env.ts';
import type { Platform } from './platform.ts';

/**
 * Customer 360 (docs/integrations.md): the connectors' configuration and the id mappings on the ticket
 * table, and the REST connector with the secrets of where it runs. `allowLoopbackHttp` only in the
 * local runtime.
 */
export function wireCustomer360(
  source: EnvSource,
  platform: Pick<Platform, 'dynamo' | 'clock' | 'logger'>,
  edges: {
    secrets: ConnectorSecrets;
    allowLoopbackHttp: boolean;
    secretRefProblem?: (ref: string) => string | null;
  },
): Customer360Services {
  const { tableName } = readEnv({ tableName: env.tableName }, source);
  return {
    config: dynamoConnectorsConfigStore(platform.dynamo, tableName),
    mappings: dynamoCustomerMappingStore(platform.dynamo, tableName),
    lookup: restCustomerLookup({
      secrets: edges.secrets,
      clock: platform.clock,
      logger: platform.logger,
      allowLoopbackHttp: edges.allowLoopbackHttp,
      ...(edges.secretRefProblem ? { secretRefProblem: edges.secretRefProblem } : {}),
    }),
  };
}
