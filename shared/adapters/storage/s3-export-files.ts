import { Readable } from 'node:stream';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ExportFiles, ExportJob } from '../../domain/export/export.ports.ts';
import { attachmentDisposition } from './s3-attachment-files.ts';

/** Each part of an export's multipart upload (S3's minimum is 5 MiB). */
const partBytes = 8 * 1024 * 1024;

/**
 * Export files in S3 (`exports/<id>.<format>`, status documents `exports/<id>.json`): a file is written by a
 * multipart upload as it is produced — one part buffered at a time, so a 100,000-row export needs no more
 * memory than a small one — and downloaded through a presigned GET that always downloads.
 */
export function s3ExportFiles(client: S3Client, bucket: string): ExportFiles {
  const jobKey = (id: string) => `exports/${id}.json`;
  return {
    async write(key, body, contentType) {
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: key, Body: Readable.from(body), ContentType: contentType },
        partSize: partBytes,
        queueSize: 2,
        // A failed upload is aborted, so no orphaned parts are left to pay for.
        leavePartsOnError: false,
      });
      await upload.done();
    },
    async putJob(job) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: jobKey(job.id),
          Body: JSON.stringify(job),
          ContentType: 'application/json',
        }),
      );
    },
    async getJob(id) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: jobKey(id) }));
        return JSON.parse(await out.Body!.transformToString('utf8')) as ExportJob;
      } catch (error) {
        if (error instanceof NoSuchKey) return null;
        throw error;
      }
    },
    downloadUrl: (key, filename, contentType, expiresInSeconds) =>
      getSignedUrl(
        client,
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ResponseContentDisposition: attachmentDisposition(filename),
          ResponseContentType: contentType,
        }),
        { expiresIn: expiresInSeconds },
      ),
  };
}
