import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeScopes } from '#functions/table-writes.ts';
import type { GongdanFunction } from '#infra/constructs/gongdan-function.ts';
import type { StatelessStack } from '#infra/stateless-stack.ts';
import { flattenNested } from './support/flatten.ts';
import { gongdanTestApp } from './support/gongdan-app.ts';

// biome-ignore lint/suspicious/noExplicitAny: raw CloudFormation JSON, asserted field by field
type Json = any;
interface Statement {
  effect: string;
  actions: string[];
  resources: Json[];
  condition?: Json;
}

let stateless: StatelessStack;
let template: Template;

beforeAll(() => {
  const built = gongdanTestApp({ bundling: false });
  stateless = built.stateless;
  template = flattenNested(stateless);
}, 120_000);

/** Every statement of the inline policies on a role, by the role's logical id. */
function statementsOfRole(roleId: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: Json) => p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === roleId))
    .flatMap((p: Json) => p.Properties.PolicyDocument.Statement as Json[])
    .map((s) => ({
      effect: s.Effect,
      actions: [s.Action].flat(),
      resources: [s.Resource].flat(),
      condition: s.Condition,
    }));
}

const roleIdOf = (fn: GongdanFunction) => Stack.of(fn).getLogicalId(fn.role!.node.defaultChild as CfnElement);
const statementsOf = (fn: GongdanFunction) => statementsOfRole(roleIdOf(fn));
const api = (name: string) => stateless.api.functions[name]!;
const tableWrites = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'ConditionCheckItem'].map(
  (a) => `dynamodb:${a}`,
);
const writeStatements = (fn: GongdanFunction) =>
  statementsOf(fn).filter((s) => s.effect === 'Allow' && s.actions.some((a) => tableWrites.includes(a)));

describe('Least privilege of the function roles', () => {
  it('keeps SNS Publish on "*" off every topic, and gives it only to the functions that send SMS', () => {
    // Act
    const roles = Object.keys(template.findResources('AWS::IAM::Role'));
    const publishers = roles.filter((id) =>
      statementsOfRole(id).some((s) => s.effect === 'Allow' && s.actions.includes('sns:Publish')),
    );

    // Assess: the dispatcher and the retry sweep send SLA and customer SMS; nobody else publishes
    expect(publishers.sort()).toEqual(
      [roleIdOf(stateless.reactions.dispatcher), roleIdOf(stateless.reactions.retry)].sort(),
    );
    for (const id of publishers) {
      const statements = statementsOfRole(id);
      const deny = statements.find((s) => s.effect === 'Deny' && s.actions.includes('sns:Publish'));
      expect(deny?.resources, id).toEqual(['arn:aws:sns:*:*:*']);
    }
  });

  it('lets GetTicket only add its `viewed` audit event: one PutItem in the ticket partitions, no update, delete or batch', () => {
    // Act
    const writes = writeStatements(api('get-ticket'));

    // Assess
    expect(writes).toEqual([
      {
        effect: 'Allow',
        actions: ['dynamodb:PutItem'],
        resources: [expect.anything()],
        condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TICKET#*'] } },
      },
    ]);
    expect(writeScopes.viewed.partitionKeys).toEqual(['TICKET#']);
  });

  it.each([
    ['portal-submit', writeScopes.portalIntake],
    ['portal-status-post', writeScopes.portalStatus],
    ['webhook', writeScopes.webhook],
  ] as const)(
    'lets %s write only under its partition keys, never configuration, approvals or dead letters',
    (name, scope) => {
      // Act
      const writes = writeStatements(api(name));

      // Assess
      expect(writes).toHaveLength(1);
      const [write] = writes;
      expect(write!.actions.sort()).toEqual(scope.actions.map((a) => `dynamodb:${a}`).sort());
      const keys: string[] = write!.condition['ForAllValues:StringLike']['dynamodb:LeadingKeys'];
      expect(keys).toEqual(scope.partitionKeys.map((k) => (k.endsWith('#') ? `${k}*` : k)));
      for (const forbidden of [
        'CONFIG',
        'CONFIG#',
        'APPROVAL#',
        'APPROVER#',
        'DEADLETTER',
        'SEED',
        'OUTBOX',
      ]) {
        expect(
          keys.some((k) => k === forbidden || (k.endsWith('*') && forbidden.startsWith(k.slice(0, -1)))),
          forbidden,
        ).toBe(false);
      }
      expect(write!.actions).not.toContain('dynamodb:DeleteItem');
      expect(write!.actions).not.toContain('dynamodb:BatchWriteItem');
    },
  );
});

describe('Acknowledged wildcards', () => {
  it('fail synthesis when a role acknowledged for X-Ray on "*" is granted anything else on "*"', () => {
    // Prepare: GetTicket's role carries the X-Ray acknowledgement; give it SNS Publish on every topic
    const { app, stateless } = gongdanTestApp({ bundling: false });
    stateless.api.functions['get-ticket']!.addToRolePolicy(
      new PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }),
    );

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).toThrow(/GetTicketRole: sns:Publish on Resource "\*" is not among the acknowledged/);
  });

  it.each([
    ['AwsSolutions-IAM5', /AwsSolutions-IAM5 is acknowledged without naming the finding/],
    [
      'AwsSolutions-IAM5[Resource::*]',
      /AwsSolutions-IAM5\[Resource::\*\] is acknowledged without its actions/,
    ],
  ])('fail synthesis when %s is acknowledged on a role without the actions it covers', (id, error) => {
    // Prepare: a role granted SNS Publish on every topic, "acknowledged" wholesale
    const { app, stateless } = gongdanTestApp({ bundling: false });
    const role = new Role(stateless, 'Unreviewed', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    });
    role.addToPolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }));
    Validations.of(role).acknowledge({
      id,
      reason: 'Any wildcard this role may ever be granted, which is exactly what a review must not accept.',
    });

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).toThrow(error);
  });

  it('fail synthesis when a finding is acknowledged on a whole stack', () => {
    // Prepare
    const { app, stateless } = gongdanTestApp({ bundling: false });
    Validations.of(stateless).acknowledge({
      id: 'AwsSolutions-IAM5',
      reason: 'A blanket acknowledgement of every wildcard in the stack, which review must never accept.',
    });

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).toThrow(/AwsSolutions-IAM5 is acknowledged for a whole stack/);
  });
});
