import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { type GongdanFunction, tableActions } from '#infra/constructs/gongdan-function.ts';
import type { StatelessStack } from '#infra/stateless-stack.ts';
import { approvalTimerStates, synthesizeApprovalTimerAsl } from '#workflows/approval-timer.ts';
import { assertEnvFor } from './support/function-env.ts';
import { gongdanTestApp } from './support/gongdan-app.ts';

// biome-ignore lint/suspicious/noExplicitAny: raw CloudFormation JSON, asserted field by field
type Resource = { Type: string; Properties: Record<string, any> };

let stateless: StatelessStack;
let template: Template;

beforeAll(() => {
  stateless = gongdanTestApp({ bundling: false }).stateless;
  template = Template.fromStack(stateless);
}, 120_000);

const logicalId = (element: { node: { defaultChild?: unknown } }) =>
  stateless.getLogicalId(element.node.defaultChild as CfnElement);
const resources = () => template.toJSON().Resources as Record<string, Resource>;

function statementsOf(fn: GongdanFunction) {
  const roleId = logicalId(fn.role!);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === roleId))
    .flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    )
    .map((s) => ({ actions: [s.Action].flat(), resource: s.Resource }));
}

describe('The approval timer in GongdanStateless', () => {
  it('is a Standard state machine, logged without execution data and traced, running the definition the local runtime runs', () => {
    // Act
    const props = resources()[logicalId(stateless.approvalTimer.stateMachine)]!.Properties;
    const deployed = JSON.stringify(props.DefinitionString);

    // Assess
    expect(props.StateMachineType).toBe('STANDARD');
    expect(props.TracingConfiguration).toEqual({ Enabled: true });
    expect(props.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    const local = synthesizeApprovalTimerAsl();
    // No RecordTimerDegraded: a timer that gives up fails its execution (alarmed), nothing to mark.
    const { degraded, ...states } = approvalTimerStates;
    expect(Object.keys(local.States).sort()).toEqual(Object.values(states).sort());
    expect(Object.keys(local.States)).not.toContain(degraded);
    for (const state of Object.values(states)) expect(deployed).toContain(state);
    expect(local.States[approvalTimerStates.wait]).toMatchObject({ TimestampPath: '$.timer.waitUntil' });
  });

  it('gives the deadline step read access to the table and the delegate step write access, nothing else', () => {
    for (const [fn, access] of [
      [stateless.approvalTimer.deadline, 'read'],
      [stateless.approvalTimer.delegate, 'write'],
    ] as const) {
      // Act
      const actions = statementsOf(fn).flatMap((s) => s.actions);
      const env = resources()[logicalId(fn)]!.Properties.Environment.Variables;

      // Assess
      expect(() => assertEnvFor('approvalTimer', env)).not.toThrow();
      expect(actions, fn.node.path).toEqual(expect.arrayContaining([...tableActions[access]]));
      if (access === 'read') expect(actions, fn.node.path).not.toContain('dynamodb:PutItem');
      expect(
        actions.filter((a) => /^(states|ses|sns|events|sqs):/.test(a)),
        fn.node.path,
      ).toEqual([]);
    }
  });

  it('is started only by the dispatcher and its retry sweep, which may start it and nothing more', () => {
    const machine = logicalId(stateless.approvalTimer.stateMachine);
    for (const fn of [stateless.reactions.dispatcher, stateless.reactions.retry]) {
      // Act
      const onMachine = statementsOf(fn).filter((s) => JSON.stringify(s.resource).includes(machine));
      const env = resources()[logicalId(fn)]!.Properties.Environment.Variables;

      // Assess
      expect(env.APPROVAL_TIMER_ARN, fn.node.path).toEqual({ Ref: machine });
      expect(
        onMachine.flatMap((s) => s.actions),
        fn.node.path,
      ).toEqual(['states:StartExecution']);
    }
  });
});
