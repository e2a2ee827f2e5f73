import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { mailBucketPrefixes } from '#shared/adapters/storage/s3-attachment-store.ts';

/**
 * The console's default origin: its CloudFront distribution's `*.cloudfront.net` domain, which the
 * stateless stack creates after this bucket, so it is named by pattern. CORS only lets a page read what
 * a presigned URL returns; the URL itself (signed, minutes long, one object) is the authorization, so
 * allowing other CloudFront-hosted pages gives them nothing they could not fetch without a browser.
 */
export const consoleOrigins = ['https://*.cloudfront.net'] as const;

export interface MailStoreProps {
  /** Days raw inbound mail is kept (`inbound/`); the ticket keeps its text and attachments. */
  rawMailRetentionDays: number;
  /**
   * Browser origins that PUT staff uploads and GET downloads straight to the bucket with presigned
   * URLs (CORS), besides the console's own CloudFront domain (always allowed, see `consoleOrigins`):
   * the console's custom domain when it has one (setting `corsAllowOrigins`).
   */
  uploadOrigins?: readonly string[];
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
  /**
   * Attach to a role that signs staff upload and download links (`attachments/*`, GetObject and
   * PutObject: a presigned URL carries the signer's permissions, and HeadObject checks an upload).
   */
  readonly staffAttachments: ManagedPolicy;

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
      cors: [
        {
          id: 'StaffAttachments',
          allowedOrigins: [...new Set([...consoleOrigins, ...(props.uploadOrigins ?? [])])],
          allowedMethods: [HttpMethods.PUT, HttpMethods.GET],
          allowedHeaders: ['content-type', 'content-disposition', 'x-amz-checksum-sha256'],
          exposedHeaders: ['etag'],
          maxAge: 3600,
        },
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
    this.staffAttachments = new ManagedPolicy(this, 'StaffAttachments', {
      description: `Sign staff upload and download links under ${mailBucketPrefixes.attachments} of the Gongdan mail bucket`,
      statements: [
        new PolicyStatement({
          actions: ['s3:GetObject', 's3:PutObject'],
          resources: [this.bucket.arnForObjects(`${mailBucketPrefixes.attachments}*`)],
        }),
      ],
    });
    Validations.of(this.staffAttachments).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${mailBucketPrefixes.attachments}*]`,
      reason:
        'To sign staff upload and download links: objects are keyed per ticket under attachments/, one prefix of one bucket, read and write only.',
    });
  }
}
