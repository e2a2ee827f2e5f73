import { createHash } from 'node:crypto';
import { HeadObjectCommand, NotFound, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { s3AttachmentFiles } from '#shared/adapters/storage/s3-attachment-files.ts';

/** Presigning needs credentials and a region, not the network: a client with fixed test ones. */
const client = new S3Client({
  region: 'eu-central-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
});
const files = s3AttachmentFiles(client, 'gongdan-mail');
const sha256 = createHash('sha256').update('hello').digest('hex');

describe('s3AttachmentFiles()', () => {
  const s3 = mockClient(client);
  afterEach(() => s3.reset());

  it('keys a file under attachments/<ticket>/<sha256>/<safe name>', () => {
    expect(files.keyFor({ ticketId: 'T1', sha256, filename: '现场 照片.png' })).toMatch(
      new RegExp(`^attachments/T1/${sha256}/.+\\.png$`),
    );
  });

  it('presigns a PUT that binds the type, the length and the SHA-256 checksum', async () => {
    const upload = await files.uploadUrl({
      storageKey: `attachments/T1/${sha256}/a.txt`,
      contentType: 'text/plain',
      size: 5,
      sha256,
      expiresInSeconds: 900,
    });
    const url = new URL(upload.url);
    expect(url.hostname).toBe('gongdan-mail.s3.eu-central-1.amazonaws.com');
    expect(url.pathname).toBe(`/attachments/T1/${sha256}/a.txt`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual(
      expect.arrayContaining(['content-length', 'content-type', 'host', 'x-amz-checksum-sha256']),
    );
    expect(upload).toMatchObject({
      method: 'PUT',
      headers: {
        'content-type': 'text/plain',
        'x-amz-checksum-sha256': Buffer.from(sha256, 'hex').toString('base64'),
      },
    });
  });

  it('presigns a GET that downloads as an attachment under the file name', async () => {
    const url = new URL(
      await files.downloadUrl({
        storageKey: `attachments/T1/${sha256}/a.pdf`,
        filename: '报告.pdf',
        contentType: 'application/pdf',
        expiresInSeconds: 300,
      }),
    );
    expect(url.searchParams.get('response-content-disposition')).toBe(
      `attachment; filename="__.pdf"; filename*=UTF-8''${encodeURIComponent('报告.pdf')}`,
    );
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
  });

  it('reads the stored size, and null when nothing was uploaded', async () => {
    s3.on(HeadObjectCommand, { Key: 'attachments/T1/x/a.txt' }).resolves({ ContentLength: 5 });
    s3.on(HeadObjectCommand, { Key: 'attachments/T1/x/b.txt' }).rejects(
      new NotFound({ message: 'Not Found', $metadata: {} }),
    );
    expect(await files.sizeOf('attachments/T1/x/a.txt')).toBe(5);
    expect(await files.sizeOf('attachments/T1/x/b.txt')).toBeNull();
  });
});
