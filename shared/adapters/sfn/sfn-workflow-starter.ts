import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ListExecutionsCommand,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { Logger } from '../../domain/ports.ts';
import {
  awsTimerWall,
  SlaTimerStart,
  slaExecutionName,
  slaTimerExecutionInput,
  type WorkflowStarter,
} from '../../domain/sla/timer.ts';

/** `arn:…:stateMachine:<name>` → `arn:…:execution:<name>:<execution>`: an execution's ARN is its name. */
export function executionArn(stateMachineArn: string, executionName: string): string {
  const parts = stateMachineArn.split(':');
  if (parts[5] !== 'stateMachine' || parts.length < 7)
    throw new Error(`not a state machine ARN: ${stateMachineArn}`);
  return [...parts.slice(0, 5), 'execution', parts[6], executionName].join(':');
}

/**
 * The SLA timer on AWS Step Functions (a Standard state machine, one execution per ticket and version).
 *
 * - `start` names the execution `slaExecutionName(ticketId, version)`. A name already used means this
 *   version was started before (a retried request, a replayed event): `ExecutionAlreadyExists` is success.
 * - `stop(ticketId, version)` stops that version's execution by its ARN, derived from its name — no
 *   listing; an execution that does not exist (never started, already gone) is fine. Without a version
 *   it lists the running executions and stops the ticket's.
 */
export function sfnWorkflowStarter(
  client: SFNClient,
  stateMachineArn: string,
  logger?: Logger,
): WorkflowStarter {
  const stopExecution = async (name: string) => {
    try {
      await client.send(
        new StopExecutionCommand({
          executionArn: executionArn(stateMachineArn, name),
          error: 'SLA.TIMER_SUPERSEDED',
          cause: 'The ticket changed: a newer timer version replaces this one, or none is needed.',
        }),
      );
    } catch (error) {
      if (!(error instanceof ExecutionDoesNotExist)) throw error;
    }
  };

  return {
    async start(ticketId, version, input) {
      const executionName = slaExecutionName(ticketId, version);
      try {
        await client.send(
          new StartExecutionCommand({
            stateMachineArn,
            name: executionName,
            // With the first checkpoint the write path computed, the execution starts waiting at once.
            input: JSON.stringify(slaTimerExecutionInput(SlaTimerStart.parse(input), awsTimerWall)),
          }),
        );
      } catch (error) {
        if (!(error instanceof ExecutionAlreadyExists)) throw error;
        logger?.info('sla.timer_already_started', { ticketId, executionName });
      }
      return { executionName };
    },

    async runningExecutions() {
      const names = new Set<string>();
      let nextToken: string | undefined;
      do {
        const page = await client.send(
          new ListExecutionsCommand({
            stateMachineArn,
            statusFilter: 'RUNNING',
            maxResults: 1000,
            nextToken,
          }),
        );
        for (const execution of page.executions ?? []) if (execution.name) names.add(execution.name);
        nextToken = page.nextToken;
      } while (nextToken);
      return names;
    },

    async stop(ticketId, version) {
      if (version !== undefined) return stopExecution(slaExecutionName(ticketId, version));
      const prefix = slaExecutionName(ticketId, 0).replace(/0$/, '');
      let nextToken: string | undefined;
      do {
        const page = await client.send(
          new ListExecutionsCommand({
            stateMachineArn,
            statusFilter: 'RUNNING',
            maxResults: 1000,
            nextToken,
          }),
        );
        for (const execution of page.executions ?? []) {
          const name = execution.name ?? '';
          if (name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length))) await stopExecution(name);
        }
        nextToken = page.nextToken;
      } while (nextToken);
    },
  };
}
