import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ImportFiles } from '../../domain/import-job/import.ports.ts';
import { safeFilename } from '../../domain/intake/safe-filename.ts';

/** Where imports keep their files in the import bucket: `imports/<importId>/<name>` and what goes beside it. */
export const importPrefix = 'imports/';

const isMissing = (error: unknown) => {
  const name = (error as { name?: string }).name;
  return name === 'NotFound' || name === 'NoSuchKey';
};

/**
 * Import files in S3: the upload (put by the API, or by the browser through a presigned PUT), its
 * issues file and the chunk manifests beside it. Read back as a stream, never whole.
 */
export function s3ImportFiles(client: S3Client, bucket: string): ImportFiles {
  return {
    keyFor: (importId, fileName) => `${importPrefix}${importId}/${safeFilename(fileName)}`,
    async put(key, bytes, contentType) {
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: contentType }),
      );
    },
    async *read(key) {
      let body: AsyncIterable<Uint8Array>;
      try {
        const { Body } = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (!Body) return;
        body = Body as unknown as AsyncIterable<Uint8Array>;
      } catch (error) {
        if (isMissing(error)) throw Object.assign(new Error(`No object ${key}`), { code: 'ENOENT' });
        throw error;
      }
      yield* body;
    },
    async size(key) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return head.ContentLength ?? 0;
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
    uploadUrl: (key, contentType, expiresInSeconds) =>
      getSignedUrl(client, new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: contentType }), {
        expiresIn: expiresInSeconds,
        signableHeaders: new Set(['content-type']),
      }),
    writer(key) {
      // Issues and manifests are small next to the file (a line per issue): kept and put at the end.
      const parts: string[] = [];
      return {
        async write(text) {
          parts.push(text);
        },
        async close() {
          await client.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: key,
              Body: parts.join(''),
              ContentType: 'application/x-ndjson',
            }),
          );
        },
      };
    },
  };
}
