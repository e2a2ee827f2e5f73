import type { ImportRouteDeps } from '#shared/http/import-upload.ts';
import { defineRoute } from '#shared/http/route.ts';

export const route = defineRoute<undefined, undefined, ImportRouteDeps>({
  name: 'list-import-mappings',
  method: 'GET',
  path: '/imports/mappings',
  roles: ['admin'],
  access: 'read',
  uses: ['imports'],
  doc: { responses: [{ status: 200, description: 'The saved mappings, by name' }] },
  async handle(_request, deps) {
    const items = await deps.importing.imports.listMappings();
    return { status: 200, body: { items: items.map(({ name, mapping }) => ({ name, mapping })) } };
  },
});
