import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { attachmentDisposition } from '#shared/adapters/storage/s3-attachment-files.ts';
import type { AttachmentFiles } from '#shared/domain/intake/intake.ports.ts';
import { safeFilename } from '#shared/domain/intake/safe-filename.ts';
import type { GatewayRoute } from './http-gateway.ts';

/**
 * The local runtime's stand-in for presigned S3 URLs: links to `/dev/files/<key>` signed with a key
 * held in memory (links die with the process, as presigned URLs die with their expiry), binding the
 * method, the key, the expiry and, for uploads, the size, SHA-256 and type. Expiry is on the wall
 * clock (a time-scaled virtual clock would expire them at once). Files live where the e-mail
 * channel's attachments do: `<data dir>/attachments/<ticket>/<sha256>/<name>`.
 */
export function localAttachmentFiles(dataDir: string, baseUrl: () => string) {
  const secret = randomBytes(32);
  const sign = (fields: readonly string[]) =>
    createHmac('sha256', secret).update(fields.join('\n')).digest('base64url');
  const keyPath = (storageKey: string) => {
    const root = resolve(dataDir, 'attachments');
    const path = resolve(dataDir, storageKey);
    return path.startsWith(root + sep) ? path : null;
  };
  const link = (
    op: 'get' | 'put',
    storageKey: string,
    expiresInSeconds: number,
    extra: Record<string, string>,
  ) => {
    const exp = String(Math.floor(Date.now() / 1000) + expiresInSeconds);
    const params = new URLSearchParams({ op, exp, ...extra });
    params.set('sig', sign([op, storageKey, exp, ...Object.values(extra)]));
    return `${baseUrl()}/dev/files/${storageKey.split('/').map(encodeURIComponent).join('/')}?${params}`;
  };

  const files: AttachmentFiles = {
    keyFor: (file) =>
      join('attachments', file.ticketId, file.sha256, safeFilename(file.filename)).split(sep).join('/'),
    async uploadUrl(file) {
      return {
        url: link('put', file.storageKey, file.expiresInSeconds, {
          size: String(file.size),
          sha256: file.sha256,
          type: file.contentType,
        }),
        method: 'PUT',
        headers: { 'content-type': file.contentType },
      };
    },
    async downloadUrl(file) {
      return link('get', file.storageKey, file.expiresInSeconds, {
        name: file.filename,
        type: file.contentType,
      });
    },
    async sizeOf(storageKey) {
      const path = keyPath(storageKey);
      if (!path) return null;
      try {
        return (await stat(path)).size;
      } catch {
        return null;
      }
    },
  };

  type Refusal = { statusCode: number; headers: Record<string, string>; body: string };
  const error = (statusCode: number, code: string, message: string): Refusal => ({
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify({ error: { code, message } }),
  });

  /** Checks a link's signature and expiry; the key and its path, or the refusal. */
  const verify = (
    op: 'get' | 'put',
    rawKey: string,
    query: Record<string, string | undefined>,
    extra: readonly string[],
  ): { storageKey: string; path: string } | Refusal => {
    const storageKey = rawKey.split('/').map(decodeURIComponent).join('/');
    const path = keyPath(storageKey);
    const expected = Buffer.from(
      sign([op, storageKey, query.exp ?? '', ...extra.map((k) => query[k] ?? '')]),
    );
    const given = Buffer.from(query.sig ?? '');
    if (!path || query.op !== op || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return error(403, 'FILES.SIGNATURE', 'This link is not valid');
    }
    if (Number(query.exp) < Date.now() / 1000) return error(403, 'FILES.EXPIRED', 'This link has expired');
    return { storageKey, path };
  };

  const routes: GatewayRoute[] = [
    {
      method: 'PUT',
      path: '/dev/files/{key+}',
      name: 'dev-files-put',
      maxBodyBytes: 64 * 1024 * 1024,
      async invoke(event) {
        const query = event.queryStringParameters ?? {};
        const checked = verify('put', event.pathParameters?.key ?? '', query, ['size', 'sha256', 'type']);
        if ('statusCode' in checked) return checked;
        const body = event.body
          ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8')
          : Buffer.alloc(0);
        if (body.length !== Number(query.size)) {
          return error(400, 'FILES.SIZE_MISMATCH', `Expected ${query.size} bytes, got ${body.length}`);
        }
        if (createHash('sha256').update(body).digest('hex') !== query.sha256) {
          return error(400, 'FILES.CHECKSUM_MISMATCH', 'The bytes do not match the declared SHA-256');
        }
        await mkdir(dirname(checked.path), { recursive: true, mode: 0o700 });
        await writeFile(`${checked.path}.part`, body, { mode: 0o600 });
        await rename(`${checked.path}.part`, checked.path);
        return { statusCode: 200, headers: { 'cache-control': 'no-store' }, body: '' };
      },
    },
    {
      method: 'GET',
      path: '/dev/files/{key+}',
      name: 'dev-files-get',
      async invoke(event) {
        const query = event.queryStringParameters ?? {};
        const checked = verify('get', event.pathParameters?.key ?? '', query, ['name', 'type']);
        if ('statusCode' in checked) return checked;
        let content: Buffer;
        try {
          content = await readFile(checked.path);
        } catch {
          return error(404, 'FILES.NOT_FOUND', 'Nothing was uploaded here');
        }
        return {
          statusCode: 200,
          headers: {
            'content-type': query.type ?? 'application/octet-stream',
            'content-disposition': attachmentDisposition(query.name ?? 'file'),
            'x-content-type-options': 'nosniff',
            'cache-control': 'private, no-store',
          },
          body: content.toString('base64'),
          isBase64Encoded: true,
        };
      },
    },
  ];
  return { files, routes };
}
