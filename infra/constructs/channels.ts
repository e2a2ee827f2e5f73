import { ArnFormat, CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import { type EventPattern, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ReceiptRuleSet, TlsPolicy } from 'aws-cdk-lib/aws-ses';
import { Lambda as LambdaAction, LambdaInvocationType, S3 as S3Action } from 'aws-cdk-lib/aws-ses-actions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { secretLocation } from '#shared/adapters/secrets/webhook-secrets.ts';
import { mailBucketPrefixes } from '#shared/adapters/storage/s3-attachment-store.ts';
import { intakeEventPattern } from '#shared/channels/event-intake.ts';
import type { WebhookSourceConfig } from '#shared/domain/intake/webhook.ts';
import type { Route } from '#shared/http/route.ts';
import { functionEntry } from '../bundling.ts';
import {
  type EnvValues,
  GongdanFunction,
  type ObservabilitySettings,
  type TableBinding,
} from './gongdan-function.ts';
import type { MailStore } from './mail-store.ts';
import type { TicketApi } from './ticket-api.ts';

export interface ChannelSettingsProps {
  mailFrom: string;
  mailFromName: string;
  /** The SES identity (domain or address) customer mail is sent from. */
  sesIdentity: string;
  messageIdDomain: string;
  /** Addresses the receipt rule accepts (and that are "us" on a thread). */
  inboundRecipients: string[];
  inboundEmail: boolean;
  reopenWindowDays: number;
  webhookSources: WebhookSourceConfig[];
}

export interface ChannelsProps {
  api: TicketApi;
  routes: readonly Pick<Route, 'name' | 'auth' | 'uses'>[];
  tickets: TableBinding;
  bus: IEventBus;
  mail: Pick<MailStore, 'bucket' | 'readInbound' | 'writeAttachments' | 'staffAttachments'>;
  logRetention: RetentionDays;
  observability: ObservabilitySettings;
  settings: ChannelSettingsProps;
  /** The portal's status page, linked from customer mail. */
  portalStatusUrl: string;
}

/** A local pattern (`shared/channels`) as a CDK EventPattern: the same JSON, keys in CDK's spelling. */
function cdkPattern(pattern: Record<string, unknown>): EventPattern {
  const { 'detail-type': detailType, ...rest } = pattern;
  return { ...rest, ...(detailType ? { detailType } : {}) } as EventPattern;
}

/** Lambda's environment (all variables together) must stay under 4 KB. */
const maxSourcesJson = 3000;

/**
 * How work arrives besides the JSON API, and how customers hear back (docs/channels.md):
 *
 * - e-mail in: an SES receipt rule set (activated once by hand) stores each message under `inbound/`
 *   in the mail bucket, then invokes InboundEmail asynchronously (retries, then a dead-letter queue);
 * - EventBridge in: a rule for `ticket.create.requested` / `ticket.update.requested` from any source
 *   but Gongdan's own, targeting IntakeEvent (retries, dead-letter queue);
 * - the portal and webhook routes of the API get what they use: the mail settings, `attachments/` in
 *   the bucket (portal), and exactly the SSM parameters / secrets their sources name (webhooks).
 *
 * Customer mail out (acknowledgements, replies, notices) follows each change through the outbox: the
 * dispatcher sends it (`Reactions`, with `mailEnvironment` and the SES identity from here).
 */
export class Channels extends Construct {
  readonly inboundEmail: GongdanFunction;
  readonly intakeEvent: GongdanFunction;
  readonly deadLetters: Queue;
  readonly receiptRules: ReceiptRuleSet | undefined;
  /** The mail settings customer mail is written with (the dispatcher sends it). */
  readonly mailEnvironment: EnvValues;

  get functions(): GongdanFunction[] {
    return [this.inboundEmail, this.intakeEvent];
  }

  constructor(scope: Construct, id: string, props: ChannelsProps) {
    super(scope, id);
    const { settings } = props;
    const mailBucket = props.mail.bucket;
    const environment: EnvValues = {
      mailFrom: settings.mailFrom,
      mailFromName: settings.mailFromName,
      messageIdDomain: settings.messageIdDomain,
      ownAddresses: settings.inboundRecipients.filter((r) => r.includes('@')).join(','),
      reopenWindowDays: String(settings.reopenWindowDays),
      portalStatusUrl: props.portalStatusUrl,
    };
    this.mailEnvironment = environment;
    const keepAttachments = (fn: GongdanFunction) => {
      fn.setEnvironment({ mailBucket: mailBucket.bucketName });
      fn.role!.addManagedPolicy(props.mail.writeAttachments);
    };

    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the dead-letter queue of the intake rule and of the inbound mail function; ' +
        'a dead-letter queue of its own would only move the same failed deliveries again.',
    });

    // --- the API's channel routes -----------------------------------------------------------------
    for (const route of props.routes) {
      const fn = props.api.functions[route.name];
      if (!fn) continue;
      if ((route.auth ?? 'jwt') === 'jwt') {
        // Staff attachments (lists, upload and download links, replies naming uploads): the bucket and
        // the grant to sign links under attachments/; the channel settings their wiring reads.
        if (route.uses?.includes('attachments')) {
          fn.setEnvironment({ ...environment, mailBucket: mailBucket.bucketName });
          fn.role!.addManagedPolicy(props.mail.staffAttachments);
        }
        continue;
      }
      fn.setEnvironment(environment);
      if (route.uses?.includes('attachments')) keepAttachments(fn);
      if (route.uses?.includes('webhook-secrets')) this.bindWebhookSources(fn, settings.webhookSources);
    }

    // --- e-mail in ----------------------------------------------------------------------------------
    this.inboundEmail = new GongdanFunction(this, 'InboundEmail', {
      entry: functionEntry('inbound-email'),
      kind: 'intake',
      description:
        'SES receipt: parse the stored message, thread it into the pool (acknowledged by the dispatcher)',
      logRetention: props.logRetention,
      observability: props.observability,
      memorySize: 1024,
      timeout: Duration.seconds(60),
      environment,
    }).bindTable(props.tickets, 'write');
    this.inboundEmail.role!.addManagedPolicy(props.mail.readInbound);
    keepAttachments(this.inboundEmail);
    this.inboundEmail.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.deadLetters),
    });

    if (settings.inboundEmail) {
      this.receiptRules = new ReceiptRuleSet(this, 'InboundMail', {
        rules: [
          {
            recipients: settings.inboundRecipients,
            scanEnabled: true,
            tlsPolicy: TlsPolicy.OPTIONAL,
            actions: [
              new S3Action({ bucket: mailBucket, objectKeyPrefix: mailBucketPrefixes.inbound }),
              new LambdaAction({ function: this.inboundEmail, invocationType: LambdaInvocationType.EVENT }),
            ],
          },
        ],
      });
      new CfnOutput(this, 'ReceiptRuleSetName', {
        description: 'Activate once: aws ses set-active-receipt-rule-set --rule-set-name <this>',
        value: this.receiptRules.receiptRuleSetName,
      });
    }

    // --- EventBridge in -----------------------------------------------------------------------------
    this.intakeEvent = new GongdanFunction(this, 'IntakeEvent', {
      entry: functionEntry('intake-event'),
      kind: 'intake',
      description: 'ticket.create.requested / ticket.update.requested from other systems',
      logRetention: props.logRetention,
      observability: props.observability,
      environment,
    }).bindTable(props.tickets, 'write');
    new Rule(this, 'IntakeEventsRule', {
      description: 'Requests from other systems to open or change tickets (never our own events)',
      eventBus: props.bus,
      eventPattern: cdkPattern(intakeEventPattern),
      targets: [this.target(this.intakeEvent)],
    });
  }

  private target(fn: GongdanFunction) {
    return new LambdaFunction(fn, {
      retryAttempts: 8,
      maxEventAge: Duration.hours(12),
      deadLetterQueue: this.deadLetters,
    });
  }

  /**
   * Sets WEBHOOK_SOURCES and grants reading exactly the secrets the sources name: `ssm:GetParameter` on
   * each parameter, `secretsmanager:GetSecretValue` on each secret (by ARN, or by name with the random
   * suffix Secrets Manager appends). SecureStrings under the AWS-managed `aws/ssm` key need no KMS grant.
   */
  private bindWebhookSources(fn: GongdanFunction, sources: WebhookSourceConfig[]) {
    const json = JSON.stringify(sources);
    if (json.length > maxSourcesJson) {
      throw new Error(
        `gongdan:webhookSources is ${json.length} characters as JSON; Lambda environments hold 4 KB: ` +
          'shorten the mappings or split the sources',
      );
    }
    fn.setEnvironment({ webhookSources: json });
    const stack = Stack.of(this);
    const parameters: string[] = [];
    const secrets: string[] = [];
    for (const source of sources) {
      const where = secretLocation(source.secretRef);
      if (where.kind === 'ssm') {
        parameters.push(
          stack.formatArn({
            service: 'ssm',
            resource: 'parameter',
            resourceName: where.id.replace(/^\//, ''),
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
        );
      } else if (where.id.startsWith('arn:')) {
        secrets.push(where.id);
      } else {
        // Secrets Manager appends six random characters to a secret's ARN: `-??????` matches exactly them.
        secrets.push(
          stack.formatArn({
            service: 'secretsmanager',
            resource: 'secret',
            resourceName: `${where.id}-??????`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        );
      }
    }
    if (parameters.length) {
      fn.addToRolePolicy(new PolicyStatement({ actions: ['ssm:GetParameter'], resources: parameters }));
    }
    if (secrets.length) {
      fn.addToRolePolicy(
        new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: secrets }),
      );
    }
  }
}
