import { App, Duration, Stack } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  Errors,
  Fail,
  type IChainable,
  JitterType,
  JsonPath,
  Pass,
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
  /** Counts a step's failure (`$.failures.count`). */
  countFailure: string;
  /** Too many failures? Then the timer gives up instead of alerting and trying again. */
  giveUp: string;
  /** Records on the subject that its timer gave up (optional task; see `degradedFunction`). */
  degraded: string;
  /** The Fail state a timer that gave up ends in (the reconciler restarts it). */
  gaveUp: string;
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
  /**
   * Failed steps (each after its retries) an execution survives; the next one ends it in `gaveUp`.
   * @default 6 (about 35 minutes of a fault with the default back-off)
   */
  maxFailures?: number;
  /** Runs the degraded state (`{...request, failure}` in): records that the timer gave up. */
  degradedFunction?: IFunction;
}

/** The default of `maxFailures`. */
export const defaultMaxTimerFailures = 6;

/**
 * A timer that waits until checkpoints a Lambda computes, in JSONPath (no JSONata, no variables: the
 * same definition runs in AWS and in aws-local-stepfunctions):
 *
 *                  ┌── no $.timer ──→ compute ─┐
 *   (start) → ahead? ─ done ─→ done            │
 *                  │ no        ↑───────────────┘
 *                  ↓
 *               wait (TimestampPath $.timer.waitUntil)
 *                  ↓
 *               evaluate ─→ ahead? (loop)
 *
 * The execution starts at the Choice: a starter that computed the first checkpoint passes it as
 * `$.timer` and saves a Lambda call and a transition; without one the timer computes it. The input also
 * carries `failures: { count: 0 }`.
 *
 * Every task retries with jittered backoff; a step that still fails is counted, alerted (an EventBridge
 * event), and after a back-off evaluated again — up to `maxFailures` times. The next failure ends the
 * execution in `gaveUp` (after recording it on the subject, when a `degradedFunction` is given), so a
 * persistent fault cannot loop until Step Functions' 25,000-event history limit: a reconciler restarts
 * timers that are missing or failed once the fault has cleared. The SLA timer and the approval timer are
 * two of these.
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
    // not(isPresent), never isNotPresent: aws-local-stepfunctions never matches `IsPresent: false`.
    .when(Condition.not(Condition.isPresent('$.timer')), compute)
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
          failures: JsonPath.numberAt('$.failures.count'),
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

  const countFailure = new Pass(scope, names.countFailure, {
    comment: 'One more step failed after its retries.',
    parameters: { count: JsonPath.mathAdd(JsonPath.numberAt('$.failures.count'), 1) },
    resultPath: '$.failures',
  });
  const gaveUp = new Fail(scope, names.gaveUp, {
    comment:
      'Too many failed steps: the timer ends here and the reconciler restarts it once the fault clears.',
    error: 'Timer.GaveUp',
    causePath: '$.failure.Cause',
  });
  let afterGivingUp: IChainable = gaveUp;
  if (props.degradedFunction) {
    afterGivingUp = new LambdaInvoke(scope, names.degraded, {
      stateName: names.degraded,
      comment: 'Record on the subject that its timer gave up (shown to people, cleared by the reconciler).',
      lambdaFunction: props.degradedFunction,
      payload: TaskInput.fromObject({
        ...props.request,
        failure: { error: JsonPath.stringAt('$.failure.Error'), cause: JsonPath.stringAt('$.failure.Cause') },
      }),
      payloadResponseOnly: true,
      resultPath: JsonPath.DISCARD,
      taskTimeout: Timeout.duration(Duration.seconds(30)),
    })
      .addRetry(retry)
      .addCatch(gaveUp, { errors: [Errors.ALL], resultPath: '$.degradedFailure' })
      .next(gaveUp);
  }
  const giveUp = new Choice(scope, names.giveUp)
    .when(
      Condition.numberGreaterThan('$.failures.count', props.maxFailures ?? defaultMaxTimerFailures),
      afterGivingUp,
    )
    .otherwise(alert);

  compute.addCatch(countFailure, { errors: [Errors.ALL], resultPath: '$.failure' });
  evaluate.addCatch(countFailure, { errors: [Errors.ALL], resultPath: '$.failure' });
  countFailure.next(giveUp);
  alert.addCatch(backoff, { errors: [Errors.ALL], resultPath: '$.alertFailure' });
  alert.next(backoff);
  backoff.next(evaluate);
  wait.next(evaluate);
  evaluate.next(choice);
  compute.next(choice);
  return choice;
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
