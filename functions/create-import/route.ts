import * as z from 'zod';
import {
  CreateImportQuery,
  type ImportRouteDeps,
  importBodyTypes,
  importRequestMaxBytes,
  uploadedFile,
} from '#shared/http/import-upload.ts';
import { defineRoute } from '#shared/http/route.ts';
import { startImport } from '#shared/use-cases/import-tickets.ts';

export const route = defineRoute<undefined, CreateImportQuery, ImportRouteDeps>({
  name: 'create-import',
  method: 'POST',
  path: '/imports',
  // Bulk import (docs/import.md): the file is checked, stored, and checked row by row in the background;
  // with dryRun=false the commit follows. In AWS, files over API Gateway's 10 MB go by POST /imports/uploads.
  roles: ['admin'],
  rawBody: true,
  maxBodyBytes: importRequestMaxBytes,
  query: CreateImportQuery,
  access: 'write',
  uses: ['imports'],
  doc: {
    rawBody: {
      mediaTypes: importBodyTypes,
      description:
        'The CSV or XLSX file itself, or a multipart form with a `file` part and an optional `options` part (JSON of mapping, applySuggestions, dateOrder). At most 50 MiB.',
    },
    responses: [{ status: 202, description: 'The import started', body: z.object({ importId: z.string() }) }],
  },
  async handle({ rawBody, headers, query, actor }, deps) {
    const file = await uploadedFile(rawBody, headers, query.fileName);
    const record = await startImport(
      {
        bytes: file.bytes,
        fileName: file.fileName,
        contentType: file.contentType,
        dryRun: query.dryRun,
        options: {
          ...(query.mapping ? { mapping: query.mapping } : {}),
          ...(query.applySuggestions !== undefined ? { applySuggestions: query.applySuggestions } : {}),
          ...(query.dateOrder ? { dateOrder: query.dateOrder } : {}),
          ...(query.timeZone ? { timeZone: query.timeZone } : {}),
          ...(file.options ?? {}),
        },
        ...(query.mappingName ? { mappingName: query.mappingName } : {}),
      },
      actor,
      deps.importing,
    );
    return { status: 202, body: { importId: record.id }, headers: { location: `/imports/${record.id}` } };
  },
});
