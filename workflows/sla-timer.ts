import type { Duration } from 'aws-cdk-lib';
import { EventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import { type IFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import {
  DefinitionBody,
  type IChainable,
  JsonPath,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import {
  type AslDefinition,
  buildCheckpointTimerDefinition,
  type CheckpointTimerStates,
  synthesizeStateMachineAsl,
} from './checkpoint-timer.ts';

export type { AslDefinition } from './checkpoint-timer.ts';

/**
 * State names, which are also the keys of the local executor's overrides. Kept short and stable:
 * renaming one changes the ASL, the tests and the local runtime's bindings.
 */
export const slaTimerStates = {
  compute: 'ComputeCheckpoint',
  choice: 'CheckpointAhead',
  wait: 'WaitForCheckpoint',
  evaluate: 'EvaluateCheckpoint',
  done: 'TimerDone',
  alert: 'AlertTimerFailure',
  backoff: 'BackOffAfterFailure',
} as const satisfies CheckpointTimerStates;

/** The EventBridge detail-type of the alert sent when a timer step fails after its retries. */
export const slaTimerFailedDetailType = 'sla.timer_failed';

export interface SlaTimerDefinitionProps {
  /** Runs ComputeCheckpoint (`functions/sla-checkpoint`). */
  checkpointFunction: IFunction;
  /** Runs EvaluateCheckpoint (`functions/sla-evaluate`). */
  evaluateFunction: IFunction;
  /** Where `sla.timer_failed` alerts go (source `gongdan`). */
  alertBus: IEventBus;
  /** Retries of a failed step before it alerts. @default 3 */
  retryAttempts?: number;
  /** Wait after an alert before evaluating again. @default 5 minutes */
  failureBackoff?: Duration;
}

/**
 * The per-ticket SLA timer, a checkpoint timer (`checkpoint-timer.ts`):
 *
 * ComputeCheckpoint → CheckpointAhead? ─ done ─→ TimerDone
 *                          │ no
 *                          ↓
 *                     WaitForCheckpoint (TimestampPath $.timer.waitUntil)
 *                          ↓
 *                     EvaluateCheckpoint ─→ CheckpointAhead? (loop)
 *
 * A failed step alerts (`sla.timer_failed`) and retries for ever; it never ends the timer. The state
 * carries only `{ticketId, version}`, `timer` (the last step's result) and, after a failure, `failure`.
 */
export function buildSlaTimerDefinition(scope: Construct, props: SlaTimerDefinitionProps): IChainable {
  return buildCheckpointTimerDefinition(scope, {
    states: slaTimerStates,
    computeFunction: props.checkpointFunction,
    evaluateFunction: props.evaluateFunction,
    request: { ticketId: JsonPath.stringAt('$.ticketId'), version: JsonPath.numberAt('$.version') },
    comments: {
      compute: 'When must the timer wake next?',
      evaluate: 'Apply what is due (idempotent); next checkpoint.',
      done: 'Resolved, closed, paused, superseded or nothing left.',
      wait: 'Until the next warning, breach or escalation level: no polling.',
    },
    alertBus: props.alertBus,
    alertDetailType: slaTimerFailedDetailType,
    alertDetail: { ticketId: JsonPath.stringAt('$.ticketId'), version: JsonPath.numberAt('$.version') },
    ...(props.retryAttempts !== undefined ? { retryAttempts: props.retryAttempts } : {}),
    ...(props.failureBackoff !== undefined ? { failureBackoff: props.failureBackoff } : {}),
  });
}

export interface SlaTimerStateMachineProps extends SlaTimerDefinitionProps {
  stateMachineName?: string;
}

/** The timer as a Standard state machine (one long-lived execution per ticket). */
export function slaTimerStateMachine(
  scope: Construct,
  id: string,
  props: SlaTimerStateMachineProps,
): StateMachine {
  return new StateMachine(scope, id, {
    stateMachineName: props.stateMachineName,
    stateMachineType: StateMachineType.STANDARD,
    comment: 'Gongdan SLA timer: waits until each checkpoint, then warns, records breaches and escalates.',
    definitionBody: DefinitionBody.fromChainable(buildSlaTimerDefinition(scope, props)),
  });
}

export interface SynthesizeOptions {
  region?: string;
  account?: string;
  /** Function names as the ARNs in the definition should show them. */
  checkpointFunctionName?: string;
  evaluateFunctionName?: string;
  busName?: string;
  failureBackoff?: Duration;
  retryAttempts?: number;
}

/**
 * Synthesizes the timer in a throwaway stack (imported functions and bus, so no bundling) and returns
 * its ASL, as CloudFormation would deploy it: the definition the local runtime and the workflow tests
 * execute, never a hand-written copy.
 */
export function synthesizeSlaTimerAsl(options: SynthesizeOptions = {}): AslDefinition {
  return synthesizeStateMachineAsl(
    (stack, arnOf) => {
      const fn = (id: string, name: string) => LambdaFunction.fromFunctionArn(stack, id, arnOf(name));
      slaTimerStateMachine(stack, 'SlaTimer', {
        checkpointFunction: fn('Checkpoint', options.checkpointFunctionName ?? 'gongdan-sla-checkpoint'),
        evaluateFunction: fn('Evaluate', options.evaluateFunctionName ?? 'gongdan-sla-evaluate'),
        alertBus: EventBus.fromEventBusName(stack, 'Bus', options.busName ?? 'gongdan'),
        failureBackoff: options.failureBackoff,
        retryAttempts: options.retryAttempts,
      });
    },
    {
      ...(options.region ? { region: options.region } : {}),
      ...(options.account ? { account: options.account } : {}),
    },
  );
}
