import { importNotFound, importView } from '#shared/domain/import-job/import-job.ts';
import { type ImportRouteDeps, importId } from '#shared/http/import-upload.ts';
import { defineRoute } from '#shared/http/route.ts';

export const route = defineRoute<undefined, undefined, ImportRouteDeps>({
  name: 'get-import',
  method: 'GET',
  path: '/imports/{id}',
  roles: ['admin'],
  access: 'read',
  uses: ['imports'],
  doc: {
    responses: [
      {
        status: 200,
        description:
          'The import: status, counts, the first 500 issues, progress (rows per second, seconds left)',
      },
    ],
  },
  async handle({ params }, deps) {
    const id = importId(params);
    const record = await deps.importing.imports.get(id);
    if (!record) throw importNotFound(id);
    return {
      status: 200,
      body: importView(record, deps.clock.now()),
      headers: { 'cache-control': 'no-store' },
    };
  },
});
