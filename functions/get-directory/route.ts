import { staffRoles } from '#shared/domain/actor.ts';
import { defineRoute } from '#shared/http/route.ts';
import { readDirectory } from '#shared/use-cases/directory.ts';

export const route = defineRoute({
  name: 'get-directory',
  method: 'GET',
  path: '/directory',
  // Names and labels staff read on every ticket; the configuration documents stay with admins.
  roles: staffRoles,
  access: 'read',
  async handle(_request, deps) {
    return { status: 200, body: await readDirectory(deps) };
  },
});
