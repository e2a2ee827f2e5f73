import { S3Client } from '@aws-sdk/client-s3';
import { s3ExportFiles } from '../adapters/storage/s3-export-files.ts';
import type { ExportDeps, ExportFiles } from '../domain/export/export.ports.ts';
import type { ApiDeps } from '../http/route.ts';
import { runExport } from '../use-cases/export-jobs.ts';
import { apiDeps, once } from './lambda.ts';

/** The export bucket's files, made on first use (a function without `exportBucket` fails then, not at start). */
const s3Files = /* @__PURE__ */ once((): ExportFiles => {
  const bucket = process.env.exportBucket;
  if (!bucket) throw new Error('exportBucket is not set: this function is not set up to write exports');
  return s3ExportFiles(new S3Client({}), bucket);
});

/**
 * The export routes' deps in a Lambda: files in the bucket named by `exportBucket` (multipart uploads,
 * presigned downloads). The runner writes the file within the starting invocation (bounded by the
 * function's timeout, not API Gateway's): docs/export.md, "In AWS", says what is still to wire.
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
