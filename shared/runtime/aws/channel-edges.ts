import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { awsWebhookSecrets } from '../../adapters/secrets/webhook-secrets.ts';
import { s3AttachmentFiles } from '../../adapters/storage/s3-attachment-files.ts';
import { s3AttachmentStore } from '../../adapters/storage/s3-attachment-store.ts';
import type { AwsEdges } from '../aws-platform.ts';

/** What the channels reach: S3 for attachments, SSM and Secrets Manager for webhook secrets. */
export const channelEdges: AwsEdges = {
  attachments: (ctx) => {
    let client: S3Client | undefined;
    return (bucket) => {
      if (!bucket) return { put: () => Promise.reject(new Error('This function keeps no attachments')) };
      client ??= ctx.trace(new S3Client({}));
      return s3AttachmentStore(client, bucket);
    };
  },
  attachmentFiles: (ctx) => {
    let client: S3Client | undefined;
    return (bucket) => {
      const refuse = () => {
        throw new Error('This function keeps no attachments');
      };
      if (!bucket) return { keyFor: refuse, uploadUrl: refuse, downloadUrl: refuse, sizeOf: refuse };
      client ??= ctx.trace(new S3Client({}));
      return s3AttachmentFiles(client, bucket);
    };
  },
  webhookSecrets: (ctx) => () =>
    awsWebhookSecrets({
      ssm: ctx.trace(new SSMClient({})),
      secretsManager: ctx.trace(new SecretsManagerClient({})),
    }),
};
