import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AttachmentStore } from '../../domain/intake/intake.ports.ts';
import { safeFilename } from '../../domain/intake/safe-filename.ts';

/** S3 key prefixes in the mail bucket (the stack's lifecycle rules and grants use the same ones). */
export const mailBucketPrefixes = {
  /** Raw inbound mail, written by the SES receipt rule. */
  inbound: 'inbound/',
  /** Attachments and inline images, by ticket: `attachments/<ticketId>/<sha256>/<name>`. */
  attachments: 'attachments/',
} as const;

/**
 * Attachments in S3 under `attachments/<ticketId>/<sha256>/<name>`: the same file put twice is the
 * same object. Encrypted at rest by the bucket's default encryption.
 */
export function s3AttachmentStore(client: S3Client, bucket: string): AttachmentStore {
  return {
    async put(file) {
      const key = `${mailBucketPrefixes.attachments}${file.ticketId}/${file.sha256}/${safeFilename(file.filename)}`;
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: file.content,
          ContentType: file.contentType || 'application/octet-stream',
          // Never rendered inline from the bucket, whatever the sender claimed it is.
          ContentDisposition: 'attachment',
          ChecksumAlgorithm: 'SHA256',
        }),
      );
      return { storageKey: key };
    },
  };
}

/** The bytes of one object (a raw inbound mail). */
export async function readObject(client: S3Client, bucket: string, key: string): Promise<Buffer> {
  const { Body } = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!Body) throw new Error(`s3://${bucket}/${key} has no body`);
  return Buffer.from(await Body.transformToByteArray());
}
