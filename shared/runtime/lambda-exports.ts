import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { lambdaExportRunner } from '../adapters/lambda/lambda-export-runner.ts';
import { s3ExportFiles } from '../adapters/storage/s3-export-files.ts';
import type { ExportDeps, ExportFiles } from '../domain/export/export.ports.ts';
import type { ApiDeps } from '../http/route.ts';
import { type ExportingDeps, runExport } from '../use-cases/export-jobs.ts';
import { env, readEnv } from './env.ts';
import { apiDeps, once, ticketDeps } from './lambda.ts';

/** The export bucket's files (`EXPORT_BUCKET`, set by the stack: infra/constructs/imports.ts), made on first use. */
const s3Files = /* @__PURE__ */ once((): ExportFiles => {
  const { exportBucket } = readEnv({ exportBucket: env.exportBucket }, process.env);
  return s3ExportFiles(new S3Client({}), exportBucket);
});

const files: ExportFiles = {
  write: (key, body, type) => s3Files().write(key, body, type),
  putJob: (job) => s3Files().putJob(job),
  getJob: (id) => s3Files().getJob(id),
  downloadUrl: (key, name, type, seconds) => s3Files().downloadUrl(key, name, type, seconds),
};

/**
 * The export routes' deps in a Lambda: files in the bucket named by `EXPORT_BUCKET` (multipart uploads,
 * presigned downloads); `POST /exports` starts the worker named by `EXPORT_RUN_FUNCTION` asynchronously
 * (docs/export.md, "In AWS"). Read on first use: `GET /exports/{id}` has no worker to start.
 */
export const exportApiDeps = /* @__PURE__ */ once((): ApiDeps & { exporting: ExportDeps } => ({
  ...apiDeps(),
  exporting: {
    files,
    runner: {
      start: (exportId) => {
        const { exportRunFunction } = readEnv({ exportRunFunction: env.exportRunFunction }, process.env);
        return lambdaExportRunner(new LambdaClient({}), exportRunFunction).start(exportId);
      },
    },
  },
}));

/** The export worker's deps (functions/export-run): the tickets it lists and the files it writes. */
export const exportWorkerDeps = /* @__PURE__ */ once((): ExportingDeps => {
  const deps: ExportingDeps = {
    ...ticketDeps(),
    exporting: { files, runner: { start: (exportId) => runExport(exportId, deps) } },
  };
  return deps;
});
