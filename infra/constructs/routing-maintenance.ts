import { Duration } from 'aws-cdk-lib';
import { type IEventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { functionEntry } from '../bundling.ts';
import { GongdanFunction, type TableBinding } from './gongdan-function.ts';

export interface RoutingMaintenanceProps {
  tickets: TableBinding;
  bus: IEventBus;
  /** The SLA timer: an assignment recomputes the ticket's SLA and may restart its timer. */
  slaTimer: StateMachine;
  logRetention: RetentionDays;
}

/**
 * Routing maintenance (docs/routing.md "Sweep and reconciler"): `functions/routing-sweep`, run every
 * minute by an EventBridge schedule on the default bus. It writes tickets and agents (table read-write),
 * publishes `ticket.assigned` on the Gongdan bus and starts/stops SLA timers like any ticket writer.
 * Neither the schedule nor Lambda retries a failed run: the next minute's run is the retry, and runs
 * that overlap are safe (conditional claims and writes).
 */
export class RoutingMaintenance extends Construct {
  readonly sweep: GongdanFunction;
  readonly schedule: Rule;

  constructor(scope: Construct, id: string, props: RoutingMaintenanceProps) {
    super(scope, id);
    this.sweep = new GongdanFunction(this, 'Sweep', {
      entry: functionEntry('routing-sweep'),
      description: 'Every minute: release orphaned agent claims, assign queued tickets that can now be',
      logRetention: props.logRetention,
      // The run stops taking new work 15 s before this.
      timeout: Duration.seconds(60),
    })
      .bindTable(props.tickets, 'write')
      .bindEventBus(props.bus, { publish: true })
      .bindSlaTimer(props.slaTimer, { start: true });
    this.sweep.configureAsyncInvoke({ retryAttempts: 0 });

    this.schedule = new Rule(this, 'Schedule', {
      description: 'Routing maintenance: reconcile agent claims, sweep the team queues',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.sweep, { retryAttempts: 0 })],
    });
  }
}
