import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '#functions/routes.ts';
import { esbuildOptions, functionEntry } from '#infra/bundling.ts';
import { type GongdanFunction, tableActions } from '#infra/constructs/gongdan-function.ts';
import type { StatelessStack } from '#infra/stateless-stack.ts';
import { slaTimerStates, synthesizeSlaTimerAsl } from '#workflows/sla-timer.ts';
import { assertEnvFor } from './support/function-env.ts';
import { gongdanTestApp } from './support/gongdan-app.ts';

// biome-ignore lint/suspicious/noExplicitAny: raw CloudFormation JSON, asserted field by field
type Resource = { Type: string; Properties: Record<string, any> };

let stateless: StatelessStack;
let template: Template;

beforeAll(() => {
  const built = gongdanTestApp({
    bundling: false,
    context: { 'gongdan:slaNotifyFrom': 'Gongdan SLA <sla@desk.example.com>' },
  });
  stateless = built.stateless;
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

const machine = () => resources()[logicalId(stateless.slaTimer.stateMachine)]!;

describe('The SLA timer in GongdanStateless', () => {
  it('is a Standard state machine that logs every event without execution data and is traced', () => {
    // Act
    const props = machine().Properties;

    // Assess
    expect(props.StateMachineType).toBe('STANDARD');
    expect(props.TracingConfiguration).toEqual({ Enabled: true });
    expect(props.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    expect(JSON.stringify(props.LoggingConfiguration.Destinations)).toContain(
      logicalId(stateless.slaTimer.logGroup),
    );
  });

  it('deploys the same states as the definition the local runtime and the workflow tests run', () => {
    // Prepare
    const local = synthesizeSlaTimerAsl();

    // Act
    const deployed = machine().Properties.DefinitionString as unknown;
    const text = JSON.stringify(deployed);

    // Assess: every state of the synthesized definition, with the TimestampPath wait
    for (const name of Object.keys(local.States)) expect(text).toContain(`\\"${name}\\":{`);
    expect(text).toContain('\\"TimestampPath\\":\\"$.timer.waitUntil\\"');
    expect(text).toContain(logicalId(stateless.slaTimer.checkpoint));
    expect(text).toContain(logicalId(stateless.slaTimer.evaluate));
    expect(Object.keys(local.States)).toEqual(expect.arrayContaining(Object.values(slaTimerStates)));
  });

  it('lets the state machine invoke only its two functions and put events only on the Gongdan bus', () => {
    // Prepare
    const roleId = machine().Properties.RoleArn['Fn::GetAtt'][0];

    // Act
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === roleId))
      .flatMap(
        (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
      );

    // Assess
    const invoke = statements.filter((s) => [s.Action].flat().includes('lambda:InvokeFunction'));
    const invoked = JSON.stringify(invoke.map((s) => s.Resource));
    expect(invoked).toContain(logicalId(stateless.slaTimer.checkpoint));
    expect(invoked).toContain(logicalId(stateless.slaTimer.evaluate));
    expect(invoked).toContain(logicalId(stateless.slaTimer.degraded));
    expect(invoke.flatMap((s) => [s.Resource].flat())).toHaveLength(6); // each function and its `:*`
    const puts = statements.filter((s) => [s.Action].flat().includes('events:PutEvents'));
    expect(puts).toHaveLength(1);
    expect(JSON.stringify(puts[0]!.Resource)).toContain('EventsBus');
  });

  it('gives ComputeCheckpoint read access to the table and nothing to send or publish with', () => {
    // Act
    const statements = statementsOf(stateless.slaTimer.checkpoint);
    const actions = statements.flatMap((s) => s.actions);

    // Assess
    expect(actions).toEqual(expect.arrayContaining([...tableActions.read]));
    expect(actions).not.toEqual(expect.arrayContaining(['dynamodb:PutItem']));
    expect(actions.filter((a) => /^(ses|sns|events|states):/.test(a))).toEqual([]);
  });

  it('gives EvaluateCheckpoint write access to the table and nothing else: the dispatcher sends and publishes', () => {
    // Act
    const actions = statementsOf(stateless.slaTimer.evaluate).flatMap((s) => s.actions);

    // Assess
    expect(actions).toEqual(expect.arrayContaining([...tableActions.write]));
    expect(actions.filter((a) => /^(ses|sns|events|states|sqs):/.test(a))).toEqual([]);
  });

  it('sets every environment variable the timer Lambdas read, valid by their own schemas', () => {
    // Act
    const evaluate = resources()[logicalId(stateless.slaTimer.evaluate)]!.Properties.Environment.Variables;
    const checkpoint =
      resources()[logicalId(stateless.slaTimer.checkpoint)]!.Properties.Environment.Variables;

    // Assess
    expect(() => assertEnvFor('slaEvaluate', evaluate)).not.toThrow();
    expect(() => assertEnvFor('slaCheckpoint', checkpoint)).not.toThrow();
    expect(evaluate.SLA_TICKET_LINK_BASE).toBeDefined();
  });

  it('runs the reconciler every 15 minutes with the table and ListExecutions on this state machine only', () => {
    // Act
    const reconcile = stateless.slaTimer.reconcile;
    const states = statementsOf(reconcile).filter((s) => s.actions.some((a) => a.startsWith('states:')));
    const env = resources()[logicalId(reconcile)]!.Properties.Environment.Variables;
    const rule = resources()[logicalId(stateless.slaTimer.reconcileSchedule)]!.Properties;

    // Assess
    expect(states).toEqual([
      { actions: ['states:ListExecutions'], resource: { Ref: logicalId(stateless.slaTimer.stateMachine) } },
    ]);
    expect(
      statementsOf(reconcile)
        .flatMap((s) => s.actions)
        .filter((a) => /^(ses|sns|events|sqs):/.test(a)),
    ).toEqual([]);
    expect(env.SLA_TIMER_ARN).toEqual({ Ref: logicalId(stateless.slaTimer.stateMachine) });
    expect(() => assertEnvFor('slaReconcile', env)).not.toThrow();
    expect(rule.ScheduleExpression).toBe('rate(15 minutes)');
    expect(JSON.stringify(rule.Targets)).toContain(logicalId(reconcile));
  });

  it('gives RecordTimerDegraded the table and nothing to start, send or publish with', () => {
    const actions = statementsOf(stateless.slaTimer.degraded).flatMap((s) => s.actions);
    expect(actions).toEqual(expect.arrayContaining([...tableActions.write]));
    expect(actions.filter((a) => /^(ses|sns|events|states|sqs):/.test(a))).toEqual([]);
  });

  it('lets only the dispatcher and its retry sweep start, list and stop timer executions', () => {
    // Prepare
    const functions = [
      ...apiRoutes.map((r) => stateless.api.functions[r.name]!),
      ...stateless.channels.functions,
      stateless.routingMaintenance.sweep,
      stateless.slaTimer.checkpoint,
      stateless.slaTimer.evaluate,
      stateless.slaTimer.degraded,
      stateless.approvalTimer.deadline,
      stateless.approvalTimer.delegate,
    ];
    for (const fn of functions) {
      // Act
      const states = statementsOf(fn).filter((s) => s.actions.some((a) => a.startsWith('states:')));
      // Assess
      expect(states, fn.node.path).toEqual([]);
    }
    for (const fn of [stateless.reactions.dispatcher, stateless.reactions.retry]) {
      // Act
      const slaMachine = logicalId(stateless.slaTimer.stateMachine);
      const states = statementsOf(fn).filter(
        (s) =>
          s.actions.some((a) => a.startsWith('states:')) && JSON.stringify(s.resource).includes(slaMachine),
      );
      const env = resources()[logicalId(fn)]!.Properties.Environment.Variables;
      // Assess
      expect(env.SLA_TIMER_ARN, fn.node.path).toEqual({ Ref: logicalId(stateless.slaTimer.stateMachine) });
      expect(states.flatMap((s) => s.actions).sort(), fn.node.path).toEqual([
        'states:ListExecutions',
        'states:StartExecution',
        'states:StopExecution',
      ]);
      const stop = states.find((s) => s.actions.includes('states:StopExecution'));
      expect(JSON.stringify(stop?.resource), fn.node.path).toMatch(/:execution:.*Name.*:\*/);
    }
  });

  it('bundles both task handlers with a `handler` export', async () => {
    for (const name of ['sla-checkpoint', 'sla-evaluate', 'sla-timer-degraded', 'sla-reconcile']) {
      // Act
      const result = await build({ ...esbuildOptions(functionEntry(name), '/bench-out'), write: false });
      const bundle = result.outputFiles.find((f) => f.path.endsWith('/index.mjs'))!;

      // Assess
      expect(bundle.text, name).toMatch(/export\s*\{[^}]*\bhandler\b/);
      expect(bundle.contents.length, name).toBeLessThan(1_500_000);
    }
  });
});
