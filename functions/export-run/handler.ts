import * as z from 'zod';
import { lambda } from '#shared/runtime/lambda.ts';
import { exportWorkerDeps } from '#shared/runtime/lambda-exports.ts';
import { runExport } from '#shared/use-cases/export-jobs.ts';

const ExportRunEvent = z.object({ exportId: z.string().min(1).max(64) });

/**
 * The export worker: `POST /exports` invokes it asynchronously (shared/adapters/lambda/
 * lambda-export-runner.ts) and it writes the file page by page to S3 (docs/export.md, "In AWS").
 */
export const handler = lambda(
  async (event: unknown) => runExport(ExportRunEvent.parse(event).exportId, exportWorkerDeps()),
  (event) => {
    const parsed = ExportRunEvent.safeParse(event);
    return parsed.success ? `export-${parsed.data.exportId}` : undefined;
  },
);
