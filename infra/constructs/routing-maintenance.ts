import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { functionEntry } from '../bundling.ts';
import { GongdanFunction, type ObservabilitySettings, type TableBinding } from './gongdan-function.ts';

export interface RoutingMaintenanceProps {
  tickets: TableBinding;
  logRetention: RetentionDays;
  observability: ObservabilitySettings;
}

/**
 * Routing maintenance (docs/routing.md "Sweep and reconciler"): `functions/routing-sweep`, run every
 * minute by an EventBridge schedule on the default bus. It writes tickets and agents (table read-write);
 * what follows its assignments (`ticket.assigned`, the SLA timer) is the dispatcher's, as for any writer.
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
      kind: 'routingSweep',
      description: 'Every minute: release orphaned agent claims, assign queued tickets that can now be',
      logRetention: props.logRetention,
      observability: props.observability,
      // The run stops taking new work 15 s before this.
      timeout: Duration.seconds(60),
    }).bindTable(props.tickets, 'write');
    this.sweep.configureAsyncInvoke({ retryAttempts: 0 });

    this.schedule = new Rule(this, 'Schedule', {
      description: 'Routing maintenance: reconcile agent claims, sweep the team queues',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.sweep, { retryAttempts: 0 })],
    });
  }
}
