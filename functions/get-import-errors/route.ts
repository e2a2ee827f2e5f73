import { errorsCsv } from '#shared/domain/import/check-import.ts';
import { importNotFound } from '#shared/domain/import-job/import-job.ts';
import { type ImportRouteDeps, importId } from '#shared/http/import-upload.ts';
import { defineRoute } from '#shared/http/route.ts';
import { importIssues } from '#shared/use-cases/import-tickets.ts';

export const route = defineRoute<undefined, undefined, ImportRouteDeps>({
  name: 'get-import-errors',
  method: 'GET',
  path: '/imports/{id}/errors.csv',
  roles: ['admin'],
  access: 'read',
  uses: ['imports'],
  doc: {
    responses: [
      {
        status: 200,
        description:
          'Every issue of the latest check or commit: row, column, code, message, suggestion (UTF-8 with BOM)',
        files: ['text/csv'],
      },
    ],
  },
  async handle({ params }, deps) {
    const id = importId(params);
    const record = await deps.importing.imports.get(id);
    if (!record) throw importNotFound(id);
    const csv = await errorsCsv(importIssues(record, deps.importing));
    return {
      status: 200,
      bytes: Buffer.from(csv, 'utf8'),
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="import-${id}-errors.csv"`,
        'cache-control': 'no-store',
      },
    };
  },
});
