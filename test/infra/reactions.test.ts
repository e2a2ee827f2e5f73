import type { CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptions, functionEntry } from '#infra/bundling.ts';
import {
  type GongdanFunction,
  observabilityNames,
  tableActions,
} from '#infra/constructs/gongdan-function.ts';
import { streamSettings } from '#infra/constructs/reactions.ts';
import type { StatelessStack } from '#infra/stateless-stack.ts';
import { outboxStreamFilter } from '#shared/adapters/dynamo/outbox-stream.ts';
import { flattenNested } from './support/flatten.ts';
import { assertEnvFor } from './support/function-env.ts';
import { gongdanTestApp } from './support/gongdan-app.ts';

// biome-ignore lint/suspicious/noExplicitAny: raw CloudFormation JSON, asserted field by field
type Resource = { Type: string; Properties: Record<string, any> };

let stateless: StatelessStack;
let template: Template;

beforeAll(() => {
  const built = gongdanTestApp({
    bundling: false,
    context: {
      'gongdan:mailFrom': 'help@desk.example.com',
      'gongdan:slaNotifyFrom': 'Gongdan SLA <sla@ops.example.com>',
      'gongdan:logLevel': 'WARN',
    },
  });
  stateless = built.stateless;
  template = flattenNested(stateless);
}, 120_000);

const logicalId = (element: { node: { defaultChild?: unknown } }) => {
  const cfn = element.node.defaultChild as CfnElement;
  return cfn.stack.getLogicalId(cfn);
};
const resources = () => template.toJSON().Resources as Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources()).filter(([, r]) => r.Type === type);

function statementsOf(fn: GongdanFunction) {
  const roleId = logicalId(fn.role!);
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === roleId))
    .flatMap(
      ([, p]) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    )
    .map((s) => ({ actions: [s.Action].flat(), resource: s.Resource }));
}

const deadLetters = () => logicalId(stateless.reactions.deadLetters);

describe('What follows a ticket change, in GongdanStateless', () => {
  it('feeds the dispatcher new outbox records from the table stream, bisecting failures, then the dead-letter queue', () => {
    // Act
    const mappings = ofType('AWS::Lambda::EventSourceMapping')
      .map(([, r]) => r.Properties)
      .filter((p) => JSON.stringify(p.EventSourceArn).includes('StreamArn'));

    // Assess: one mapping on the ticket table's stream (the other, outbound webhooks' queue, is
    // test/infra/webhooks-out.test.ts's), into the dispatcher
    expect(mappings).toHaveLength(1);
    const mapping = mappings[0]!;
    expect(mapping).toMatchObject({
      FunctionName: { Ref: logicalId(stateless.reactions.dispatcher) },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: streamSettings.batchSize,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: streamSettings.retryAttempts,
      MaximumRecordAgeInSeconds: 6 * 3600,
      ParallelizationFactor: streamSettings.parallelizationFactor,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [deadLetters(), 'Arn'] } } },
    });
    expect(JSON.stringify(mapping.EventSourceArn)).toMatch(/StreamArn/);
    expect(JSON.parse(mapping.FilterCriteria.Filters[0].Pattern)).toEqual(outboxStreamFilter);
  });

  it('keeps dead letters encrypted, TLS-only, for 14 days', () => {
    // Act
    const queue = resources()[deadLetters()]!.Properties;
    const policies = ofType('AWS::SQS::QueuePolicy').map(([, r]) => JSON.stringify(r.Properties));

    // Assess
    expect(queue).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    expect(policies.some((p) => p.includes(deadLetters()) && p.includes('aws:SecureTransport'))).toBe(true);
  });

  it('retries failed reactions every minute from a schedule, without retrying the sweep itself', () => {
    // Act
    const rules = ofType('AWS::Events::Rule')
      .map(([, r]) => r.Properties)
      .filter((r) => JSON.stringify(r.Targets).includes(logicalId(stateless.reactions.retry)));

    // Assess
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
    expect(rules[0]!.Targets[0]).toMatchObject({ RetryPolicy: { MaximumRetryAttempts: 0 } });
  });

  it('gives the dispatcher and its sweep every variable their wiring reads, valid by its schema', () => {
    for (const fn of [stateless.reactions.dispatcher, stateless.reactions.retry]) {
      // Act
      const variables = resources()[logicalId(fn)]!.Properties.Environment.Variables;

      // Assess
      expect(() => assertEnvFor('reactions', variables), fn.node.path).not.toThrow();
      expect(variables, fn.node.path).toMatchObject({
        MAIL_FROM: 'help@desk.example.com',
        SLA_NOTIFY_FROM: 'Gongdan SLA <sla@ops.example.com>',
        SLA_SMS: 'true',
        DEAD_LETTER_QUEUE_URL: { Ref: deadLetters() },
      });
    }
  });

  it('lets the dispatcher publish on the bus, time SLAs, mail from the two identities, text, and dead-letter', () => {
    for (const fn of [stateless.reactions.dispatcher, stateless.reactions.retry]) {
      // Act
      const granted = statementsOf(fn);
      const actions = granted.flatMap((s) => s.actions);
      const ses = granted.find(
        (s) =>
          s.actions.includes('ses:SendRawEmail') && JSON.stringify(s.resource).includes('ops.example.com'),
      );
      const mail = granted.find(
        (s) =>
          s.actions.includes('ses:SendRawEmail') && JSON.stringify(s.resource).includes('desk.example.com'),
      );
      const send = granted.find((s) => s.actions.includes('sqs:SendMessage'));

      // Assess
      expect(actions, fn.node.path).toEqual(
        expect.arrayContaining([
          ...tableActions.write,
          'events:PutEvents',
          'states:StartExecution',
          'sns:Publish',
        ]),
      );
      expect(ses, fn.node.path).toBeDefined();
      expect(mail, fn.node.path).toBeDefined();
      expect(JSON.stringify(send?.resource), fn.node.path).toContain(deadLetters());
      expect(actions.filter((a) => !/^(dynamodb|kms|events|states|ses|sns|sqs|logs|xray):/.test(a))).toEqual(
        [],
      );
    }
    // Only the stream reader reads the stream.
    expect(statementsOf(stateless.reactions.dispatcher).flatMap((s) => s.actions)).toContain(
      'dynamodb:GetRecords',
    );
    expect(statementsOf(stateless.reactions.retry).flatMap((s) => s.actions)).not.toContain(
      'dynamodb:GetRecords',
    );
  });

  it('configures Powertools on every function: service name, log level, sampled debug, metrics namespace', () => {
    // Act: every function of ours (CDK's console upload handler, in Python, is not one)
    const functions = ofType('AWS::Lambda::Function')
      .filter(([id]) => !id.startsWith('CustomCDKBucketDeployment'))
      .map(([id, r]) => [id, r.Properties.Environment.Variables] as const);

    // Assess
    expect(functions.length).toBeGreaterThan(20);
    for (const [id, variables] of functions) {
      expect(variables, id).toMatchObject({
        POWERTOOLS_SERVICE_NAME: observabilityNames.serviceName,
        POWERTOOLS_LOG_LEVEL: 'WARN',
        POWERTOOLS_LOGGER_SAMPLE_RATE: '0.01',
        POWERTOOLS_METRICS_NAMESPACE: 'Gongdan',
      });
    }
  });

  it('bundles both functions with a `handler` export', async () => {
    for (const name of ['ticket-changed', 'outbox-retry']) {
      // Act
      const result = await build({ ...esbuildOptions(functionEntry(name), '/bench-out'), write: false });
      const bundle = result.outputFiles.find((f) => f.path.endsWith('/index.mjs'))!;

      // Assess
      expect(bundle.text, name).toMatch(/export\s*\{[^}]*\bhandler\b/);
      expect(bundle.contents.length, name).toBeLessThan(1_200_000);
    }
  });
});
