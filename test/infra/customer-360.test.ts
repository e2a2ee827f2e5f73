import { NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StatelessStack } from '#infra/stateless-stack.ts';
import { flattenNested } from './support/flatten.ts';
import { gongdanTestApp } from './support/gongdan-app.ts';

// biome-ignore lint/suspicious/noExplicitAny: raw CloudFormation JSON, asserted field by field
type Json = any;

let stateless: StatelessStack;
let flat: Template;

beforeAll(() => {
  stateless = gongdanTestApp({ bundling: false }).stateless;
  flat = flattenNested(stateless);
}, 120_000);

/** Every statement of the policies attached to the role of `functionId` (e.g. `GetCustomer360`). */
function statementsOf(functionId: string): Json[] {
  const policies = flat.findResources('AWS::IAM::Policy') as Record<string, Json>;
  return Object.entries(policies)
    .filter(([id]) => id.includes(`${functionId}Role`))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
}

const secretActions = ['ssm:GetParameter', 'secretsmanager:GetSecretValue'];
const actionsOf = (s: Json) => [s.Action].flat() as string[];

describe('Customer 360 in the stack', () => {
  it("lets the lookup read the connectors' secrets under their prefix only", () => {
    // Act
    const statements = statementsOf('GetCustomer360').filter((s) =>
      actionsOf(s).some((a) => secretActions.includes(a)),
    );

    // Assess
    expect(statements.map((s) => [actionsOf(s), JSON.stringify(s.Resource)])).toEqual([
      [['ssm:GetParameter'], expect.stringContaining(':parameter/gongdan/connectors/*')],
      [['secretsmanager:GetSecretValue'], expect.stringContaining(':secret:gongdan/connectors/*')],
    ]);
  });

  it('gives the configuration and mapping functions no secret at all, and the mapping writes only CUSTMAP#', () => {
    // Act
    const others = ['GetConnectorsConfig', 'PutConnectorsConfig', 'PutCustomerMappings'].map((id) => [
      id,
      statementsOf(id).flatMap(actionsOf),
    ]);
    const mappingWrites = statementsOf('PutCustomerMappings').filter((s) =>
      actionsOf(s).includes('dynamodb:BatchWriteItem'),
    );

    // Assess
    for (const [id, actions] of others) {
      expect(actions, id as string).not.toEqual(expect.arrayContaining(['ssm:GetParameter']));
      expect(actions, id as string).not.toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue']));
    }
    expect(JSON.stringify(mappingWrites)).toContain('CUSTMAP#');
  });

  it('keeps every stack under CloudFormation’s 500 resources (counts printed for review)', () => {
    // Act
    const counts = [stateless, ...stateless.node.findAll().filter((c) => c instanceof NestedStack)].map(
      (s) => [s.node.path, Object.keys(Template.fromStack(Stack.of(s)).toJSON().Resources).length] as const,
    );
    console.log(`resources per stack: ${counts.map(([p, n]) => `${p}=${n}`).join(', ')}`);

    // Assess
    for (const [path, n] of counts) expect(n, path).toBeLessThan(500);
  });
});
