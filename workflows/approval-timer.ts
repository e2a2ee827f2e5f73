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

/** State names, which are also the keys of the local executor's overrides. */
export const approvalTimerStates = {
  compute: 'ComputeDelegationDeadline',
  choice: 'DeadlineAhead',
  wait: 'WaitForDeadline',
  evaluate: 'DelegateOverdueApprovers',
  done: 'TimerDone',
  alert: 'AlertTimerFailure',
  backoff: 'BackOffAfterFailure',
  countFailure: 'CountFailure',
  giveUp: 'TooManyFailures',
  degraded: 'RecordTimerDegraded',
  gaveUp: 'TimerGaveUp',
} as const satisfies CheckpointTimerStates;

export const approvalTimerComment =
  'Gongdan approval timer: hands an overdue approver’s decision to their delegate.';

/** The EventBridge detail-type of the alert sent when a step fails after its retries. */
export const approvalTimerFailedDetailType = 'approval.timer_failed';

export interface ApprovalTimerDefinitionProps {
  /** Runs ComputeDelegationDeadline (`functions/approval-deadline`). */
  deadlineFunction: IFunction;
  /** Runs DelegateOverdueApprovers (`functions/approval-delegate`). */
  delegateFunction: IFunction;
  alertBus: IEventBus;
  retryAttempts?: number;
  failureBackoff?: Duration;
}

/**
 * The approval timer, one execution per approval stage (docs/collaboration.md), a checkpoint timer:
 *
 * (start) → DeadlineAhead? ─ done ─→ TimerDone
 *     no $.timer → ComputeDelegationDeadline ─→ DeadlineAhead?
 *                                  │ no
 *                                  ↓
 *                             WaitForDeadline (TimestampPath $.timer.waitUntil)
 *                                  ↓
 *                             DelegateOverdueApprovers ─→ DeadlineAhead? (loop)
 *
 * The deadline is the stage's start (or an approver's assignment) plus the delegation time in business
 * hours; an approver who has not decided by then is replaced by their delegate, who gets a deadline of
 * their own. The timer ends when the stage is decided or nobody left has a delegate.
 */
export function buildApprovalTimerDefinition(
  scope: Construct,
  props: ApprovalTimerDefinitionProps,
): IChainable {
  const input = { approvalId: JsonPath.stringAt('$.approvalId'), stage: JsonPath.numberAt('$.stage') };
  return buildCheckpointTimerDefinition(scope, {
    states: approvalTimerStates,
    computeFunction: props.deadlineFunction,
    evaluateFunction: props.delegateFunction,
    request: input,
    comments: {
      compute: 'When does the first pending approver of this stage run out of time?',
      evaluate: 'Replace overdue approvers by their delegates (idempotent); next deadline.',
      done: 'Stage decided, approval closed, or no pending approver has a delegate.',
      wait: 'Until the next delegation deadline: no polling.',
    },
    alertBus: props.alertBus,
    alertDetailType: approvalTimerFailedDetailType,
    alertDetail: input,
    ...(props.retryAttempts !== undefined ? { retryAttempts: props.retryAttempts } : {}),
    ...(props.failureBackoff !== undefined ? { failureBackoff: props.failureBackoff } : {}),
  });
}

/** The approval timer's ASL as the stack deploys it, for the local executor and the tests. */
export function synthesizeApprovalTimerAsl(): AslDefinition {
  return synthesizeStateMachineAsl((stack, arnOf) => {
    const fn = (id: string, name: string) => LambdaFunction.fromFunctionArn(stack, id, arnOf(name));
    new StateMachine(stack, 'ApprovalTimer', {
      stateMachineType: StateMachineType.STANDARD,
      comment: approvalTimerComment,
      definitionBody: DefinitionBody.fromChainable(
        buildApprovalTimerDefinition(stack, {
          deadlineFunction: fn('Deadline', 'gongdan-approval-deadline'),
          delegateFunction: fn('Delegate', 'gongdan-approval-delegate'),
          alertBus: EventBus.fromEventBusName(stack, 'Bus', 'gongdan'),
        }),
      ),
    });
  });
}
