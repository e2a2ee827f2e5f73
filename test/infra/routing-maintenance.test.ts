import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptions, functionEntry } from '#infra/bundling.ts';
import { keyActions, tableActions } from '#infra/constructs/gongdan-function.ts';
import type { StatelessStack } from '#infra/stateless-stack.ts';
import { assertEnvFor } from './support/function-env.ts';
import { gongdanTestApp } from './support/gongdan-app.ts';

// biome-ignore lint/suspicious/noExplicitAny: raw CloudFormation JSON, asserted field by field
type Resource = { Type: string; Properties: Record<string, any> };

let stateless: StatelessStack;
let template: Template;

// Grants and the schedule do not depend on bundle contents: no esbuild here (same construct tree).
beforeAll(() => {
  const built = gongdanTestApp({ bundling: false });
  stateless = built.stateless;
  template = Template.fromStack(stateless);
}, 120_000);

const logicalId = (element: { node: { defaultChild?: unknown } }) =>
  stateless.getLogicalId(element.node.defaultChild as CfnElement);
const resources = () => template.toJSON().Resources as Record<string, Resource>;
const ofType = (type: string) => Object.values(resources()).filter((r) => r.Type === type);
const sweep = () => stateless.routingMaintenance.sweep;

function statements() {
  const roleId = logicalId(sweep().role!);
  return ofType('AWS::IAM::Policy')
    .filter((p) => p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === roleId))
    .flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    )
    .map((s) => ({ actions: [s.Action].flat(), resource: s.Resource }));
}

describe('Routing maintenance in GongdanStateless', () => {
  it('runs the sweep function every minute from an EventBridge schedule rule, without retries', () => {
    // Prepare
    const fnId = logicalId(sweep());

    // Act
    const rules = ofType('AWS::Events::Rule').filter((r) =>
      JSON.stringify(r.Properties.Targets ?? []).includes(fnId),
    );

    // Assess
    expect(rules).toHaveLength(1);
    const rule = rules[0]!.Properties;
    expect(rule.ScheduleExpression).toBe('rate(1 minute)');
    expect(rule.State).toBe('ENABLED');
    expect(rule.EventBusName).toBeUndefined(); // schedules run on the default bus
    expect(rule.Targets).toHaveLength(1);
    expect(rule.Targets[0]).toMatchObject({
      Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
      RetryPolicy: { MaximumRetryAttempts: 0 },
    });
    const invoke = ofType('AWS::Lambda::Permission').find(
      (p) =>
        JSON.stringify(p.Properties.FunctionName).includes(fnId) &&
        JSON.stringify(p.Properties.SourceArn).includes(logicalId(stateless.routingMaintenance.schedule)),
    );
    expect(invoke?.Properties).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
    });
    const asyncConfig = ofType('AWS::Lambda::EventInvokeConfig').find((c) =>
      JSON.stringify(c.Properties.FunctionName).includes(fnId),
    );
    expect(asyncConfig?.Properties.MaximumRetryAttempts).toBe(0);
  });

  it('gives the function a minute, and every environment variable its wiring reads', () => {
    // Act
    const fn = resources()[logicalId(sweep())]!.Properties;

    // Assess
    expect(fn).toMatchObject({ Timeout: 60, Runtime: 'nodejs22.x', Architectures: ['arm64'] });
    expect(() => assertEnvFor('routingSweep', fn.Environment.Variables)).not.toThrow();
  });

  it('lets it write the table and nothing else: its assignments are followed up by the dispatcher', () => {
    // Act
    const granted = statements();
    const actions = granted.flatMap((s) => s.actions);

    // Assess
    expect(granted.map((s) => s.actions.sort())).toEqual(
      expect.arrayContaining([
        [...tableActions.write].sort(),
        ['dynamodb:Query'],
        [...keyActions.write].sort(),
      ]),
    );
    expect(actions.filter((a) => !/^(dynamodb|kms|logs|xray):/.test(a))).toEqual([]);
    expect(JSON.stringify(granted)).not.toMatch(/dynamodb:Scan|dynamodb:\*|kms:\*|index\/\*/);
  });

  it('bundles the handler with a `handler` export, without the API token verifier', async () => {
    // Act
    const result = await build({
      ...esbuildOptions(functionEntry('routing-sweep'), '/bench-out'),
      write: false,
    });
    const bundle = result.outputFiles.find((f) => f.path.endsWith('/index.mjs'))!;

    // Assess
    expect(bundle.text).toMatch(/export\s*\{[^}]*\bhandler\b/);
    expect(bundle.text).not.toContain('createRemoteJWKSet');
    expect(bundle.contents.length).toBeLessThan(900_000);
  });
});
