import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import type { ImportFiles } from '#shared/domain/import-job/import.ports.ts';
import { importMaxBytes } from '#shared/domain/import-job/import-job.ts';
import { safeFilename } from '#shared/domain/intake/safe-filename.ts';
import type { GatewayRoute } from './http-gateway.ts';

/**
 * Import files in the local runtime: `<data dir>/imports/<id>/<name>` and, beside each, its issues
 * (JSON lines). Read back as streams. The AWS upload path's presigned PUT is stood in for by a link to
 * `/dev/import-files/<key>` signed with a key held in memory (as attachment links are).
 */
export function localImportFiles(dataDir: string, baseUrl: () => string) {
  const root = resolve(dataDir, 'imports');
  const secret = randomBytes(32);
  const sign = (key: string, exp: string, type: string) =>
    createHmac('sha256', secret).update(['import-put', key, exp, type].join('\n')).digest('base64url');
  const pathOf = (key: string) => {
    const path = resolve(dataDir, key);
    if (!path.startsWith(root + sep)) throw new Error(`Not an import key: ${key}`);
    return path;
  };
  const putFile = async (key: string, bytes: Uint8Array) => {
    const path = pathOf(key);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(`${path}.part`, bytes, { mode: 0o600 });
    await rename(`${path}.part`, path);
  };

  const files: ImportFiles = {
    keyFor: (importId, fileName) => `imports/${importId}/${safeFilename(fileName)}`,
    put: (key, bytes) => putFile(key, bytes),
    read: (key) => createReadStream(pathOf(key), { highWaterMark: 256 * 1024 }),
    async size(key) {
      try {
        return (await stat(pathOf(key))).size;
      } catch {
        return null;
      }
    },
    async uploadUrl(key, contentType, expiresInSeconds) {
      const exp = String(Math.floor(Date.now() / 1000) + expiresInSeconds);
      const params = new URLSearchParams({ exp, type: contentType, sig: sign(key, exp, contentType) });
      return `${baseUrl()}/dev/import-files/${key.split('/').map(encodeURIComponent).join('/')}?${params}`;
    },
    writer(key) {
      const path = pathOf(key);
      let out: ReturnType<typeof createWriteStream> | undefined;
      const opened = async () => {
        if (!out) {
          await mkdir(dirname(path), { recursive: true, mode: 0o700 });
          out = createWriteStream(`${path}.part`, { mode: 0o600 });
        }
        return out;
      };
      return {
        async write(text) {
          const stream = await opened();
          if (!stream.write(text)) await new Promise<void>((done) => stream.once('drain', () => done()));
        },
        async close() {
          const stream = await opened();
          await new Promise<void>((done, fail) => {
            stream.once('error', fail);
            stream.end(() => done());
          });
          await rename(`${path}.part`, path);
        },
      };
    },
  };

  const refuse = (statusCode: number, code: string, message: string) => ({
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify({ error: { code, message } }),
  });
  const routes: GatewayRoute[] = [
    {
      method: 'PUT',
      path: '/dev/import-files/{key+}',
      name: 'dev-import-files-put',
      maxBodyBytes: importMaxBytes,
      async invoke(event) {
        const query = event.queryStringParameters ?? {};
        const key = (event.pathParameters?.key ?? '').split('/').map(decodeURIComponent).join('/');
        const expected = Buffer.from(sign(key, query.exp ?? '', query.type ?? ''));
        const given = Buffer.from(query.sig ?? '');
        if (
          given.length !== expected.length ||
          !timingSafeEqual(given, expected) ||
          !key.startsWith('imports/')
        )
          return refuse(403, 'FILES.SIGNATURE', 'This link is not valid');
        if (Number(query.exp) < Date.now() / 1000)
          return refuse(403, 'FILES.EXPIRED', 'This link has expired');
        const type = (event.headers['content-type'] ?? '').split(';')[0]!.trim();
        if (type !== query.type) return refuse(403, 'FILES.TYPE', `This link takes ${query.type}`);
        const body = event.body
          ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8')
          : Buffer.alloc(0);
        await putFile(key, body);
        return { statusCode: 200, headers: { 'cache-control': 'no-store' }, body: '' };
      },
    },
  ];
  return { files, routes };
}
