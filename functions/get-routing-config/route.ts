import { etagHeader } from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { getRoutingConfig } from '#shared/use-cases/configure-routing.ts';

export const route = defineRoute({
  name: 'get-routing-config',
  method: 'GET',
  path: '/config/routing',
  roles: ['admin', 'supervisor'],
  access: 'read',
  doc: { responses: [{ status: 200, description: 'The routing configuration', headers: etagHeader }] },
  async handle(_request, deps) {
    const config = await getRoutingConfig(deps);
    return { status: 200, body: config, headers: { etag: `"${config.version}"` } };
  },
});
