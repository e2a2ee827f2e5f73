import { type CfnElement, NestedStack, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '#functions/routes.ts';
import { consoleRequestsPerAgent } from '#infra/api-throttle.ts';
import { GongdanFunction } from '#infra/constructs/gongdan-function.ts';
import { alarmThresholds } from '#infra/constructs/operations.ts';
import type { StatelessStack } from '#infra/stateless-stack.ts';
import { flattenNested } from './support/flatten.ts';
import { gongdanTestApp } from './support/gongdan-app.ts';

// biome-ignore lint/suspicious/noExplicitAny: raw CloudFormation JSON, asserted field by field
type Json = any;

let stateless: StatelessStack;
let parent: Template;
let flat: Template;
let ops: Template;

beforeAll(() => {
  const built = gongdanTestApp({
    bundling: false,
    context: { 'gongdan:alarmEmail': 'oncall@desk.example.com' },
  });
  stateless = built.stateless;
  parent = Template.fromStack(stateless);
  ops = Template.fromStack(Stack.of(stateless.operations));
  flat = flattenNested(stateless);
}, 120_000);

/** Every alarm, its references resolved across the nested stacks (routes live in their own). */
const alarms = () => Object.values(flat.findResources('AWS::CloudWatch::Alarm')) as Json[];
const topicId = () => Object.keys(ops.findResources('AWS::SNS::Topic'))[0]!;
/** The logical id of a resource, in whichever stack it lives; the flattened alarms refer to it by that id. */
function parameterFor(element: { node: { defaultChild?: unknown } }): string {
  const cfn = element.node.defaultChild as CfnElement;
  return cfn.stack.getLogicalId(cfn);
}
const refersTo = (alarm: Json, parameter: string) => JSON.stringify(alarm).includes(`"${parameter}"`);

describe('Operations: alarms, the on-call topic and the dashboard', () => {
  it('puts them in a nested stack, one resource in the stateless stack, which stays under 500 resources', () => {
    // Act
    const nested = stateless.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack);

    // Assess: Operations, outbound webhooks, bulk import, the analytics lake, the insight jobs and the API's
    // route stacks (infra/constructs/ticket-api.ts), each under the limit
    expect(nested.map((n) => n.node.id).sort()).toEqual(
      [
        'AdminRoutes',
        'Analytics',
        'ChannelRoutes',
        'Imports',
        'Insights',
        'Operations',
        'TicketRoutes',
        'WebhooksOut',
      ].sort(),
    );
    expect(Object.keys(parent.toJSON().Resources).length).toBeLessThan(500);
    for (const stack of nested) {
      expect(Object.keys(Template.fromStack(stack).toJSON().Resources).length, stack.node.id).toBeLessThan(
        450,
      );
    }
  });

  it('has an encrypted, TLS-only on-call topic with the e-mail subscription from settings', () => {
    // Assess
    ops.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    ops.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    ops.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' } }),
        ]),
      },
    });
    ops.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@desk.example.com',
      TopicArn: { Ref: topicId() },
    });
    // CloudWatch and EventBridge may use the topic's key
    const [key] = Object.values(ops.findResources('AWS::KMS::Key')) as Json[];
    const services = key.Properties.KeyPolicy.Statement.flatMap((s: Json) =>
      [s.Principal?.Service ?? []].flat(),
    );
    expect(services).toEqual(expect.arrayContaining(['cloudwatch.amazonaws.com', 'events.amazonaws.com']));
  });

  it('alarms on errors and on throttles of every function in the stack, into the topic', () => {
    // Prepare
    const functions = stateless.node.findAll().filter((c) => c instanceof GongdanFunction);
    expect(functions.length).toBeGreaterThanOrEqual(apiRoutes.length);

    for (const fn of functions) {
      // Act
      const parameter = parameterFor(fn);
      const mine = alarms().filter((a) => refersTo(a, parameter));

      // Assess
      expect(mine.map((a) => a.Properties.MetricName).sort(), fn.node.path).toEqual(['Errors', 'Throttles']);
      for (const a of mine) {
        expect(a.Properties, fn.node.path).toMatchObject({
          Namespace: 'AWS/Lambda',
          Statistic: 'Sum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          AlarmActions: [{ Ref: topicId() }],
        });
      }
    }
  });

  it('alarms when any dead-letter queue holds a message, every queue of the stack', () => {
    // Every queue but the outbound webhooks' work queue (its messages are work, not failures).
    const queues = stateless.node
      .findAll()
      .filter((c) => c instanceof Queue && c !== stateless.webhooksOut.queue);
    expect(queues).toEqual(
      expect.arrayContaining([stateless.channels.deadLetters, stateless.reactions.deadLetters]),
    );
    for (const queue of queues) {
      // Act
      const mine = alarms().filter((a) => refersTo(a, parameterFor(queue)));

      // Assess
      expect(mine).toHaveLength(1);
      expect(mine[0].Properties).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('alarms on failed and timed-out timer executions, and on aborts of the timer nothing stops', () => {
    // Act
    const metricsOf = (machine: { node: { defaultChild?: unknown } }) =>
      alarms()
        .filter((a) => refersTo(a, parameterFor(machine)))
        .map((a) => a.Properties.MetricName)
        .sort();

    // Assess: the SLA timer is stopped whenever its deadlines move, so its aborts are routine
    expect(metricsOf(stateless.slaTimer.stateMachine)).toEqual(['ExecutionsFailed', 'ExecutionsTimedOut']);
    expect(metricsOf(stateless.approvalTimer.stateMachine)).toEqual([
      'ExecutionsAborted',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
    ]);
  });

  it('alarms on SES bounce and complaint rates before AWS reviews the account', () => {
    // Assess
    ops.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.BounceRate',
      Threshold: alarmThresholds.sesBounceRate,
    });
    ops.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.ComplaintRate',
      Threshold: alarmThresholds.sesComplaintRate,
    });
    expect(alarmThresholds.sesBounceRate).toBeLessThan(0.05);
    expect(alarmThresholds.sesComplaintRate).toBeLessThan(0.001);
  });

  it("alarms on the API's 5xx rate, DynamoDB throttles and system errors, and failures after a commit", () => {
    // Act
    const expressions = alarms()
      .filter((a) => a.Properties.Metrics)
      .map((a) => ({
        expression: a.Properties.Metrics.find((m: Json) => m.Expression)?.Expression as string,
        metrics: a.Properties.Metrics.filter((m: Json) => m.MetricStat).map((m: Json) => m.MetricStat.Metric),
      }));
    const withMetric = (name: string) =>
      expressions.filter((e) => e.metrics.some((m: Json) => m.MetricName === name));

    // Assess
    const api = withMetric('5xx');
    expect(api).toHaveLength(1);
    expect(api[0]!.expression).toMatch(/100 \* errors \/ requests/);
    expect(api[0]!.metrics.map((m: Json) => m.Namespace)).toEqual(['AWS/ApiGateway', 'AWS/ApiGateway']);
    for (const name of ['ReadThrottleEvents', 'WriteThrottleEvents', 'SystemErrors']) {
      const found = withMetric(name);
      expect(found, name).toHaveLength(1);
      expect(
        found[0]!.metrics.every((m: Json) => m.Namespace === 'AWS/DynamoDB'),
        name,
      ).toBe(true);
    }
    // Every index's throttles count too: six indexes and the table
    expect(withMetric('WriteThrottleEvents')[0]!.metrics).toHaveLength(7);
    const afterCommit = withMetric('ReactionRetries');
    expect(afterCommit).toHaveLength(1);
    const reactions = afterCommit[0]!.metrics.map(
      (m: Json) => m.Dimensions.find((d: Json) => d.Name === 'reaction').Value,
    );
    expect([...new Set(reactions)].sort()).toEqual(['approval-timer', 'publish-events', 'sla-timer']);
    expect(afterCommit[0]!.metrics[0]).toMatchObject({
      Namespace: 'Gongdan',
      Dimensions: expect.arrayContaining([{ Name: 'service', Value: 'gongdan' }]),
    });
    expect(withMetric('ReactionsDeadLettered').length).toBeGreaterThanOrEqual(1);
    const dispatch = withMetric('DispatchFailures');
    expect(dispatch).toHaveLength(1);
    expect(
      dispatch[0]!.metrics.map((m: Json) => m.Dimensions.find((d: Json) => d.Name === 'stage').Value),
    ).toEqual(['dispatch', 'finish']);
    ops.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Gongdan',
      MetricName: 'SlaTimersDegraded',
      Dimensions: [{ Name: 'service', Value: 'gongdan' }],
      Threshold: 1,
    });
  });

  it('routes every timer failure and degraded-timer event on the bus to the on-call topic', () => {
    // Assess
    ops.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['gongdan'],
        'detail-type': [{ suffix: '.timer_failed' }, { suffix: '.timer_degraded' }],
      },
      Targets: [Match.objectLike({ Arn: { Ref: topicId() } })],
    });
  });

  it('has one dashboard, and exactly the alarms listed in docs/operations.md', () => {
    // Prepare
    const functions = stateless.node.findAll().filter((c) => c instanceof GongdanFunction).length;
    const queues = stateless.node
      .findAll()
      .filter((c) => c instanceof Queue && c !== stateless.webhooksOut.queue).length;

    // Assess: two per function, one per queue, 2 + 3 for the timers, SES 2, API 1, DynamoDB 3, and
    // after-commit, dead-lettered, dispatch failures, degraded timers
    ops.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    ops.resourceCountIs('AWS::CloudWatch::Alarm', 2 * functions + queues + 5 + 2 + 1 + 3 + 4);
    ops.resourceCountIs('AWS::SNS::Topic', 1);
    ops.resourceCountIs('AWS::Events::Rule', 1);
  });
});

describe('API throttling', () => {
  const stage = () => Object.values(parent.findResources('AWS::ApiGatewayV2::Stage'))[0] as Json;

  it("gives the stage room for the expected agents' console polling, twice over", () => {
    // Act
    const { ThrottlingRateLimit, ThrottlingBurstLimit } = stage().Properties.DefaultRouteSettings;

    // Assess: 500 agents (cdk.json) with a ticket page open poll 0.5 requests/s each
    expect(consoleRequestsPerAgent).toBeCloseTo(0.5);
    expect(ThrottlingRateLimit).toBeGreaterThanOrEqual(500 * consoleRequestsPerAgent * 2);
    expect(ThrottlingBurstLimit).toBeGreaterThanOrEqual(ThrottlingRateLimit);
  });

  it('limits each public route on its own, so a flood there cannot use up the staff API', () => {
    // Act
    const settings = stage().Properties.RouteSettings as Record<string, Json>;

    // Assess
    const open = apiRoutes.filter((r) => (r.auth ?? 'jwt') !== 'jwt').map((r) => `${r.method} ${r.path}`);
    expect(Object.keys(settings).sort()).toEqual(open.sort());
    for (const key of open) {
      expect(settings[key], key).toEqual({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 });
    }
  });
});
