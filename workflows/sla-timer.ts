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
  countFailure: 'CountFailure',
  giveUp: 'TooManyFailures',
  degraded: 'RecordTimerDegraded',
  gaveUp: 'TimerGaveUp',
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
  /** Failed steps an execution survives before it gives up. @default 6 */
  maxFailures?: number;
  /** Runs RecordTimerDegraded (`functions/sla-timer-degraded`): the ticket shows its timer gave up. */
  degradedFunction?: IFunction;
}

/**
 * The per-ticket SLA timer, a checkpoint timer (`checkpoint-timer.ts`):
 *
 *          (start: $.timer from the API) → CheckpointAhead? ─ done ─→ TimerDone
 *   ComputeCheckpoint ←── no $.timer ──────┘     │ no
 *                                                ↓
 *                                  WaitForCheckpoint (TimestampPath $.timer.waitUntil)
 *                                                ↓
 *                                  EvaluateCheckpoint ─→ CheckpointAhead? (loop)
 *
 * The reaction that starts it passes the first checkpoint the write path computed, so an execution
 * begins waiting at once. A failed step alerts (`sla.timer_failed`) and is evaluated again after a
 * back-off, at most `maxFailures` times; then RecordTimerDegraded marks the ticket and the execution
 * fails (TimerGaveUp) for the reconciler (`functions/sla-reconcile`) to restart once the fault clears.
 * The state carries `{ticketId, version}`, `failures`, `timer` (the last step's result) and, after a
 * failure, `failure`.
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
    ...(props.maxFailures !== undefined ? { maxFailures: props.maxFailures } : {}),
    ...(props.degradedFunction ? { degradedFunction: props.degradedFunction } : {}),
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
  degradedFunctionName?: string;
  busName?: string;
  maxFailures?: number;
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
        degradedFunction: fn('Degraded', options.degradedFunctionName ?? 'gongdan-sla-timer-degraded'),
        alertBus: EventBus.fromEventBusName(stack, 'Bus', options.busName ?? 'gongdan'),
        failureBackoff: options.failureBackoff,
        retryAttempts: options.retryAttempts,
        maxFailures: options.maxFailures,
      });
    },
    {
      ...(options.region ? { region: options.region } : {}),
      ...(options.account ? { account: options.account } : {}),
    },
  );
}
