import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IEventBus, Match, Rule } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { MetricName } from '#shared/domain/ports.ts';
import { type GongdanFunction, observabilityNames } from './gongdan-function.ts';

/** A timer's state machine, and whether stopping its executions is part of normal work. */
export interface WatchedStateMachine {
  name: string;
  stateMachine: IStateMachine;
  /** The SLA timer is stopped and restarted whenever deadlines move: its aborts are not failures. */
  abortsExpected: boolean;
}

export interface OperationsProps {
  functions: readonly GongdanFunction[];
  /** Every dead-letter queue: a message in any of them is work that did not happen. */
  deadLetterQueues: readonly { name: string; queue: IQueue }[];
  stateMachines: readonly WatchedStateMachine[];
  httpApi: IHttpApi;
  table: ITableV2;
  indexNames: readonly string[];
  /** The bus the timers put their `*.timer_failed` / `*.timer_degraded` alerts on. */
  bus: IEventBus;
  /** Subscribed to the on-call topic (confirmed from the first message) when set. */
  onCallEmail?: string;
}

/**
 * The thresholds of the alarms (docs/operations.md explains each). SES reviews an account at a 5 %
 * bounce or 0.1 % complaint rate: the alarms fire at four fifths of that, before the review.
 */
export const alarmThresholds = {
  sesBounceRate: 0.04,
  sesComplaintRate: 0.0008,
  /** Percent of API requests answered 5xx in five minutes, once there are at least `apiMinRequests`. */
  api5xxPercent: 1,
  apiMinRequests: 20,
} as const;

/** The reactions whose failure means an event not published or a timer not started after a commit. */
export const afterCommitReactions = ['publish-events', 'sla-timer', 'approval-timer'] as const;
/** Every reaction (shared/reactions/dispatcher.ts), for the dead-letter alarm. */
export const allReactions = [
  'publish-events',
  'sla-timer',
  'approval-timer',
  'agent-capacity',
  'notifications',
  'customer-mail',
  'parent-rollup',
  'watcher-notifications',
  'analytics',
] as const;

/** The DynamoDB operations Gongdan calls, for the system-error alarm (at most 10 metrics per alarm). */
const tableOperations = [
  'GetItem',
  'BatchGetItem',
  'Query',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
  'TransactGetItems',
];

const five = Duration.minutes(5);
/** The sum of `metrics` (ids `<prefix>0`, `<prefix>1`, …: unique per expression, so a graph can hold several). */
const sum = (prefix: string, metrics: IMetric[], label: string, period = five) =>
  new MathExpression({
    expression: metrics.map((_, i) => `${prefix}${i}`).join(' + '),
    usingMetrics: Object.fromEntries(metrics.map((m, i) => [`${prefix}${i}`, m])),
    label,
    period,
  });

/**
 * Nobody learns of a failure by chance (docs/operations.md): an on-call SNS topic (its own rotating KMS
 * key, TLS only, an optional e-mail subscription), an alarm on everything that fails without a person
 * seeing it — every function's errors and throttles, every dead-letter queue, the timers' failed,
 * timed-out and unexpectedly aborted executions, SES bounce and complaint rates, the API's 5xx rate,
 * DynamoDB throttles and system errors, reactions that fail after a commit — a rule that sends the
 * timers' `*.timer_failed` / `*.timer_degraded` alerts to the same topic, and one dashboard.
 */
export class Operations extends Construct {
  readonly topic: Topic;
  readonly key: Key;
  readonly alarms: Alarm[] = [];
  readonly timerAlerts: Rule;
  readonly dashboard: Dashboard;
  /** Each function's errors and throttles alarms, by the function's construct path. */
  readonly functionAlarms: Record<string, { errors: Alarm; throttles: Alarm }> = {};

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.key = new Key(this, 'TopicKey', {
      description: 'Encrypts the Gongdan on-call topic',
      enableKeyRotation: true,
      // It protects alarm messages in flight only: nothing stored needs it after the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch alarms and EventBridge publish to the encrypted topic as services: they need the key
    // (as AWS documents it, with no condition: SNS makes the call; the topic policy says who may publish).
    for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
      this.key.addToResourcePolicy(
        new PolicyStatement({
          principals: [new ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
        }),
      );
    }
    this.topic = new Topic(this, 'OnCall', {
      displayName: 'Gongdan on-call',
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (props.onCallEmail) this.topic.addSubscription(new EmailSubscription(props.onCallEmail));
    const action = new SnsAction(this.topic);

    const alarm = (alarmId: string, metric: IMetric, threshold: number, description: string) => {
      const made = new Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // A metric with no data is a function, queue or machine that had nothing to do.
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      made.addAlarmAction(action);
      made.addOkAction(action);
      this.alarms.push(made);
      return made;
    };

    // --- functions ---------------------------------------------------------------------------------
    for (const fn of props.functions) {
      const name = fn.node.path.split('/').slice(1).join('');
      this.functionAlarms[fn.node.path] = {
        errors: alarm(
          `${name}Errors`,
          fn.metricErrors({ period: five, statistic: 'Sum' }),
          1,
          `${fn.node.path}: an invocation failed (unhandled error or timeout) in the last 5 minutes`,
        ),
        throttles: alarm(
          `${name}Throttles`,
          fn.metricThrottles({ period: five, statistic: 'Sum' }),
          1,
          `${fn.node.path}: invocations were throttled (account or reserved concurrency) in the last 5 minutes`,
        ),
      };
    }

    // --- dead letters --------------------------------------------------------------------------------
    for (const { name, queue } of props.deadLetterQueues) {
      alarm(
        `${name}Messages`,
        queue.metricApproximateNumberOfMessagesVisible({ period: five, statistic: 'Maximum' }),
        1,
        `${name}: a message is in the dead-letter queue; redrive it (docs/operations.md, "Dead letters")`,
      );
    }

    // --- timers --------------------------------------------------------------------------------------
    for (const { name, stateMachine, abortsExpected } of props.stateMachines) {
      alarm(
        `${name}Failed`,
        stateMachine.metricFailed({ period: five, statistic: 'Sum' }),
        1,
        `${name}: an execution failed`,
      );
      alarm(
        `${name}TimedOut`,
        stateMachine.metricTimedOut({ period: five, statistic: 'Sum' }),
        1,
        `${name}: an execution timed out`,
      );
      if (!abortsExpected) {
        alarm(
          `${name}Aborted`,
          stateMachine.metricAborted({ period: five, statistic: 'Sum' }),
          1,
          `${name}: an execution was stopped, which nothing in Gongdan does to this timer`,
        );
      }
    }

    // --- SES (account-wide) --------------------------------------------------------------------------
    const ses = (metricName: string) =>
      new Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.hours(1) });
    const bounce = ses('Reputation.BounceRate');
    const complaint = ses('Reputation.ComplaintRate');
    alarm(
      'SesBounceRate',
      bounce,
      alarmThresholds.sesBounceRate,
      'SES bounce rate near the 5 % at which AWS reviews the account',
    );
    alarm(
      'SesComplaintRate',
      complaint,
      alarmThresholds.sesComplaintRate,
      'SES complaint rate near the 0.1 % at which AWS reviews the account',
    );

    // --- API -----------------------------------------------------------------------------------------
    const api5xxRate = new MathExpression({
      expression: `IF(requests >= ${alarmThresholds.apiMinRequests}, 100 * errors / requests, 0)`,
      usingMetrics: {
        errors: props.httpApi.metricServerError({ period: five, statistic: 'Sum' }),
        requests: props.httpApi.metricCount({ period: five, statistic: 'Sum' }),
      },
      label: 'API 5xx %',
      period: five,
    });
    alarm(
      'Api5xxRate',
      api5xxRate,
      alarmThresholds.api5xxPercent,
      'More than 1 % of API requests answered 5xx in 5 minutes',
    );

    // --- DynamoDB ------------------------------------------------------------------------------------
    const dynamo = (metricName: string, dimensions: Record<string, string>) =>
      new Metric({
        namespace: 'AWS/DynamoDB',
        metricName,
        dimensionsMap: dimensions,
        statistic: 'Sum',
        period: five,
      });
    const tableName = props.table.tableName;
    const throttles = (prefix: string, metricName: string) =>
      sum(
        prefix,
        [
          dynamo(metricName, { TableName: tableName }),
          ...props.indexNames.map((index) =>
            dynamo(metricName, { TableName: tableName, GlobalSecondaryIndexName: index }),
          ),
        ],
        `${metricName} (table and indexes)`,
      );
    const readThrottles = throttles('rt', 'ReadThrottleEvents');
    const writeThrottles = throttles('wt', 'WriteThrottleEvents');
    const systemErrors = sum(
      'se',
      tableOperations.map((operation) =>
        dynamo('SystemErrors', { TableName: tableName, Operation: operation }),
      ),
      'SystemErrors',
    );
    alarm('TableReadThrottles', readThrottles, 1, 'DynamoDB throttled reads of the ticket table or an index');
    alarm(
      'TableWriteThrottles',
      writeThrottles,
      1,
      'DynamoDB throttled writes of the ticket table or an index (hot partition?)',
    );
    alarm('TableSystemErrors', systemErrors, 1, 'DynamoDB answered requests on the ticket table with a 500');

    // --- what follows a commit (the dispatcher's metrics) --------------------------------------------
    // Names typed against the shared catalogue: a renamed metric fails compilation, not the alarm quietly.
    const gongdanMetric = (metricName: MetricName, dimensions: Record<string, string> = {}) =>
      new Metric({
        namespace: observabilityNames.metricsNamespace,
        metricName,
        dimensionsMap: { service: observabilityNames.serviceName, ...dimensions },
        statistic: 'Sum',
        period: five,
      });
    const reactionMetric = (metricName: MetricName, reaction: string) =>
      gongdanMetric(metricName, { reaction });
    const afterCommit = sum(
      'ac',
      afterCommitReactions.flatMap((r) => [
        reactionMetric('ReactionRetries', r),
        reactionMetric('ReactionsDeadLettered', r),
      ]),
      'Events not published / timers not started',
    );
    alarm(
      'AfterCommitFailures',
      afterCommit,
      1,
      'Publishing events or starting/stopping timers failed after a commit (retried with back-off, then dead-lettered)',
    );
    const deadLettered = sum(
      'dl',
      allReactions.map((r) => reactionMetric('ReactionsDeadLettered', r)),
      'Reactions dead-lettered',
    );
    alarm(
      'ReactionsDeadLettered',
      deadLettered,
      1,
      'A reaction gave up after its last attempt: its record is in the dead-letter queue',
    );
    const dispatchFailures = sum(
      'df',
      ['dispatch', 'finish'].map((stage) => gongdanMetric('DispatchFailures', { stage })),
      'Dispatches the outbox could not record',
    );
    alarm(
      'DispatchFailures',
      dispatchFailures,
      1,
      'The dispatcher could not lease, set for retry or write back outbox records (the table failed); the sweep retries them',
    );
    alarm(
      'SlaTimersDegraded',
      gongdanMetric('SlaTimersDegraded'),
      1,
      'An SLA timer gave up after repeated failed steps; the reconciler restarts it (docs/sla.md)',
    );

    // --- the timers' own alerts ----------------------------------------------------------------------
    this.timerAlerts = new Rule(this, 'TimerAlerts', {
      description:
        'Timer failures and degraded timers (sla.timer_failed, approval.timer_failed, …) to on-call',
      eventBus: props.bus,
      eventPattern: {
        source: ['gongdan'],
        detailType: [...Match.suffix('.timer_failed'), ...Match.suffix('.timer_degraded')],
      },
      targets: [new SnsTopic(this.topic)],
    });

    // --- one dashboard -------------------------------------------------------------------------------
    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(6) });
    const chunks = <T>(items: readonly T[], size: number) =>
      Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          '# Gongdan\nAlarms go to the on-call topic; what each means and what to do: docs/operations.md.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'API 5xx %', left: [api5xxRate], width: 8 }),
      new GraphWidget({
        title: 'API requests',
        left: [props.httpApi.metricCount({ period: five, statistic: 'Sum' })],
        width: 8,
      }),
      new GraphWidget({
        title: 'After-commit failures',
        left: [afterCommit, deadLettered, dispatchFailures],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'DynamoDB throttles and errors',
        left: [readThrottles, writeThrottles, systemErrors],
        width: 8,
      }),
      new GraphWidget({ title: 'SES bounce and complaint rates', left: [bounce, complaint], width: 8 }),
      new GraphWidget({
        title: 'Dead-letter queues',
        left: props.deadLetterQueues.map(({ queue }) =>
          queue.metricApproximateNumberOfMessagesVisible({ period: five, statistic: 'Maximum' }),
        ),
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      ...props.stateMachines.map(
        ({ name, stateMachine }) =>
          new GraphWidget({
            title: `${name} executions`,
            left: [
              stateMachine.metricStarted({ period: five }),
              stateMachine.metricFailed({ period: five }),
              stateMachine.metricTimedOut({ period: five }),
              stateMachine.metricAborted({ period: five }),
            ],
            width: 12,
          }),
      ),
    );
    for (const [i, group] of chunks(props.functions, 20).entries()) {
      this.dashboard.addWidgets(
        new GraphWidget({
          title: `Function errors (${i + 1})`,
          left: group.map((fn) => fn.metricErrors({ period: five, statistic: 'Sum' })),
          width: 12,
        }),
        new GraphWidget({
          title: `Function throttles (${i + 1})`,
          left: group.map((fn) => fn.metricThrottles({ period: five, statistic: 'Sum' })),
          width: 12,
        }),
      );
    }
  }
}
