import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { buildSlaTimerDefinition } from '#workflows/sla-timer.ts';
import { functionEntry } from '../bundling.ts';
import { GongdanFunction, type ObservabilitySettings, type TableBinding } from './gongdan-function.ts';

export interface SlaTimerProps {
  tickets: TableBinding;
  /** Where the state machine puts `sla.timer_failed`. */
  bus: IEventBus;
  logRetention: RetentionDays;
  observability: ObservabilitySettings;
  /** How SLA messages are written: links, the on-call line, the zone times are shown in. */
  messages: { linkBase: string; onCallEmail?: string; onCallPhone?: string; displayTimeZone?: string };
}

/**
 * The SLA timer (docs/sla.md): the two task Lambdas and the Standard state machine built from
 * `buildSlaTimerDefinition` — the same definition the local runtime synthesizes and runs.
 *
 * - ComputeCheckpoint (`functions/sla-checkpoint`) only reads the table.
 * - EvaluateCheckpoint (`functions/sla-evaluate`) writes the ticket, its history and the record of what
 *   follows (the `sla.*` events, the rendered warnings and escalations) through the one write path; the
 *   dispatcher publishes and sends them. It has the table and nothing else.
 * - The state machine logs every event (without execution data: no ticket content in logs) and is
 *   traced with X-Ray; it may invoke the two functions and put `sla.timer_failed` on the bus.
 */
export class SlaTimer extends Construct {
  readonly checkpoint: GongdanFunction;
  readonly evaluate: GongdanFunction;
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: SlaTimerProps) {
    super(scope, id);
    this.checkpoint = new GongdanFunction(this, 'Checkpoint', {
      entry: functionEntry('sla-checkpoint'),
      kind: 'slaCheckpoint',
      description: 'SLA timer: when must the timer wake next?',
      logRetention: props.logRetention,
      observability: props.observability,
      timeout: Duration.seconds(20),
    }).bindTable(props.tickets, 'read');

    this.evaluate = new GongdanFunction(this, 'Evaluate', {
      entry: functionEntry('sla-evaluate'),
      kind: 'slaEvaluate',
      description: 'SLA timer: warn, record breaches, escalate (idempotent); next checkpoint',
      logRetention: props.logRetention,
      observability: props.observability,
      timeout: Duration.seconds(25),
      environment: {
        slaTicketLinkBase: props.messages.linkBase,
        slaOnCallEmail: props.messages.onCallEmail,
        slaOnCallPhone: props.messages.onCallPhone,
        slaDisplayTimeZone: props.messages.displayTimeZone,
      },
    }).bindTable(props.tickets, 'write');

    this.logGroup = new LogGroup(this, 'ExecutionLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      comment: 'Gongdan SLA timer: waits until each checkpoint, then warns, records breaches and escalates.',
      definitionBody: DefinitionBody.fromChainable(
        buildSlaTimerDefinition(this, {
          checkpointFunction: this.checkpoint,
          evaluateFunction: this.evaluate,
          alertBus: props.bus,
        }),
      ),
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });

    const stack = Stack.of(this);
    const fnId = (fn: GongdanFunction) => stack.getLogicalId(fn.node.defaultChild as CfnElement);
    for (const fn of [this.checkpoint, this.evaluate]) {
      Validations.of(this.stateMachine.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${fnId(fn)}.Arn>:*]`,
        reason:
          "CDK's LambdaInvoke grants lambda:InvokeFunction on the function and its versions and aliases " +
          '(<arn>:*), so a task keeps working if it is pointed at a published version; one function only.',
      });
    }
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Logging to CloudWatch (logs:CreateLogDelivery and the other log-delivery actions) and X-Ray ' +
        'tracing (xray:PutTraceSegments and friends) support no resource-level permissions: AWS requires "*".',
    });
  }
}
