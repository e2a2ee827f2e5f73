import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { mailBucketPrefixes } from '#shared/adapters/storage/s3-attachment-store.ts';

export interface MailStoreProps {
  /** Days raw inbound mail is kept (`inbound/`); the ticket keeps its text and attachments. */
  rawMailRetentionDays: number;
}

/**
 * The mail bucket: raw inbound messages written by the SES receipt rule (`inbound/`, expiring) and the
 * attachments and inline images of tickets (`attachments/`, moved to infrequent access after 30 days).
 * Encrypted (SSE-S3, which SES receipt writes support without a key policy), no public access, TLS
 * only, owner-enforced objects, server access logs to a log bucket; retained with the stack's data.
 */
export class MailStore extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;
  /** Attach to a role that reads stored inbound messages (`inbound/*`, GetObject only). */
  readonly readInbound: ManagedPolicy;
  /** Attach to a role that keeps ticket attachments (`attachments/*`, PutObject only). */
  readonly writeAttachments: ManagedPolicy;

  constructor(scope: Construct, id: string, props: MailStoreProps) {
    super(scope, id);
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the server access log bucket of the mail bucket; logging its own access would need a ' +
        'third bucket and record only the log delivery service writing here.',
    });

    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'mail-bucket/',
      lifecycleRules: [
        {
          id: 'ExpireRawMail',
          prefix: mailBucketPrefixes.inbound,
          expiration: Duration.days(props.rawMailRetentionDays),
        },
        {
          id: 'AttachmentsToInfrequentAccess',
          prefix: mailBucketPrefixes.attachments,
          transitions: [{ storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) }],
        },
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // The grants live here, beside the bucket, so they name it directly; roles in the stateless stack
    // attach them. Objects are keyed per message or ticket, so a prefix is the narrowest resource.
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement);
    const prefixPolicy = (id: string, action: string, prefix: string, what: string) => {
      const policy = new ManagedPolicy(this, id, {
        description: `${action} under ${prefix} of the Gongdan mail bucket`,
        statements: [
          new PolicyStatement({ actions: [action], resources: [this.bucket.arnForObjects(`${prefix}*`)] }),
        ],
      });
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
        reason: `To ${what}: objects are keyed per message or ticket under ${prefix}, one prefix of one bucket, one action.`,
      });
      return policy;
    };
    this.readInbound = prefixPolicy(
      'ReadInbound',
      's3:GetObject',
      mailBucketPrefixes.inbound,
      'read stored inbound mail',
    );
    this.writeAttachments = prefixPolicy(
      'WriteAttachments',
      's3:PutObject',
      mailBucketPrefixes.attachments,
      'keep ticket attachments',
    );
  }
}
