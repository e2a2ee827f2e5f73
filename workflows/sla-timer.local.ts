import {
  type SlaTimerStart,
  slaExecutionName,
  slaTimerExecutionInput,
  type TimerWall,
  type WorkflowStarter,
} from '#shared/domain/sla/timer.ts';
import {
  type LocalExecution,
  type LocalTimer,
  type LocalTimerOptions,
  localTimer,
} from './checkpoint-timer.local.ts';
import { slaTimerStates, synthesizeSlaTimerAsl } from './sla-timer.ts';

export {
  ExecutionAlreadyExists,
  type LocalExecution,
  type LocalTimerEvent,
  type LocalTimerHandlers as LocalSlaTimerHandlers,
  transitionsOf,
} from './checkpoint-timer.local.ts';

export type LocalSlaTimerOptions = Omit<LocalTimerOptions, 'definition' | 'states'> & {
  /** @default the synthesized definition */
  definition?: LocalTimerOptions['definition'];
  /** How a started timer's first checkpoint becomes its Wait timestamp. @default system time, ms precision */
  wall?: TimerWall;
};

export interface LocalSlaTimer extends WorkflowStarter {
  readonly executions: readonly LocalExecution[];
  /** The ticket's running execution, if any. */
  running(ticketId: string): LocalExecution | undefined;
  /** Resolves when no execution is running (including ones started meanwhile). */
  idle(): Promise<void>;
}

/**
 * The SLA timer on aws-local-stepfunctions, behind the same `WorkflowStarter` port as Step Functions:
 * one execution per ticket and version, named like in AWS, stoppable by ticket. Used by the workflow
 * tests and the local runtime.
 */
export function localSlaTimer(options: LocalSlaTimerOptions): LocalSlaTimer {
  const timer: LocalTimer = localTimer({
    ...options,
    definition: options.definition ?? synthesizeSlaTimerAsl(),
    states: slaTimerStates,
  });
  return {
    start: (ticketId: string, version: number, input: SlaTimerStart) =>
      timer.start(
        slaExecutionName(ticketId, version),
        ticketId,
        version,
        slaTimerExecutionInput(input, options.wall ?? { waitPrecisionMs: 1 }),
      ),
    stop: (ticketId: string) => timer.stop(ticketId),
    runningExecutions: async () =>
      new Set(timer.executions.filter((e) => e.status === 'running').map((e) => e.name)),
    running: (ticketId) => timer.running(ticketId),
    idle: () => timer.idle(),
    get executions() {
      return timer.executions;
    },
  };
}
