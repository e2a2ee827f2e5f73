import { Duration } from 'aws-cdk-lib';
import { type IEventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { buildSlaTimerDefinition } from '#workflows/sla-timer.ts';
import { functionEntry } from '../bundling.ts';
import { GongdanFunction, type ObservabilitySettings, type TableBinding } from './gongdan-function.ts';
import { timerStateMachine } from './timer-machine.ts';

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
 * - RecordTimerDegraded (`functions/sla-timer-degraded`) marks the ticket when the timer gives up.
 * - The reconciler (`functions/sla-reconcile`, every 15 minutes) restarts timers missing or given up.
 * - The state machine logs every event (without execution data: no ticket content in logs) and is
 *   traced with X-Ray; it may invoke the two functions and put `sla.timer_failed` on the bus.
 */
export class SlaTimer extends Construct {
  readonly checkpoint: GongdanFunction;
  readonly evaluate: GongdanFunction;
  readonly degraded: GongdanFunction;
  readonly reconcile: GongdanFunction;
  readonly reconcileSchedule: Rule;
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

    this.degraded = new GongdanFunction(this, 'Degraded', {
      entry: functionEntry('sla-timer-degraded'),
      kind: 'slaTimerDegraded',
      description: 'SLA timer: record on the ticket that its timer gave up after repeated failures',
      logRetention: props.logRetention,
      observability: props.observability,
      timeout: Duration.seconds(20),
    }).bindTable(props.tickets, 'write');

    ({ stateMachine: this.stateMachine, logGroup: this.logGroup } = timerStateMachine(this, {
      comment: 'Gongdan SLA timer: waits until each checkpoint, then warns, records breaches and escalates.',
      definition: buildSlaTimerDefinition(this, {
        checkpointFunction: this.checkpoint,
        evaluateFunction: this.evaluate,
        degradedFunction: this.degraded,
        alertBus: props.bus,
      }),
      tasks: [this.checkpoint, this.evaluate, this.degraded],
      logRetention: props.logRetention,
    }));

    // The reconciler: lists the running executions and restarts missing or failed timers through the
    // write path (the dispatcher starts them), so it needs the table and ListExecutions, nothing more.
    this.reconcile = new GongdanFunction(this, 'Reconcile', {
      entry: functionEntry('sla-reconcile'),
      kind: 'slaReconcile',
      description: 'Every 15 minutes: restart SLA timers that are missing or gave up',
      logRetention: props.logRetention,
      observability: props.observability,
      // The run stops restoring 20 s before this.
      timeout: Duration.minutes(5),
      environment: { slaTimerArn: this.stateMachine.stateMachineArn },
    }).bindTable(props.tickets, 'write');
    this.reconcile.addToRolePolicy(
      new PolicyStatement({
        actions: ['states:ListExecutions'],
        resources: [this.stateMachine.stateMachineArn],
      }),
    );
    this.reconcile.configureAsyncInvoke({ retryAttempts: 0 });
    this.reconcileSchedule = new Rule(this, 'ReconcileSchedule', {
      description: 'SLA timer reconciler: restart timers that are missing or gave up',
      schedule: Schedule.rate(Duration.minutes(15)),
      targets: [new LambdaFunction(this.reconcile, { retryAttempts: 0 })],
    });
  }
}
