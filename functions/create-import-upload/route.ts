import * as z from 'zod';
import { type ImportRouteDeps, RunOptionsBody, xlsxType } from '#shared/http/import-upload.ts';
import { defineRoute } from '#shared/http/route.ts';
import { startUpload } from '#shared/use-cases/import-records.ts';

const UploadBody = z
  .object({
    fileName: z.string().trim().min(1).max(200),
    contentType: z.enum(['text/csv', xlsxType]).default('text/csv'),
    dryRun: z.boolean().default(true),
    options: RunOptionsBody,
    mappingName: z.string().trim().min(1).max(80).optional(),
  })
  .strict();
type UploadBody = z.infer<typeof UploadBody>;

export const route = defineRoute<UploadBody, undefined, ImportRouteDeps>({
  name: 'create-import-upload',
  method: 'POST',
  path: '/imports/uploads',
  // The AWS upload path (API Gateway takes at most 10 MB): an import waiting for its file and a presigned
  // S3 PUT link; then POST /imports/{id}/check starts from the uploaded object (docs/import.md).
  roles: ['admin'],
  body: UploadBody,
  access: 'write',
  uses: ['imports'],
  doc: {
    responses: [
      {
        status: 201,
        description: 'Where to PUT the file (with the same Content-Type), valid for `expiresInSeconds`',
        body: z.object({ importId: z.string(), uploadUrl: z.string(), expiresInSeconds: z.number() }),
      },
    ],
  },
  async handle({ body, actor }, deps) {
    const { record, uploadUrl, expiresInSeconds } = await startUpload(
      {
        fileName: body.fileName,
        contentType: body.contentType,
        dryRun: body.dryRun,
        options: body.options,
        ...(body.mappingName ? { mappingName: body.mappingName } : {}),
      },
      actor,
      deps.importing,
    );
    return { status: 201, body: { importId: record.id, uploadUrl, expiresInSeconds } };
  },
});
