import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ImportRunner } from '../../domain/import-job/import.ports.ts';

/**
 * Starts an import's run as an execution of the import state machine (infra/constructs/imports.ts):
 * prepare, a Distributed Map over the chunk manifest, finish. The execution name carries the import
 * and the moment asked, so a request retried within the same second starts one run.
 */
export function sfnImportRunner(client: SFNClient, stateMachineArn: string, now: () => Date): ImportRunner {
  return {
    async start(importId, phase) {
      const stamp = now()
        .toISOString()
        .replace(/[^0-9]/g, '')
        .slice(0, 14);
      try {
        await client.send(
          new StartExecutionCommand({
            stateMachineArn,
            name: `${importId}-${phase}-${stamp}`,
            input: JSON.stringify({ importId, phase }),
          }),
        );
      } catch (error) {
        if (error instanceof ExecutionAlreadyExists) return;
        throw error;
      }
    },
  };
}
