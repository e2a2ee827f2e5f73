import { type Duration, Stack } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

export interface GongdanEventBusProps {
  archiveRetention: Duration;
}

/**
 * The integration bus: Gongdan publishes `ticket.*` / `sla.*` events with source `gongdan`, and external
 * systems put `ticket.*.requested` events. Every event on it is archived so consumers can be replayed
 * (they are idempotent by design).
 */
export class GongdanEventBus extends Construct {
  readonly bus: EventBus;

  constructor(scope: Construct, id: string, props: GongdanEventBusProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', {
      description: 'Gongdan ticket and SLA events',
      // Bus names are unique in an account and region; the stack name carries the stage (dev, prod).
      eventBusName: `${Stack.of(this).stackName}-Events`,
    });
    this.bus.archive('Archive', {
      description: 'Every event on the Gongdan bus, for replay',
      // An archive needs a pattern; the account matches every event put on this bus.
      eventPattern: { account: [Stack.of(this).account] },
      retention: props.archiveRetention,
    });
  }
}
