import { type CfnElement, Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { functionEntry } from '../bundling.ts';
import type { Analytics } from './analytics.ts';
import { GongdanFunction, type ObservabilitySettings, type TableBinding } from './gongdan-function.ts';

export interface InsightsProps {
  tickets: TableBinding;
  bus: IEventBus;
  analytics: Analytics;
  /** Spike notices and the digest go out as SLA messages do: from SLA_NOTIFY_FROM, that one SES identity. */
  notify: { from: string; sesIdentity: string };
  /** The console's ticket link base (SLA_TICKET_LINK_BASE); notices link to the console's reports beside it. */
  linkBase: string;
  logRetention: RetentionDays;
  observability: ObservabilitySettings;
}

/**
 * The insight jobs (docs/analytics.md, "Spikes", "Forecast and staffing", "Weekly digest"): three
 * functions run by EventBridge Scheduler — spikes every 15 minutes, forecasts daily at 05:00 and the digest
 * on Mondays at 09:00, Asia/Shanghai. Each queries the lake with Athena (`grantQuery`) and reads and writes
 * the table (insights, forecasts); the spike job publishes `insight.spike_detected` on the bus; the spike
 * job and the digest send e-mail from one SES identity (chat notices are HTTPS webhooks, no grant).
 * Neither the scheduler nor Lambda retries a failed run: the next run is the retry (a stored insight that
 * was not yet notified is finished then; conditional writes make overlapping runs safe).
 */
export class Insights extends Construct {
  readonly spikes: GongdanFunction;
  readonly forecast: GongdanFunction;
  readonly digest: GongdanFunction;
  readonly schedules: Schedule[];

  constructor(scope: Construct, id: string, props: InsightsProps) {
    super(scope, id);
    const make = (
      name: string,
      entry: string,
      description: string,
      timeout: Duration,
      writes: readonly string[],
    ) => {
      const fn = new GongdanFunction(this, name, {
        entry: functionEntry(entry),
        kind: 'insightJob',
        description,
        logRetention: props.logRetention,
        observability: props.observability,
        timeout,
        memorySize: 512,
        environment: { slaTicketLinkBase: props.linkBase },
      });
      // Each job writes only its own items (shared/adapters/dynamo/dynamo-insight-store.ts); the digest none.
      if (writes.length)
        fn.bindTable(props.tickets, 'write', { actions: ['PutItem'], partitionKeys: writes });
      else fn.bindTable(props.tickets, 'read');
      props.analytics.grantQuery(fn);
      fn.configureAsyncInvoke({ retryAttempts: 0 });
      return fn;
    };
    this.spikes = make(
      'Spikes',
      'analytics-spikes',
      'Every 15 minutes: ticket spikes per series against the seasonal baseline; insights, event, notices',
      Duration.minutes(5),
      ['INSIGHT#', 'INSIGHT'],
    )
      .bindEventBus(props.bus)
      .bindSlaNotifications({ from: props.notify.from, sesIdentity: props.notify.sesIdentity, sms: false });
    this.forecast = make(
      'Forecast',
      'analytics-forecast',
      "Daily: each team's 14-day ticket forecast with its backtest, stored for the day",
      Duration.minutes(5),
      ['FORECAST'],
    );
    // The job deps compose the bus and e-mail for all three (lambda-insights.ts); only the spike job publishes.
    this.forecast.setEnvironment({ eventBusName: props.bus.eventBusName, slaNotifyFrom: props.notify.from });
    this.digest = make(
      'Digest',
      'analytics-digest',
      "Mondays 09:00 Asia/Shanghai: the last week's headline figures and insights to the supervisors",
      Duration.minutes(5),
      [],
    ).bindSlaNotifications({ from: props.notify.from, sesIdentity: props.notify.sesIdentity, sms: false });
    this.digest.setEnvironment({ eventBusName: props.bus.eventBusName });

    const shanghai = TimeZone.ASIA_SHANGHAI;
    const schedule = (
      name: string,
      fn: GongdanFunction,
      expression: ScheduleExpression,
      description: string,
    ) => {
      // One role per schedule, allowed to invoke its one function (Lambda's grant adds the function's
      // versions and aliases, `<arn>:*`, which cdk-nag reports as a wildcard).
      const role = new Role(this, `${name}Role`, {
        assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
      });
      const fnId = Stack.of(fn).getLogicalId(fn.node.defaultChild as CfnElement);
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${fnId}.Arn>:*]`,
        reason: `lambda:InvokeFunction on the ${fn.node.id} job's own function and its versions/aliases (CDK's grantInvoke), nothing else`,
      });
      return new Schedule(this, name, {
        schedule: expression,
        description,
        target: new LambdaInvoke(fn, { retryAttempts: 0, role }),
      });
    };
    this.schedules = [
      schedule(
        'SpikesSchedule',
        this.spikes,
        ScheduleExpression.rate(Duration.minutes(15)),
        'Spike detection',
      ),
      schedule(
        'ForecastSchedule',
        this.forecast,
        ScheduleExpression.cron({ minute: '0', hour: '5', timeZone: shanghai }),
        'Daily team forecasts',
      ),
      schedule(
        'DigestSchedule',
        this.digest,
        ScheduleExpression.cron({ minute: '0', hour: '9', weekDay: 'MON', timeZone: shanghai }),
        'Weekly digest',
      ),
    ];
  }
}
