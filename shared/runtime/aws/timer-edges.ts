import { SFNClient } from '@aws-sdk/client-sfn';
import { sfnWorkflowStarter } from '../../adapters/sfn/sfn-workflow-starter.ts';
import type { AwsEdges } from '../aws-platform.ts';

/** Step Functions for the SLA timer alone: what the reconciler reaches (it lists running executions). */
export const slaTimerEdges: AwsEdges = {
  stateMachine: (ctx) => {
    let client: SFNClient | undefined;
    return (arn) => {
      client ??= ctx.trace(new SFNClient({}));
      return sfnWorkflowStarter(client, arn, ctx.logger);
    };
  },
};
