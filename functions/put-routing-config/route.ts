import { etagHeader, expectedVersion, ifMatchHeader } from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { putRoutingConfig, RoutingConfigProposal } from '#shared/use-cases/configure-routing.ts';

export const route = defineRoute({
  name: 'put-routing-config',
  method: 'PUT',
  path: '/config/routing',
  roles: ['admin'],
  body: RoutingConfigProposal,
  // The whole document is stored as one item (DynamoDB's limit is 400 KB), twice with its audit copy.
  maxBodyBytes: 256 * 1024,
  access: 'write',
  doc: {
    headers: [ifMatchHeader],
    responses: [{ status: 200, description: 'The routing configuration, as stored', headers: etagHeader }],
  },
  async handle({ body, headers, actor }, deps) {
    const config = await putRoutingConfig(body, actor, expectedVersion(headers), deps);
    return { status: 200, body: config, headers: { etag: `"${config.version}"` } };
  },
});
