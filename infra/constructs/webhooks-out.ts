import { ArnFormat, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import { type IEventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deliveryDuePartition } from '#shared/adapters/dynamo/dynamo-webhooks-out-store.ts';
import { webhooksOutSecretPrefix } from '#shared/adapters/secrets/subscription-secrets.ts';
import { eventSource } from '#shared/events/catalogue.ts';
import { functionEntry } from '../bundling.ts';
import { GongdanFunction, type ObservabilitySettings, type TableBinding } from './gongdan-function.ts';

export interface WebhooksOutProps {
  tickets: TableBinding;
  bus: IEventBus;
  /** The console's ticket page base, for the links in CRM summaries. */
  ticketLinkBase: string;
  logRetention: RetentionDays;
  observability: ObservabilitySettings;
}

/**
 * What the signing secrets may be used for: the API's subscription routes manage them, the delivery
 * function only reads them; either way only secrets under the prefix.
 */
export function grantWebhooksOutSecrets(fn: GongdanFunction, use: 'manage' | 'read'): void {
  const stack = Stack.of(fn);
  fn.setEnvironment({ webhooksOutSecretPrefix });
  const actions =
    use === 'manage'
      ? ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:DeleteSecret']
      : ['secretsmanager:GetSecretValue'];
  fn.addToRolePolicy(
    new PolicyStatement({
      actions,
      resources: [
        stack.formatArn({
          service: 'secretsmanager',
          resource: 'secret',
          resourceName: `${webhooksOutSecretPrefix}/*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    }),
  );
  const shown = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
  const arn =
    `arn:${shown(stack.partition, 'Partition')}:secretsmanager:${shown(stack.region, 'Region')}:` +
    `${shown(stack.account, 'AccountId')}:secret:${webhooksOutSecretPrefix}/*`;
  Validations.of(fn.role!).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${arn}]`,
    reason:
      'Subscriptions are made at run time (PUT /integrations/webhooks/{name}), one secret each under the ' +
      "webhooks' prefix; the function reaches no other secret",
  });
}

/**
 * Outbound webhooks (docs/integrations.md, "How it runs"): a rule on the Gongdan bus sends every event
 * Gongdan publishes to an SQS queue (a dead-letter queue behind it, and behind the rule's target); the
 * `webhooks-out` function fans each event out to the matching subscriptions and makes the first
 * attempt; an every-minute schedule invokes it for due retries. Deliveries are signed with an HMAC over
 * the timestamp and body, which EventBridge API destinations cannot do: hence a function.
 */
export class WebhooksOut extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly function: GongdanFunction;
  readonly rule: Rule;
  readonly schedule: Rule;

  constructor(scope: Construct, id: string, props: WebhooksOutProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const timeout = Duration.seconds(60);
    this.queue = new Queue(this, 'Events', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });

    this.function = new GongdanFunction(this, 'Deliver', {
      entry: functionEntry('webhooks-out'),
      kind: 'webhooksOut',
      description: 'Outbound webhooks: fan events out to subscriptions, deliver signed, retry due ones',
      logRetention: props.logRetention,
      observability: props.observability,
      timeout,
      environment: { slaTicketLinkBase: props.ticketLinkBase },
    }).bindTable(props.tickets, 'write', {
      // Deliveries and circuit breakers only; tickets (for the CRM summary) and subscriptions are read.
      actions: ['PutItem', 'UpdateItem'],
      partitionKeys: [`${deliveryDuePartition}#`, 'ENDPOINT#'],
    });
    grantWebhooksOutSecrets(this.function, 'read');
    this.function.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 5 }),
    );
    this.function.configureAsyncInvoke({ retryAttempts: 0 });

    this.rule = new Rule(this, 'Fanout', {
      description: 'Every Gongdan event to the outbound webhooks queue',
      eventBus: props.bus,
      eventPattern: { source: [eventSource] },
      targets: [new SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 10 })],
    });
    this.schedule = new Rule(this, 'Retries', {
      description: 'Outbound webhooks: deliver what is due (retries, deferred by an open circuit)',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.function, { retryAttempts: 0 })],
    });
  }
}
