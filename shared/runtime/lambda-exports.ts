import { S3Client } from '@aws-sdk/client-s3';
import { s3ExportFiles } from '../adapters/storage/s3-export-files.ts';
import type { ExportDeps, ExportFiles } from '../domain/export/export.ports.ts';
import type { ApiDeps } from '../http/route.ts';
import { runExport } from '../use-cases/export-jobs.ts';
import { env, readEnv } from './env.ts';
import { apiDeps, once } from './lambda.ts';

/** The export bucket's files (`EXPORT_BUCKET`, set by the stack: infra/constructs/imports.ts), made on first use. */
const s3Files = /* @__PURE__ */ once((): ExportFiles => {
  const { exportBucket } = readEnv({ exportBucket: env.exportBucket }, process.env);
  return s3ExportFiles(new S3Client({}), exportBucket);
});

/**
 * The export routes' deps in a Lambda: files in the bucket named by `EXPORT_BUCKET` (multipart uploads,
 * presigned downloads). The runner writes the file within the starting invocation (bounded by the
 * function's timeout, not API Gateway's): docs/export.md, "In AWS".
 */
export const exportApiDeps = /* @__PURE__ */ once((): ApiDeps & { exporting: ExportDeps } => {
  const files: ExportFiles = {
    write: (key, body, type) => s3Files().write(key, body, type),
    putJob: (job) => s3Files().putJob(job),
    getJob: (id) => s3Files().getJob(id),
    downloadUrl: (key, name, type, seconds) => s3Files().downloadUrl(key, name, type, seconds),
  };
  const deps: ApiDeps & { exporting: ExportDeps } = {
    ...apiDeps(),
    exporting: { files, runner: { start: (exportId) => runExport(exportId, deps) } },
  };
  return deps;
});
