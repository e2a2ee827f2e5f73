import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { JWTVerifyGetKey } from 'jose';
import { createLocalJWKSet } from 'jose';
import { jsonlLakeSink } from '#shared/adapters/analytics/jsonl-lake-sink.ts';
import { dynamoDeadLetters } from '#shared/adapters/dynamo/dynamo-outbox-store.ts';
import type { ApprovalTimerStarter } from '#shared/domain/approval/delegation.ts';
import type { AttachmentFiles } from '#shared/domain/intake/intake.ports.ts';
import type { Notifier } from '#shared/domain/notify/notifier.ts';
import type { Clock, IdGenerator, Logger, Metrics } from '#shared/domain/ports.ts';
import { slaExecutionName, type WorkflowStarter } from '#shared/domain/sla/timer.ts';
import type { EventPublisher } from '#shared/events/catalogue.ts';
import type { Platform } from '#shared/runtime/platform.ts';
import { ExecutionAlreadyExists } from '#workflows/sla-timer.local.ts';
import { localAttachmentStore, localWebhookConfig } from './channels.ts';
import type { LocalAuth } from './local-auth.ts';

/**
 * The platform under the local runtime: the same wirings as in a Lambda, with the edges AWS provides
 * there stood in for — the in-process bus for EventBridge, the outbox for SES/SNS/chat, the local Step
 * Functions executor for the SLA timer, the table for the dead-letter queue and files under the data dir
 * for S3 and the webhook secrets. Every name a wiring passes (bus, ARN, queue URL, bucket) is accepted:
 * there is one of each here.
 */
export function localPlatform(input: {
  dataDir: string;
  dynamo: DynamoDBClient;
  tableName: string;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  metrics: Metrics;
  bus: EventPublisher;
  outbox: Notifier;
  /** Bound once the timer is built (its task steps are wired from this same platform). */
  timer: () => WorkflowStarter;
  /** Bound once the approval timer is built, like `timer`. */
  approvalTimer: () => ApprovalTimerStarter;
  auth: Pick<LocalAuth, 'jwks'>;
  /** Signed links to attachments under the data dir (`attachment-files.ts`). */
  attachmentFiles: AttachmentFiles;
}): Platform {
  const webhooks = localWebhookConfig(input.dataDir);
  const keys: JWTVerifyGetKey = createLocalJWKSet(input.auth.jwks);
  // One writer for the data dir's lake, whatever stream names a wiring passes (docs/local-runtime.md).
  const lake = jsonlLakeSink({ dir: join(input.dataDir, 'lake') });
  return {
    clock: input.clock,
    ids: input.ids,
    logger: input.logger,
    metrics: input.metrics,
    dynamo: input.dynamo,
    eventBus: () => input.bus,
    stateMachine: () => ({
      async start(ticketId, version, timerInput) {
        try {
          return await input.timer().start(ticketId, version, timerInput);
        } catch (error) {
          // As the Step Functions adapter does: a name already used means this version was started.
          if (!(error instanceof ExecutionAlreadyExists)) throw error;
          return { executionName: slaExecutionName(ticketId, version) };
        }
      },
      stop: (...args) => input.timer().stop(...args),
      runningExecutions: () => input.timer().runningExecutions(),
    }),
    approvalTimer: () => ({ start: (stage) => input.approvalTimer().start(stage) }),
    email: () => input.outbox,
    sms: () => input.outbox,
    chat: () => input.outbox,
    deadLetterQueue: () => dynamoDeadLetters(input.dynamo, input.tableName),
    lake: () => lake,
    attachments: () => localAttachmentStore(input.dataDir),
    attachmentFiles: () => input.attachmentFiles,
    // Read from the data dir on every use, so editing the files takes effect without a restart.
    webhookSources: () => ({ get: (source) => webhooks.sources().find((s) => s.source === source) ?? null }),
    webhookSecrets: () => ({ forSource: async (config) => webhooks.secrets()[config.secretRef] ?? [] }),
    tokenKeys: () => keys,
  };
}
