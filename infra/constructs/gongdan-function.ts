import { ArnFormat, type CfnElement, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { TableWrites } from '#shared/http/route.ts';
import { env, readEnv } from '#shared/runtime/env.ts';
import { type FunctionKind, functionEnv } from '#shared/runtime/function-env.ts';
import { cdkBundling, projectRoot } from '../bundling.ts';
import { acknowledgeResourceWildcard } from './acknowledgements.ts';
import { intentModelLayer } from './intent-model-layer.ts';

/** A table and the names of its global secondary indexes (ITableV2 does not list them). */
export interface TableBinding {
  table: ITableV2;
  indexNames: readonly string[];
}

/**
 * What each access level may do on the table. Transactions need no action of their own: IAM checks
 * each Put/Update/Delete/ConditionCheck inside them. No Scan: every list is served by an index.
 * DynamoDB Local ignores IAM, so only these lists (and test/infra) stand between code and AccessDenied.
 */
export const tableActions = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  write: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:ConditionCheckItem',
  ],
} as const;

/**
 * What DynamoDB needs on the table's customer-managed key on the caller's behalf: CDK's own
 * `grantReadData` / `grantReadWriteData` key actions, with `ReEncrypt*` and `GenerateDataKey*` spelled
 * out (no key-pair actions: DynamoDB uses symmetric data keys).
 */
export const keyActions = {
  read: ['kms:Decrypt', 'kms:DescribeKey'],
  write: [
    'kms:Decrypt',
    'kms:DescribeKey',
    'kms:Encrypt',
    'kms:GenerateDataKey',
    'kms:GenerateDataKeyWithoutPlaintext',
    'kms:ReEncryptFrom',
    'kms:ReEncryptTo',
  ],
} as const;

/** What active X-Ray tracing adds to a function's role, on Resource "*" (no resource-level permissions). */
export const xrayActions = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'] as const;

/** The values of the variables a construct sets, by their name in the shared catalogue (`env`). */
export type EnvValues = Partial<Record<keyof typeof env, string | undefined>>;

/** The observability settings every function gets (Powertools reads them). */
export interface ObservabilitySettings {
  /** POWERTOOLS_LOG_LEVEL. @default 'INFO' */
  logLevel?: string;
  /** POWERTOOLS_LOGGER_SAMPLE_RATE: the share of invocations that log at DEBUG. @default '0.01' */
  debugSampleRate?: string;
}

/** The service name on every log line and metric, and the CloudWatch namespace of the metrics. */
export const observabilityNames = { serviceName: 'gongdan', metricsNamespace: 'Gongdan' } as const;

export interface GongdanFunctionProps {
  /** The handler file, e.g. `functionEntry('create-ticket')`. */
  entry: string;
  /**
   * Which wiring the handler composes (shared/runtime/function-env.ts): its variables must all be set,
   * or synthesis fails naming the missing ones — as the function's cold start would.
   */
  kind: FunctionKind;
  observability?: ObservabilitySettings;
  description?: string;
  logRetention: RetentionDays;
  /** @default 512 MB: on arm64 more memory is also more CPU, which shortens cold starts. */
  memorySize?: number;
  /** @default 10 s, well inside API Gateway's 30 s integration limit. */
  timeout?: Duration;
  environment?: EnvValues;
}

/**
 * Every Gongdan Lambda: Node 22 on arm64, an ESM bundle built by the local esbuild (`bundling.ts`),
 * source-mapped stack traces, X-Ray active tracing, and its own log group with a retention.
 *
 * It has its own role, allowed to write to its own log group and nothing else; access to a table or a
 * bus is added with `bindTable` / `bindEventBus`, which set the environment variable the code reads
 * and grant exactly that access, in one call.
 */
export class GongdanFunction extends NodejsFunction {
  /**
   * Every variable set on the function (names and values), for the synthesis check. `declare`d, not
   * initialised: the base class may set variables before a field initialiser would run.
   */
  declare private variables: Record<string, string> | undefined;

  constructor(scope: Construct, id: string, props: GongdanFunctionProps) {
    // Created beside the function (a subclass cannot add children before super()) so the function can
    // use them from the start: no AWSLambdaBasicExecutionRole, which may write to every log group.
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${id}`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      role,
      projectRoot,
      depsLockFilePath: `${projectRoot}package-lock.json`,
      bundling: cdkBundling(),
      environment: { NODE_OPTIONS: '--enable-source-maps' },
      // The classifier's model, read on first use: not inside the bundle (intent-model-layer.ts).
      layers: [intentModelLayer(scope)],
    });
    this.setEnvironment({
      serviceName: observabilityNames.serviceName,
      metricsNamespace: observabilityNames.metricsNamespace,
      logLevel: props.observability?.logLevel ?? 'INFO',
      logSampleRate: props.observability?.debugSampleRate ?? '0.01',
      ...props.environment,
    });
    // The variables the handler's wiring reads must all be there: checked at synthesis, by the same
    // schemas the function checks at cold start.
    const kind = props.kind;
    this.node.addValidation({
      validate: () => {
        try {
          readEnv(functionEnv[kind], this.variables ?? {});
          return [];
        } catch (error) {
          return [`${id} (${kind}): ${(error as Error).message}`];
        }
      },
    });

    acknowledgeResourceWildcard(role, {
      actions: xrayActions,
      reason:
        'The X-Ray statement CDK adds for active tracing: xray:PutTraceSegments and ' +
        'xray:PutTelemetryRecords support no resource-level permissions, so AWS requires Resource "*"',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the pinned Lambda target: the bundle target (node22), the toolchain and the ' +
        'tests are validated on it. Moving to a newer runtime is a deliberate change of runtime and ' +
        'target together, not something to drift into.',
    });
  }

  override addEnvironment(
    key: string,
    value: string,
    options?: Parameters<NodejsFunction['addEnvironment']>[2],
  ) {
    this.variables = { ...this.variables, [key]: value };
    return super.addEnvironment(key, value, options);
  }

  /** Sets variables by their name in the shared catalogue; an undefined value sets nothing. */
  setEnvironment(values: EnvValues): this {
    for (const [key, value] of Object.entries(values)) {
      if (value !== undefined) this.addEnvironment(env[key as keyof typeof env].name, value);
    }
    return this;
  }

  /**
   * Sets TABLE_NAME and grants read or read-write on the table, by name on each of its indexes, and
   * on its KMS key. With `writes`, the writes are only those actions, and only on items whose partition
   * key is one of `writes.partitionKeys` (IAM `dynamodb:LeadingKeys`; a key ending in `#` is a prefix).
   */
  bindTable(binding: TableBinding, access: 'read' | 'write', writes?: TableWrites): this {
    const { table, indexNames } = binding;
    this.setEnvironment({ tableName: table.tableName });
    if (access === 'write' && writes) {
      this.addToRolePolicy(
        new PolicyStatement({ actions: [...tableActions.read], resources: [table.tableArn] }),
      );
      this.addToRolePolicy(
        new PolicyStatement({
          actions: writes.actions.map((action) => `dynamodb:${action}`),
          resources: [table.tableArn],
          conditions: {
            'ForAllValues:StringLike': {
              'dynamodb:LeadingKeys': writes.partitionKeys.map((key) =>
                key.endsWith('#') ? `${key}*` : key,
              ),
            },
          },
        }),
      );
    } else {
      this.addToRolePolicy(
        new PolicyStatement({ actions: [...tableActions[access]], resources: [table.tableArn] }),
      );
    }
    if (indexNames.length) {
      this.addToRolePolicy(
        new PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: indexNames.map((name) => `${table.tableArn}/index/${name}`),
        }),
      );
    }
    if (table.encryptionKey) {
      this.addToRolePolicy(
        new PolicyStatement({ actions: [...keyActions[access]], resources: [table.encryptionKey.keyArn] }),
      );
    }
    return this;
  }

  /**
   * Sets SLA_TIMER_ARN and grants starting executions of that state machine, listing its running ones,
   * and stopping its executions — which IAM can only name as `execution:<machine>:*`, since each name
   * carries a ticket id and a version. Only the dispatcher starts and stops timers.
   */
  bindSlaTimer(stateMachine: StateMachine): this {
    this.setEnvironment({ slaTimerArn: stateMachine.stateMachineArn });
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['states:StartExecution', 'states:ListExecutions'],
        resources: [stateMachine.stateMachineArn],
      }),
    );
    const stack = Stack.of(stateMachine);
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['states:StopExecution'],
        resources: [
          stack.formatArn({
            service: 'states',
            resource: 'execution',
            resourceName: `${stateMachine.stateMachineName}:*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    // The finding names the resource as cdk-nag renders it: known values as such, tokens as <Ref>/<Id.Attr>.
    const shown = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<${pseudo}>` : value);
    const machineId = stack.getLogicalId(stateMachine.node.defaultChild as CfnElement);
    const arn = [
      'arn',
      shown(stack.partition, 'AWS::Partition'),
      'states',
      shown(stack.region, 'AWS::Region'),
      shown(stack.account, 'AWS::AccountId'),
      'execution',
      `<${machineId}.Name>`,
      '*',
    ].join(':');
    Validations.of(this.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${arn}]`,
      reason:
        'StopExecution of the SLA timer: executions are named per ticket and version at run time ' +
        '(sla-<ticket>-v<n>), so IAM can only name them as every execution of this one state machine.',
    });
    return this;
  }

  /**
   * Sets APPROVAL_TIMER_ARN and grants starting executions of that state machine (and nothing else:
   * an approval timer ends itself once its stage is decided).
   */
  bindApprovalTimer(stateMachine: StateMachine): this {
    this.setEnvironment({ approvalTimerArn: stateMachine.stateMachineArn });
    this.addToRolePolicy(
      new PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachine.stateMachineArn] }),
    );
    return this;
  }

  /** Grants sending e-mail (SendEmail, SendRawEmail) from exactly these SES identities. */
  allowSendingEmail(...identities: string[]): this {
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [...new Set(identities)].map((identity) =>
          Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
        ),
      }),
    );
    return this;
  }

  /**
   * Sets what sending SLA messages needs (SLA_NOTIFY_FROM, SLA_SMS, the SMS sender id) and grants
   * sending e-mail from that one SES identity, and — when SMS is on — SNS Publish, which for
   * direct-to-phone SMS has no resource to name.
   */
  bindSlaNotifications(options: {
    from: string;
    sesIdentity: string;
    sms: boolean;
    smsSenderId?: string;
  }): this {
    this.setEnvironment({
      slaNotifyFrom: options.from,
      slaSms: String(options.sms),
      slaSmsSenderId: options.smsSenderId,
    });
    this.allowSendingEmail(options.sesIdentity);
    if (options.sms) this.allowSendingSms();
    return this;
  }

  /**
   * Grants SNS Publish straight to phone numbers (SMS), which names no resource, so IAM needs "*" —
   * and denies Publish to every topic, so that "*" reaches no topic. (Nothing in Gongdan publishes to
   * a topic: alarms and the timers' alerts reach the on-call topic through CloudWatch and EventBridge.)
   */
  allowSendingSms(): this {
    this.addToRolePolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }));
    this.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        actions: ['sns:Publish'],
        resources: [Stack.of(this).formatArn({ service: 'sns', region: '*', account: '*', resource: '*' })],
      }),
    );
    acknowledgeResourceWildcard(this.role!, {
      actions: ['sns:Publish'],
      reason:
        'SNS Publish straight to phone numbers (SMS to staff and customers) names no topic or resource, ' +
        'so AWS requires Resource "*"; a Deny on every topic ARN in the same policy keeps "*" off topics',
    });
    return this;
  }

  /** Sets EVENT_BUS_NAME and grants events:PutEvents on that one bus (only the dispatcher publishes). */
  bindEventBus(bus: IEventBus): this {
    this.setEnvironment({ eventBusName: bus.eventBusName });
    bus.grantPutEventsTo(this);
    return this;
  }

  /** Sets DEAD_LETTER_QUEUE_URL and grants sending to that one queue. */
  bindDeadLetterQueue(queue: IQueue): this {
    this.setEnvironment({ deadLetterQueueUrl: queue.queueUrl });
    queue.grantSendMessages(this);
    return this;
  }
}
