import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { ExportRunner } from '../../domain/export/export.ports.ts';

/** What the export worker (functions/export-run) is invoked with. */
export interface ExportRunEvent {
  exportId: string;
}

/**
 * Starts an export in AWS: an asynchronous invocation of the export worker, so `POST /exports` answers
 * at once and the file is written within the worker's own timeout (15 minutes), not API Gateway's 30
 * seconds. Lambda queues the event and retries it twice on failure; the worker leaves a finished job as
 * it is, so a retry writes nothing twice.
 */
export function lambdaExportRunner(client: LambdaClient, functionName: string): ExportRunner {
  return {
    async start(exportId) {
      const event: ExportRunEvent = { exportId };
      await client.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(JSON.stringify(event)),
        }),
      );
    },
  };
}
