import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StatelessStack } from '#infra/stateless-stack.ts';
import { assertEnvFor } from './support/function-env.ts';
import { gongdanTestApp } from './support/gongdan-app.ts';

// biome-ignore lint/suspicious/noExplicitAny: raw CloudFormation JSON, asserted field by field
type Json = any;

let stateless: StatelessStack;
let nested: Template;
let built: ReturnType<typeof gongdanTestApp>;

beforeAll(() => {
  built = gongdanTestApp({ bundling: false });
  stateless = built.stateless;
  nested = Template.fromStack(Stack.of(stateless.insights));
}, 120_000);

const policiesOf = (roleId: string) =>
  Object.values(nested.findResources('AWS::IAM::Policy'))
    .filter((p: Json) => JSON.stringify(p.Properties.Roles).includes(roleId))
    .flatMap((p: Json) => p.Properties.PolicyDocument.Statement as Json[]);
const roleIdOf = (prefix: string) =>
  Object.keys(nested.findResources('AWS::IAM::Role')).find((id) => id.startsWith(prefix))!;
const actionsOf = (statements: Json[]) => statements.flatMap((s: Json) => [s.Action].flat()) as string[];

describe('The insight jobs in AWS', () => {
  it('live in their own nested stack: three functions, each run by an EventBridge Scheduler schedule', () => {
    expect(Stack.of(stateless.insights)).not.toBe(stateless);
    nested.resourceCountIs('AWS::Lambda::Function', 3);
    nested.resourceCountIs('AWS::Scheduler::Schedule', 3);
    nested.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      Target: Match.objectLike({ RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 0 }) }),
    });
    nested.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 5 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
    });
    nested.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 9 ? * MON *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
    });
    nested.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          ATHENA_WORKGROUP: Match.anyValue(),
          ATHENA_DATABASE: Match.anyValue(),
          EVENT_BUS_NAME: Match.anyValue(),
          SLA_NOTIFY_FROM: Match.anyValue(),
          SLA_TICKET_LINK_BASE: Match.anyValue(),
          TABLE_NAME: Match.anyValue(),
        }),
      },
    });
  });

  it('sets each job every variable its wiring reads (kind insightJob)', () => {
    const functions = Object.values(nested.findResources('AWS::Lambda::Function')) as Json[];
    expect(functions).toHaveLength(3);
    for (const fn of functions)
      expect(() => assertEnvFor('insightJob', fn.Properties.Environment.Variables)).not.toThrow();
    // Without Athena's workgroup the wiring would fail at cold start, naming it.
    const { ATHENA_WORKGROUP: _w, ...without } = functions[0].Properties.Environment.Variables;
    expect(() => assertEnvFor('insightJob', without)).toThrow(/ATHENA_WORKGROUP/);
  });

  it('gives each job least privilege: its own items, the bus and SES only where it sends', () => {
    const spikes = policiesOf(roleIdOf('InsightsSpikesRole'));
    const forecast = policiesOf(roleIdOf('InsightsForecastRole'));
    const digest = policiesOf(roleIdOf('InsightsDigestRole'));
    const writesOf = (statements: Json[]) =>
      statements.find((s: Json) => [s.Action].flat().includes('dynamodb:PutItem'));
    expect([writesOf(spikes).Action].flat()).toEqual(['dynamodb:PutItem']);
    expect(writesOf(spikes).Condition['ForAllValues:StringLike']['dynamodb:LeadingKeys'].sort()).toEqual([
      'INSIGHT',
      'INSIGHT#*',
    ]);
    expect(writesOf(forecast).Condition['ForAllValues:StringLike']['dynamodb:LeadingKeys']).toEqual([
      'FORECAST',
    ]);
    expect(writesOf(digest)).toBeUndefined();
    for (const statements of [spikes, forecast, digest]) {
      expect(actionsOf(statements)).not.toContain('dynamodb:DeleteItem');
      expect(actionsOf(statements)).not.toContain('dynamodb:Scan');
    }
    expect(actionsOf(spikes)).toContain('events:PutEvents');
    expect(actionsOf(forecast)).not.toContain('events:PutEvents');
    expect(actionsOf(digest)).not.toContain('events:PutEvents');
    expect(actionsOf(spikes)).toContain('ses:SendEmail');
    expect(actionsOf(digest)).toContain('ses:SendEmail');
    expect(actionsOf(forecast)).not.toContain('ses:SendEmail');
    const ses = spikes.find((s: Json) => [s.Action].flat().includes('ses:SendEmail'));
    expect(JSON.stringify(ses.Resource)).toContain(':identity/');
    // Athena through the lake's managed query policy on each role.
    for (const prefix of ['InsightsSpikesRole', 'InsightsForecastRole', 'InsightsDigestRole']) {
      const role = nested.findResources('AWS::IAM::Role')[roleIdOf(prefix)] as Json;
      expect(role.Properties.ManagedPolicyArns?.length ?? 0).toBeGreaterThan(0);
    }
    // Only X-Ray (no resource-level permissions) on "*".
    const anywhere = [...spikes, ...forecast, ...digest]
      .filter((s: Json) => s.Resource === '*')
      .flatMap((s: Json) => [s.Action].flat());
    expect(anywhere.every((a: string) => a.startsWith('xray:'))).toBe(true);
  });

  it('lets each schedule invoke only its own function', () => {
    const schedules = Object.values(nested.findResources('AWS::Scheduler::Schedule')) as Json[];
    const targets = schedules.map((s) => JSON.stringify(s.Properties.Target.Arn));
    expect(new Set(targets).size).toBe(3);
    const invokes = Object.values(nested.findResources('AWS::IAM::Policy'))
      .flatMap((p: Json) => p.Properties.PolicyDocument.Statement as Json[])
      .filter((s: Json) => [s.Action].flat().includes('lambda:InvokeFunction'));
    expect(invokes.length).toBeGreaterThan(0);
    for (const s of invokes) expect(JSON.stringify(s.Resource)).not.toBe('"*"');
  });
});
