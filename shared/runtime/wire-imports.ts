import { dynamoImportStore } from '../adapters/dynamo/dynamo-import-store.ts';
import type { ImportFiles, ImportRunner } from '../domain/import-job/import.ports.ts';
import type { TicketDeps } from '../use-cases/deps.ts';
import type { ImportDeps } from '../use-cases/import-tickets.ts';
import { type EnvSource, env, readEnv } from './env.ts';
import type { Platform } from './platform.ts';

/** What the import functions read besides the tickets' variables. */
export const importsEnv = {
  tableName: env.tableName,
  eventBusName: env.eventBusName,
  importBucket: env.importBucket,
  importStateMachineArn: env.importStateMachineArn,
  importBatchSize: env.importBatchSize,
};

/**
 * The imports capability (docs/import.md): import records in the one table, the files (S3 in AWS,
 * the data dir locally), the runner (Step Functions in AWS, in process locally), `import.completed`
 * on the bus.
 */
export function wireImports(
  source: EnvSource,
  platform: Platform,
  tickets: TicketDeps,
  edges: {
    files: (bucket: string) => ImportFiles;
    runner: (stateMachineArn: string) => ImportRunner;
  },
): ImportDeps {
  const { tableName, eventBusName, importBucket, importStateMachineArn, importBatchSize } = readEnv(
    importsEnv,
    source,
  );
  return {
    ...tickets,
    imports: dynamoImportStore(platform.dynamo, tableName),
    importFiles: edges.files(importBucket),
    importRunner: importStateMachineArn
      ? edges.runner(importStateMachineArn)
      : {
          start: async () => {
            throw new Error('This function does not start import runs (IMPORT_STATE_MACHINE_ARN is not set)');
          },
        },
    importEvents: platform.eventBus(eventBusName),
    importBatchSize,
  };
}
