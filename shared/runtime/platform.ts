import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { JWTVerifyGetKey } from 'jose';
import type { LakeSink, LakeTable } from '../domain/analytics/lake-records.ts';
import type { ApprovalTimerStarter } from '../domain/approval/delegation.ts';
import type {
  AttachmentFiles,
  AttachmentStore,
  WebhookSecrets,
  WebhookSources,
} from '../domain/intake/intake.ports.ts';
import type { WebhookSourceConfig } from '../domain/intake/webhook.ts';
import type { Notifier } from '../domain/notify/notifier.ts';
import type { Clock, IdGenerator, Logger, Metrics } from '../domain/ports.ts';
import type { WorkflowStarter } from '../domain/sla/timer.ts';
import type { DeadLetterQueue } from '../domain/ticket/outbox.store.ts';
import type { EventPublisher } from '../events/catalogue.ts';

/**
 * What the capabilities' wirings build on: the clock, ids, logs and metrics, the DynamoDB client, and
 * the edges that differ by where Gongdan runs — AWS services in a Lambda (`awsPlatform`), local
 * stand-ins in the local runtime (the in-process bus, the outbox, the local Step Functions executor).
 * Each `wire*` asks the platform for what its configuration names, so the same wiring serves both.
 */
export interface Platform {
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  metrics: Metrics;
  dynamo: DynamoDBClient;
  eventBus(name: string): EventPublisher;
  stateMachine(arn: string): WorkflowStarter;
  /** The approval timer (delegation deadlines), one execution per approval stage. */
  approvalTimer(arn: string): ApprovalTimerStarter;
  /** E-mail from this sender; the sent notification reports the Message-ID the provider really used. */
  email(from: string): Notifier;
  sms(senderId: string | undefined): Notifier;
  chat(): Notifier;
  deadLetterQueue(url: string): DeadLetterQueue;
  /** The analytics lake: a Firehose delivery stream per table in AWS, files under the data dir locally. */
  lake(streams: Record<LakeTable, string>): LakeSink;
  /** Where attachments are kept; without a bucket, a store that refuses (the function keeps none). */
  attachments(bucket: string | undefined): AttachmentStore;
  /** Upload and download links to attachments for staff; without a bucket, links that refuse. */
  attachmentFiles(bucket: string | undefined): AttachmentFiles;
  webhookSources(configured: readonly WebhookSourceConfig[]): WebhookSources;
  webhookSecrets(): WebhookSecrets;
  /** The keys that sign the ID tokens this issuer hands out (Cognito's JWKS; the runtime's own key). */
  tokenKeys(issuer: string): JWTVerifyGetKey;
}
