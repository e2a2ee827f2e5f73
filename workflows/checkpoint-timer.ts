import { App, Duration, Stack } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  Errors,
  type IChainable,
  JitterType,
  JsonPath,
  Succeed,
  TaskInput,
  Timeout,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { EventBridgePutEvents, LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

/**
 * The state names of a checkpoint timer, which are also the keys of the local executor's overrides.
 * Kept short and stable: renaming one changes the ASL, the tests and the local runtime's bindings.
 */
export interface CheckpointTimerStates {
  compute: string;
  choice: string;
  wait: string;
  evaluate: string;
  done: string;
  alert: string;
  backoff: string;
}

export interface CheckpointTimerProps {
  states: CheckpointTimerStates;
  /** Runs the compute state: `{...request}` in, `{done, waitUntil}` out (at `$.timer`). */
  computeFunction: IFunction;
  /** Runs the evaluate state: applies what is due (idempotently); same result shape. */
  evaluateFunction: IFunction;
  /** The tasks' payload, built from the execution's input (e.g. `{ticketId, version}`). */
  request: Record<string, unknown>;
  comments: { compute: string; evaluate: string; done: string; wait: string };
  /** Where the alert of a step that failed after its retries goes (source `gongdan`). */
  alertBus: IEventBus;
  alertDetailType: string;
  /** The alert's detail besides `error` and `cause` (e.g. the ticket's id). */
  alertDetail: Record<string, unknown>;
  /** Retries of a failed step before it alerts. @default 3 */
  retryAttempts?: number;
  /** Wait after an alert before evaluating again. @default 5 minutes */
  failureBackoff?: Duration;
}

/**
 * A timer that waits until checkpoints a Lambda computes, in JSONPath (no JSONata, no variables: the
 * same definition runs in AWS and in aws-local-stepfunctions):
 *
 * compute → ahead? ─ done ─→ done
 *              │ no
 *              ↓
 *           wait (TimestampPath $.timer.waitUntil)
 *              ↓
 *           evaluate ─→ ahead? (loop)
 *
 * Every task retries with jittered backoff; a step that still fails is caught into the alert (an
 * EventBridge event), then a back-off and evaluate again — a failure alerts and retries for ever, it
 * never ends the timer. The SLA timer and the approval timer are two of these.
 */
export function buildCheckpointTimerDefinition(scope: Construct, props: CheckpointTimerProps): IChainable {
  const names = props.states;
  const request = TaskInput.fromObject(props.request);
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

  const compute = lambdaStep(names.compute, props.computeFunction, props.comments.compute);
  const evaluate = lambdaStep(names.evaluate, props.evaluateFunction, props.comments.evaluate);
  const done = new Succeed(scope, names.done, { comment: props.comments.done });
  const wait = new Wait(scope, names.wait, {
    comment: props.comments.wait,
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
        detailType: props.alertDetailType,
        detail: TaskInput.fromObject({
          ...props.alertDetail,
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

/** An Amazon States Language definition as JSON. */
export type AslDefinition = {
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
  Comment?: string;
  TimeoutSeconds?: number;
};

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
  throw new Error(`cannot resolve ${JSON.stringify(value)} in a timer definition`);
}

export interface SynthesisTarget {
  region?: string;
  account?: string;
}

/**
 * Synthesizes a state machine in a throwaway stack (`build` adds it, with imported functions and bus,
 * so no bundling) and returns its ASL as CloudFormation would deploy it: the definition the local
 * runtime and the workflow tests execute, never a hand-written copy.
 */
export function synthesizeStateMachineAsl(
  build: (stack: Stack, arnOf: (functionName: string) => string) => void,
  target: SynthesisTarget = {},
): AslDefinition {
  const region = target.region ?? 'us-east-1';
  const account = target.account ?? '000000000000';
  const app = new App();
  const stack = new Stack(app, 'TimerSynth', { env: { region, account } });
  build(stack, (name) => `arn:aws:lambda:${region}:${account}:function:${name}`);
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
