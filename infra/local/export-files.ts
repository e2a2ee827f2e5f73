import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { attachmentDisposition } from '#shared/adapters/storage/s3-attachment-files.ts';
import type { ExportFiles, ExportJob, ExportRunner } from '#shared/domain/export/export.ports.ts';
import type { Logger } from '#shared/domain/ports.ts';
import { streamedBody } from '#shared/http/streamed-body.ts';
import { type ExportingDeps, runExport } from '#shared/use-cases/export-jobs.ts';
import type { GatewayRoute } from './http-gateway.ts';

/**
 * Export files in the local runtime: `<data dir>/exports/<id>.<format>` beside `<id>.json`, as S3 holds
 * them in AWS. A file is streamed to disk as it is produced (`.part`, renamed when whole); the presigned
 * download is stood in for by a link to `/dev/export-files/<key>` signed with a key held in memory, which
 * streams the file back.
 */
export function localExportFiles(dataDir: string, baseUrl: () => string) {
  const root = resolve(dataDir, 'exports');
  const secret = randomBytes(32);
  const sign = (fields: readonly string[]) =>
    createHmac('sha256', secret)
      .update(['export-get', ...fields].join('\n'))
      .digest('base64url');
  const pathOf = (key: string) => {
    const path = resolve(dataDir, key);
    if (!path.startsWith(root + sep)) throw new Error(`Not an export key: ${key}`);
    return path;
  };
  const writeAtomically = async (path: string, write: (partPath: string) => Promise<void>) => {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await write(`${path}.part`);
    await rename(`${path}.part`, path);
  };

  const files: ExportFiles = {
    write: (key, body) =>
      writeAtomically(pathOf(key), (part) =>
        pipeline(Readable.from(body), createWriteStream(part, { mode: 0o600 })),
      ),
    putJob: (job) =>
      writeAtomically(pathOf(`exports/${job.id}.json`), (part) =>
        writeFile(part, JSON.stringify(job), { mode: 0o600 }),
      ),
    async getJob(id) {
      try {
        return JSON.parse(await readFile(pathOf(`exports/${id}.json`), 'utf8')) as ExportJob;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async downloadUrl(key, filename, contentType, expiresInSeconds) {
      const exp = String(Math.floor(Date.now() / 1000) + expiresInSeconds);
      const params = new URLSearchParams({ exp, name: filename, type: contentType });
      params.set('sig', sign([key, exp, filename, contentType]));
      return `${baseUrl()}/dev/export-files/${key.split('/').map(encodeURIComponent).join('/')}?${params}`;
    },
  };

  const refuse = (statusCode: number, code: string, message: string) => ({
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify({ error: { code, message } }),
  });
  const routes: GatewayRoute[] = [
    {
      method: 'GET',
      path: '/dev/export-files/{key+}',
      name: 'dev-export-files-get',
      async invoke(event) {
        const q = event.queryStringParameters ?? {};
        const key = event.pathParameters?.key ?? '';
        const expected = Buffer.from(sign([key, q.exp ?? '', q.name ?? '', q.type ?? '']));
        const given = Buffer.from(q.sig ?? '');
        if (given.length !== expected.length || !timingSafeEqual(given, expected))
          return refuse(403, 'FILES.SIGNATURE', 'This link is not valid');
        if (Number(q.exp) < Date.now() / 1000) return refuse(403, 'FILES.EXPIRED', 'This link has expired');
        const path = pathOf(key);
        const size = await stat(path).then(
          (s) => s.size,
          () => null,
        );
        if (size === null) return refuse(404, 'FILES.NOT_FOUND', 'This file is gone');
        return {
          statusCode: 200,
          headers: {
            'content-type': q.type ?? 'application/octet-stream',
            'content-disposition': attachmentDisposition(q.name ?? 'export'),
            'content-length': String(size),
            'cache-control': 'no-store',
          },
          body: '',
          [streamedBody]: createReadStream(path, { highWaterMark: 256 * 1024 }),
        };
      },
    },
  ];
  return { files, routes };
}

/** Runs exports in process, in the background; `stop` waits for those under way. */
export function localExportRunner(deps: () => ExportingDeps, logger: Logger) {
  const running = new Set<Promise<void>>();
  const runner: ExportRunner = {
    async start(exportId) {
      const run = runExport(exportId, deps())
        .catch((error: unknown) =>
          logger.error('export.run_failed', {
            exportId,
            error: error instanceof Error ? error.message : String(error),
          }),
        )
        .finally(() => running.delete(run));
      running.add(run);
    },
  };
  return { runner, stop: () => Promise.all(running).then(() => undefined) };
}
