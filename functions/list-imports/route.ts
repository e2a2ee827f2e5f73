import { importView } from '#shared/domain/import-job/import-job.ts';
import type { ImportRouteDeps } from '#shared/http/import-upload.ts';
import { defineRoute } from '#shared/http/route.ts';

export const route = defineRoute<undefined, undefined, ImportRouteDeps>({
  name: 'list-imports',
  method: 'GET',
  path: '/imports',
  roles: ['admin'],
  access: 'read',
  uses: ['imports'],
  doc: {
    responses: [{ status: 200, description: 'The latest 50 imports, newest first (without their issues)' }],
  },
  async handle(_request, deps) {
    const now = deps.clock.now();
    const records = await deps.importing.imports.list(50);
    const items = records.map((r) => {
      const { errors: _errors, ...summary } = importView(r, now);
      return summary;
    });
    return { status: 200, body: { items }, headers: { 'cache-control': 'no-store' } };
  },
});
