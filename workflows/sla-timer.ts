import { App, Duration, Stack } from 'aws-cdk-lib';
import { EventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import { type IFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  DefinitionBody,
  Errors,
  type IChainable,
  JitterType,
  JsonPath,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Timeout,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { EventBridgePutEvents, LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

/**
 * State names, which are also the keys of the local executor's overrides. Kept short and stable:
 * renaming one changes the ASL, the tests and the local runtime's bindings.
 */
export const slaTimerStates = {
  compute: 'ComputeCheckpoint',
  choice: 'CheckpointAhead',
  wait: 'WaitForCheckpoint',
  evaluate: 'EvaluateCheckpoint',
  done: 'TimerDone',
  alert: 'AlertTimerFailure',
  backoff: 'BackOffAfterFailure',
} as const;

/** The EventBridge detail-type of the alert sent when a timer step fails after its retries. */
export const slaTimerFailedDetailType = 'sla.timer_failed';

export interface SlaTimerDefinitionProps {
  /** Runs ComputeCheckpoint (`functions/sla-checkpoint`). */
  checkpointFunction: IFunction;
  /** Runs EvaluateCheckpoint (`functions/sla-evaluate`). */
  evaluateFunction: IFunction;
  /** Where `sla.timer_failed` alerts go (source `gongdan`). */
  alertBus: IEventBus;
  /** Retries of a failed step before it alerts. @default 3 */
  retryAttempts?: number;
  /** Wait after an alert before evaluating again. @default 5 minutes */
  failureBackoff?: Duration;
}

/**
 * The per-ticket SLA timer, in JSONPath (no JSONata, no variables: the same definition runs in AWS and
 * in aws-local-stepfunctions):
 *
 * ComputeCheckpoint → CheckpointAhead? ─ done ─→ TimerDone
 *                          │ no
 *                          ↓
 *                     WaitForCheckpoint (TimestampPath $.timer.waitUntil)
 *                          ↓
 *                     EvaluateCheckpoint ─→ CheckpointAhead? (loop)
 *
 * Every task retries with jittered backoff; a step that still fails is caught into AlertTimerFailure
 * (an EventBridge event), then BackOffAfterFailure and EvaluateCheckpoint again — a failure alerts and
 * retries for ever, it never ends the timer. The state carries only `{ticketId, version}`, `timer`
 * (the last step's result) and, after a failure, `failure`.
 */
export function buildSlaTimerDefinition(scope: Construct, props: SlaTimerDefinitionProps): IChainable {
  const names = slaTimerStates;
  const request = TaskInput.fromObject({
    ticketId: JsonPath.stringAt('$.ticketId'),
    version: JsonPath.numberAt('$.version'),
  });
  const retry = {
    errors: [Errors.ALL],
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: props.retryAttempts ?? 3,
    maxDelay: Duration.seconds(60),
    jitterStrategy: JitterType.FULL,
  };
  const lambdaStep = (id: string, fn: IFunction, comment: string) =>
    new LambdaInvoke(scope, id, {
      stateName: id,
      comment,
      lambdaFunction: fn,
      payload: request,
      // The handler's return value is the result: no Payload envelope to unwrap (one state fewer).
      payloadResponseOnly: true,
      resultPath: '$.timer',
      taskTimeout: Timeout.duration(Duration.seconds(30)),
    }).addRetry(retry);

  const compute = lambdaStep(names.compute, props.checkpointFunction, 'When must the timer wake next?');
  const evaluate = lambdaStep(
    names.evaluate,
    props.evaluateFunction,
    'Apply what is due (idempotent); next checkpoint.',
  );
  const done = new Succeed(scope, names.done, {
    comment: 'Resolved, closed, paused, superseded or nothing left.',
  });
  const wait = new Wait(scope, names.wait, {
    comment: 'Until the next warning, breach or escalation level: no polling.',
    time: WaitTime.timestampPath('$.timer.waitUntil'),
  });
  const choice = new Choice(scope, names.choice)
    .when(Condition.booleanEquals('$.timer.done', true), done)
    .otherwise(wait);

  const alert = new EventBridgePutEvents(scope, names.alert, {
    stateName: names.alert,
    comment: 'A timer step failed after its retries: tell the operators, then try again.',
    entries: [
      {
        eventBus: props.alertBus,
        source: 'gongdan',
        detailType: slaTimerFailedDetailType,
        detail: TaskInput.fromObject({
          ticketId: JsonPath.stringAt('$.ticketId'),
          version: JsonPath.numberAt('$.version'),
          error: JsonPath.stringAt('$.failure.Error'),
          cause: JsonPath.stringAt('$.failure.Cause'),
        }),
      },
    ],
    resultPath: JsonPath.DISCARD,
    taskTimeout: Timeout.duration(Duration.seconds(30)),
  }).addRetry(retry);
  const backoff = new Wait(scope, names.backoff, {
    comment: 'Give the fault time to clear before evaluating again.',
    time: WaitTime.duration(props.failureBackoff ?? Duration.minutes(5)),
  });

  compute.addCatch(alert, { errors: [Errors.ALL], resultPath: '$.failure' });
  evaluate.addCatch(alert, { errors: [Errors.ALL], resultPath: '$.failure' });
  alert.addCatch(backoff, { errors: [Errors.ALL], resultPath: '$.alertFailure' });
  alert.next(backoff);
  backoff.next(evaluate);
  wait.next(evaluate);
  evaluate.next(choice);
  return compute.next(choice);
}

export interface SlaTimerStateMachineProps extends SlaTimerDefinitionProps {
  stateMachineName?: string;
}

/** The timer as a Standard state machine (one long-lived execution per ticket). */
export function slaTimerStateMachine(
  scope: Construct,
  id: string,
  props: SlaTimerStateMachineProps,
): StateMachine {
  return new StateMachine(scope, id, {
    stateMachineName: props.stateMachineName,
    stateMachineType: StateMachineType.STANDARD,
    comment: 'Gongdan SLA timer: waits until each checkpoint, then warns, records breaches and escalates.',
    definitionBody: DefinitionBody.fromChainable(buildSlaTimerDefinition(scope, props)),
  });
}

/** An Amazon States Language definition as JSON. */
export type AslDefinition = {
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
  Comment?: string;
  TimeoutSeconds?: number;
};

export interface SynthesizeOptions {
  region?: string;
  account?: string;
  /** Function names as the ARNs in the definition should show them. */
  checkpointFunctionName?: string;
  evaluateFunctionName?: string;
  busName?: string;
  failureBackoff?: Duration;
  retryAttempts?: number;
}

type Cfn = unknown;

/** Resolves the few intrinsics a synthesized definition string holds (Fn::Join, pseudo parameters). */
function resolveIntrinsics(value: Cfn, pseudo: Record<string, string>): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    if ('Fn::Join' in node) {
      const [separator, parts] = node['Fn::Join'] as [string, Cfn[]];
      return parts.map((p) => resolveIntrinsics(p, pseudo)).join(separator);
    }
    if ('Ref' in node && typeof node.Ref === 'string' && node.Ref in pseudo) return pseudo[node.Ref]!;
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)} in the SLA timer definition`);
}

/**
 * Synthesizes the timer in a throwaway stack (imported functions and bus, so no bundling) and returns
 * its ASL, as CloudFormation would deploy it: the definition the local runtime and the workflow tests
 * execute, never a hand-written copy.
 */
export function synthesizeSlaTimerAsl(options: SynthesizeOptions = {}): AslDefinition {
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? '000000000000';
  const app = new App();
  const stack = new Stack(app, 'SlaTimerSynth', { env: { region, account } });
  const fn = (id: string, name: string) =>
    LambdaFunction.fromFunctionArn(stack, id, `arn:aws:lambda:${region}:${account}:function:${name}`);
  slaTimerStateMachine(stack, 'SlaTimer', {
    checkpointFunction: fn('Checkpoint', options.checkpointFunctionName ?? 'gongdan-sla-checkpoint'),
    evaluateFunction: fn('Evaluate', options.evaluateFunctionName ?? 'gongdan-sla-evaluate'),
    alertBus: EventBus.fromEventBusName(stack, 'Bus', options.busName ?? 'gongdan'),
    failureBackoff: options.failureBackoff,
    retryAttempts: options.retryAttempts,
  });
  const template = app.synth().getStackByName(stack.stackName).template as {
    Resources: Record<string, { Type: string; Properties: { DefinitionString: Cfn } }>;
  };
  const machine = Object.values(template.Resources).find(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (!machine) throw new Error('no state machine in the synthesized stack');
  const asl = resolveIntrinsics(machine.Properties.DefinitionString, {
    'AWS::Partition': 'aws',
    'AWS::Region': region,
    'AWS::AccountId': account,
    'AWS::URLSuffix': 'amazonaws.com',
  });
  return JSON.parse(asl) as AslDefinition;
}
