import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '#functions/routes.ts';
import type { StatelessStack } from '#infra/stateless-stack.ts';
import { gongdanTestApp } from './support/gongdan-app.ts';

// biome-ignore lint/suspicious/noExplicitAny: raw CloudFormation JSON, asserted field by field
type Json = any;

let stateless: StatelessStack;
let nested: Template;
let built: ReturnType<typeof gongdanTestApp>;

beforeAll(() => {
  built = gongdanTestApp({ bundling: false });
  stateless = built.stateless;
  nested = Template.fromStack(Stack.of(stateless.webhooksOut));
}, 120_000);

const policiesOf = (template: Template, roleId: string) =>
  Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: Json) => JSON.stringify(p.Properties.Roles).includes(roleId))
    .flatMap((p: Json) => p.Properties.PolicyDocument.Statement as Json[]);
const roleIdOf = (template: Template, fnPath: string) =>
  Object.entries(template.findResources('AWS::IAM::Role')).find(([id]) => id.startsWith(fnPath))![0];

describe('Outbound webhooks in AWS', () => {
  it('lives in its own nested stack: rule on the bus → queue (with a DLQ) → function, and a schedule', () => {
    expect(Stack.of(stateless.webhooksOut)).not.toBe(stateless);
    nested.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['gongdan'] },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() })],
    });
    nested.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
    nested.resourceCountIs('AWS::SQS::Queue', 2);
    nested.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 360,
    });
    nested.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    nested.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 60,
      Environment: {
        Variables: Match.objectLike({
          WEBHOOKS_OUT_SECRET_PREFIX: 'gongdan/webhooks-out',
          SLA_TICKET_LINK_BASE: Match.anyValue(),
          TABLE_NAME: Match.anyValue(),
        }),
      },
    });
    // Both queues are TLS-only.
    const queuePolicies = Object.values(nested.findResources('AWS::SQS::QueuePolicy')) as Json[];
    expect(JSON.stringify(queuePolicies)).toContain('aws:SecureTransport');
  });

  it('gives the delivery function least privilege: scoped writes, read-only secrets under the prefix', () => {
    const statements = policiesOf(nested, roleIdOf(nested, 'WebhooksOutDeliverRole'));
    const text = JSON.stringify(statements);
    const writes = statements.find((s: Json) => [s.Action].flat().includes('dynamodb:PutItem'))!;
    expect([writes.Action].flat().sort()).toEqual(['dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(writes.Condition['ForAllValues:StringLike']['dynamodb:LeadingKeys'].sort()).toEqual([
      'ENDPOINT#*',
      'WEBHOOKOUT#*',
    ]);
    expect(text).not.toContain('dynamodb:DeleteItem');
    expect(text).not.toContain('dynamodb:Scan');
    const secrets = statements.filter((s: Json) => JSON.stringify(s.Action).includes('secretsmanager'));
    expect(secrets.flatMap((s: Json) => [s.Action].flat())).toEqual(['secretsmanager:GetSecretValue']);
    expect(JSON.stringify(secrets[0].Resource)).toContain(':secret:gongdan/webhooks-out/*');
    // Only X-Ray (which has no resource-level permissions) on "*".
    const anywhere = statements
      .filter((s: Json) => s.Resource === '*')
      .flatMap((s: Json) => [s.Action].flat());
    expect(anywhere.every((a: string) => a.startsWith('xray:'))).toBe(true);
  });

  it('lets only the subscription routes that store or delete a secret touch secrets', () => {
    const managing = apiRoutes.filter((r) => r.uses?.includes('webhooks-out-secrets')).map((r) => r.name);
    expect(managing.sort()).toEqual(['delete-webhook-subscription', 'put-webhook-subscription']);
    for (const route of apiRoutes.filter((r) => r.path.startsWith('/integrations/webhooks'))) {
      expect(route.roles).toEqual(['admin']);
      const fn = stateless.api.functions[route.name]!;
      const template = Template.fromStack(Stack.of(fn));
      const roleId = Stack.of(fn).getLogicalId(fn.role!.node.defaultChild as never);
      const actions = policiesOf(template, roleId).flatMap((s: Json) => [s.Action].flat());
      const secretActions = actions.filter((a: string) => a.startsWith('secretsmanager:')).sort();
      expect(secretActions, route.name).toEqual(
        managing.includes(route.name)
          ? ['secretsmanager:CreateSecret', 'secretsmanager:DeleteSecret', 'secretsmanager:PutSecretValue']
          : [],
      );
    }
  });

  it('is watched: its dead-letter queue and function have alarms, the work queue is not taken for a DLQ', () => {
    const ops = Template.fromStack(Stack.of(stateless.operations));
    const alarms = JSON.stringify(ops.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toMatch(/WebhooksOutDeadLetters/);
    expect(alarms).not.toMatch(/WebhooksOutEvents/);
  });
});
