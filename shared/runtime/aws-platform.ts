import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ulidGenerator } from '../adapters/ids.ts';
import { powertoolsLogger, powertoolsMetrics } from '../adapters/observability/powertools.ts';
import type { Clock, IdGenerator, Logger } from '../domain/ports.ts';
import { type AwsObservability, awsObservability } from './aws/observability.ts';
import type { EnvSource } from './env.ts';
import type { Platform } from './platform.ts';

/** What an edge factory gets: the container's clock, ids and logger, and a way to trace its client. */
export interface AwsContext {
  source: EnvSource;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  /** Wraps an AWS SDK client so its calls show in X-Ray. */
  trace<T>(client: T): T;
}

type EdgeName =
  | 'eventBus'
  | 'stateMachine'
  | 'approvalTimer'
  | 'email'
  | 'sms'
  | 'chat'
  | 'deadLetterQueue'
  | 'lake'
  | 'attachments'
  | 'attachmentFiles'
  | 'webhookSecrets'
  | 'tokenKeys';

/**
 * The AWS services a function uses beyond DynamoDB, each from a module of its own (shared/runtime/
 * aws/): a function bundles only the SDK clients it composes, not every one the system uses.
 */
export type AwsEdges = { [K in EdgeName]?: (ctx: AwsContext) => Platform[K] };

const notHere = (what: string) => () => {
  throw new Error(`This function is not set up to ${what}`);
};

/**
 * Gongdan in a Lambda: Powertools observability (`awsObservability`), the real clock, ULIDs, a traced
 * DynamoDB client, and the `edges` the function composes; any other edge refuses.
 */
export function awsPlatform(
  source: EnvSource = process.env,
  edges: AwsEdges = {},
): Platform & { observability: AwsObservability } {
  const observability = awsObservability(source);
  const trace = <T>(client: T): T => observability.tracer.captureAWSv3Client(client);
  const ctx: AwsContext = {
    source,
    clock: { now: () => new Date() },
    ids: ulidGenerator(),
    logger: powertoolsLogger(observability.logger),
    trace,
  };
  let dynamo: DynamoDBClient | undefined;
  const edge = <K extends EdgeName>(name: K, what: string): Platform[K] =>
    (edges[name]?.(ctx) ?? notHere(what)) as Platform[K];
  return {
    observability,
    clock: ctx.clock,
    ids: ctx.ids,
    logger: ctx.logger,
    metrics: powertoolsMetrics(observability.metrics),
    get dynamo() {
      // A store that does not answer fails fast (and the API answers 503) instead of the function timing out.
      dynamo ??= trace(
        new DynamoDBClient({
          requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
        }),
      );
      return dynamo;
    },
    eventBus: edge('eventBus', 'publish events'),
    stateMachine: edge('stateMachine', 'start SLA timers'),
    approvalTimer: edge('approvalTimer', 'start approval timers'),
    email: edge('email', 'send e-mail'),
    sms: edge('sms', 'send SMS'),
    chat: edge('chat', 'post to chat'),
    deadLetterQueue: edge('deadLetterQueue', 'dead-letter reactions'),
    lake: edge('lake', 'append to the analytics lake'),
    attachments: edge('attachments', 'store attachments'),
    attachmentFiles: edge('attachmentFiles', 'link to attachments'),
    webhookSources: (configured) => ({ get: (name) => configured.find((s) => s.source === name) ?? null }),
    webhookSecrets: edge('webhookSecrets', 'read webhook secrets'),
    tokenKeys: edge('tokenKeys', 'verify tokens'),
  };
}
