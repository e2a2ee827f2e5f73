import { Duration, Validations } from 'aws-cdk-lib';
import { type IEventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { outboxStreamFilter } from '#shared/adapters/dynamo/outbox-stream.ts';
import { functionEntry } from '../bundling.ts';
import { acknowledgeResourceWildcard } from './acknowledgements.ts';
import {
  type EnvValues,
  GongdanFunction,
  type ObservabilitySettings,
  type TableBinding,
} from './gongdan-function.ts';

export interface ReactionsProps {
  tickets: TableBinding;
  bus: IEventBus;
  slaTimer: StateMachine;
  approvalTimer: StateMachine;
  logRetention: RetentionDays;
  observability: ObservabilitySettings;
  /** Customer mail: the channels' mail settings, and the SES identity it is sent from. */
  mail: { environment: EnvValues; sesIdentity: string };
  /** Staff notifications (SLA warnings and escalations). */
  sla: { from: string; sesIdentity: string; sms: boolean; smsSenderId?: string };
}

/** How the stream feeds the dispatcher: the values the infra tests check. */
export const streamSettings = {
  batchSize: 25,
  /** A batch that keeps failing is split in two until the failing record is alone. */
  bisectBatchOnError: true,
  retryAttempts: 10,
  /** Older than this, a record the dispatcher never got to goes to the dead-letter queue (by position). */
  maxRecordAge: Duration.hours(6),
  parallelizationFactor: 2,
} as const;

/**
 * What follows a ticket change (docs/architecture.md): the outbox records every change writes are read
 * from the table's stream by the `ticket-changed` dispatcher, which runs the reactions — publish to the
 * bus, start and stop SLA timers, settle agents' capacity, notify staff, mail customers. A reaction that
 * fails is tried again by `outbox-retry` every minute, with back-off, and after its last attempt is put
 * in the dead-letter queue with its whole record (and noted on the ticket). The stream mapping's own
 * failure destination is the same queue.
 *
 * The dispatcher is the only function that publishes events, starts timers or sends mail: the API and
 * intake functions only write the table.
 */
export class Reactions extends Construct {
  readonly deadLetters: Queue;
  readonly dispatcher: GongdanFunction;
  readonly retry: GongdanFunction;
  readonly retrySchedule: Rule;

  constructor(scope: Construct, id: string, props: ReactionsProps) {
    super(scope, id);
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the dead-letter queue of the ticket-changed dispatcher (reactions that kept ' +
        'failing, with their records) and of its stream mapping; a dead-letter queue of its own would ' +
        'only move the same letters again.',
    });

    const make = (name: string, entry: string, description: string, timeout: Duration) =>
      new GongdanFunction(this, name, {
        entry: functionEntry(entry),
        kind: 'reactions',
        description,
        logRetention: props.logRetention,
        observability: props.observability,
        timeout,
        environment: props.mail.environment,
      })
        .bindTable(props.tickets, 'write')
        .bindEventBus(props.bus)
        .bindSlaTimer(props.slaTimer)
        .bindApprovalTimer(props.approvalTimer)
        .bindDeadLetterQueue(this.deadLetters)
        .bindSlaNotifications(props.sla)
        .allowSendingEmail(props.mail.sesIdentity);

    this.dispatcher = make(
      'TicketChanged',
      'ticket-changed',
      'Runs the reactions of each ticket change (outbox records on the table stream)',
      Duration.seconds(60),
    );
    this.dispatcher.addEventSource(
      new DynamoEventSource(props.tickets.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        ...streamSettings,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.deadLetters),
        filters: [FilterCriteria.filter(outboxStreamFilter)],
      }),
    );
    acknowledgeResourceWildcard(this.dispatcher.role!, {
      actions: ['dynamodb:ListStreams'],
      reason:
        'dynamodb:ListStreams for the stream mapping is account-wide by API design (no resource-level ' +
        'permission); the stream reads themselves are granted on the one stream ARN',
    });

    this.retry = make(
      'OutboxRetry',
      'outbox-retry',
      'Every minute: reactions due for another attempt, and records the stream left',
      Duration.seconds(60),
    );
    this.retry.configureAsyncInvoke({ retryAttempts: 0 });
    this.retrySchedule = new Rule(this, 'RetrySchedule', {
      description: 'Outbox retry sweep: failed reactions with back-off, then the dead-letter queue',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.retry, { retryAttempts: 0 })],
    });
  }
}
