import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { AttachmentFiles } from '../../domain/intake/intake.ports.ts';
import { safeFilename } from '../../domain/intake/safe-filename.ts';
import { mailBucketPrefixes } from './s3-attachment-store.ts';

/** RFC 6266 `attachment` with the name in both forms (ASCII fallback, UTF-8 for Chinese names). */
export const attachmentDisposition = (filename: string) =>
  `attachment; filename="${filename.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(filename)}`;

/**
 * Presigned S3 links to ticket attachments in the mail bucket (`attachments/<ticket>/<sha256>/<name>`).
 * An upload link signs the content type, the length and the SHA-256 checksum header, so S3 refuses
 * any other bytes; a download link always downloads (never renders inline from the bucket).
 */
export function s3AttachmentFiles(client: S3Client, bucket: string): AttachmentFiles {
  return {
    keyFor: (file) =>
      `${mailBucketPrefixes.attachments}${file.ticketId}/${file.sha256}/${safeFilename(file.filename)}`,
    async uploadUrl(file) {
      const checksum = Buffer.from(file.sha256, 'hex').toString('base64');
      const url = await getSignedUrl(
        client,
        new PutObjectCommand({
          Bucket: bucket,
          Key: file.storageKey,
          ContentType: file.contentType,
          ContentLength: file.size,
          ChecksumSHA256: checksum,
          ContentDisposition: 'attachment',
        }),
        {
          expiresIn: file.expiresInSeconds,
          signableHeaders: new Set(['content-type', 'content-length', 'x-amz-checksum-sha256']),
          unhoistableHeaders: new Set(['x-amz-checksum-sha256', 'content-disposition']),
        },
      );
      return {
        url,
        method: 'PUT',
        headers: {
          'content-type': file.contentType,
          'x-amz-checksum-sha256': checksum,
          'content-disposition': 'attachment',
        },
      };
    },
    downloadUrl: (file) =>
      getSignedUrl(
        client,
        new GetObjectCommand({
          Bucket: bucket,
          Key: file.storageKey,
          ResponseContentDisposition: attachmentDisposition(file.filename),
          ResponseContentType: file.contentType,
        }),
        { expiresIn: file.expiresInSeconds },
      ),
    async sizeOf(storageKey) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: storageKey }));
        return head.ContentLength ?? 0;
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === 'NotFound' || name === 'NoSuchKey') return null;
        throw error;
      }
    },
  };
}
