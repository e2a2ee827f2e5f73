import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  ApprovalTimerInput,
  type ApprovalTimerStarter,
  approvalExecutionName,
  approvalTimerExecutionInput,
} from '../../domain/approval/delegation.ts';
import type { Logger } from '../../domain/ports.ts';

/**
 * The approval timer on AWS Step Functions: one execution per approval stage, named
 * `approval-<id>-s<stage>`, so a repeated start (a retried reaction, a replayed record) finds the name
 * used and is success. Nothing stops it: it ends itself at its next step once the stage is decided.
 */
export function sfnApprovalTimer(
  client: SFNClient,
  stateMachineArn: string,
  logger?: Logger,
): ApprovalTimerStarter {
  return {
    async start(input) {
      const parsed = ApprovalTimerInput.parse(input);
      const executionName = approvalExecutionName(parsed);
      try {
        await client.send(
          new StartExecutionCommand({
            stateMachineArn,
            name: executionName,
            input: JSON.stringify(approvalTimerExecutionInput(parsed)),
          }),
        );
      } catch (error) {
        if (!(error instanceof ExecutionAlreadyExists)) throw error;
        logger?.info('approval.timer_already_started', { executionName });
      }
      return { executionName };
    },
  };
}
