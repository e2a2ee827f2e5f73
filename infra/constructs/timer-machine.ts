import { type CfnElement, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  DefinitionBody,
  type IChainable,
  LogLevel,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { acknowledgeResourceWildcard } from './acknowledgements.ts';
import type { GongdanFunction } from './gongdan-function.ts';

/** What CDK grants a state machine with logging and tracing on Resource "*" (no resource-level permissions). */
const stateMachineWildcardActions = [
  'logs:CreateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:DescribeLogGroups',
  'logs:DescribeResourcePolicies',
  'logs:GetLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:UpdateLogDelivery',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'xray:PutTelemetryRecords',
  'xray:PutTraceSegments',
];

/**
 * A timer's Standard state machine in `scope` (ids `ExecutionLogs` and `StateMachine`): every event
 * logged without execution data (no ticket content in logs), traced with X-Ray, and the two cdk-nag
 * findings a LambdaInvoke task and logging/tracing always raise acknowledged with their reasons.
 */
export function timerStateMachine(
  scope: Construct,
  props: {
    comment: string;
    definition: IChainable;
    tasks: readonly GongdanFunction[];
    logRetention: RetentionDays;
  },
): { stateMachine: StateMachine; logGroup: LogGroup } {
  const logGroup = new LogGroup(scope, 'ExecutionLogs', {
    retention: props.logRetention,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const stateMachine = new StateMachine(scope, 'StateMachine', {
    stateMachineType: StateMachineType.STANDARD,
    comment: props.comment,
    definitionBody: DefinitionBody.fromChainable(props.definition),
    logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
    tracingEnabled: true,
  });

  const stack = Stack.of(scope);
  const fnId = (fn: GongdanFunction) => stack.getLogicalId(fn.node.defaultChild as CfnElement);
  for (const fn of props.tasks) {
    Validations.of(stateMachine.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${fnId(fn)}.Arn>:*]`,
      reason:
        "CDK's LambdaInvoke grants lambda:InvokeFunction on the function and its versions and aliases " +
        '(<arn>:*), so a task keeps working if it is pointed at a published version; one function only.',
    });
  }
  acknowledgeResourceWildcard(stateMachine.role, {
    actions: stateMachineWildcardActions,
    reason:
      'Logging to CloudWatch (logs:CreateLogDelivery and the other log-delivery actions) and X-Ray ' +
      'tracing (xray:PutTraceSegments and friends) support no resource-level permissions: AWS requires "*"',
  });
  return { stateMachine, logGroup };
}
