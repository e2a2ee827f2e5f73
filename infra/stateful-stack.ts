import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { ticketTable } from '#shared/adapters/dynamo/table-design.ts';
import { GongdanEventBus } from './constructs/event-bus.ts';
import type { TableBinding } from './constructs/gongdan-function.ts';
import { MailStore } from './constructs/mail-store.ts';
import { TicketData } from './constructs/ticket-data.ts';
import type { GongdanSettings } from './settings.ts';

export interface StatefulStackProps extends StackProps {
  settings: GongdanSettings;
}

/**
 * What holds data: the ticket table (and its key), the event bus with its archive, and the mail bucket
 * (raw inbound mail, attachments). Deployed apart
 * from the stateless stack so code can be redeployed, or that stack replaced, without touching data.
 */
export class StatefulStack extends Stack {
  readonly tickets: TableBinding;
  readonly bus: IEventBus;
  /** Raw inbound mail and ticket attachments. */
  readonly mail: MailStore;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const data = new TicketData(this, 'TicketData', { design: ticketTable });
    const events = new GongdanEventBus(this, 'Events', {
      archiveRetention: Duration.days(props.settings.eventArchiveRetentionDays),
    });
    this.tickets = { table: data.table, indexNames: ticketTable.indexes.map((i) => i.indexName) };
    this.bus = events.bus;
    this.mail = new MailStore(this, 'MailStore', {
      rawMailRetentionDays: props.settings.mailRetentionDays,
      uploadOrigins: props.settings.corsAllowOrigins,
    });

    new CfnOutput(this, 'TableName', { value: data.table.tableName });
    new CfnOutput(this, 'EventBusName', { value: events.bus.eventBusName });
    new CfnOutput(this, 'MailBucketName', { value: this.mail.bucket.bucketName });
  }
}
