import { ConnectorsConfig } from '#shared/domain/customer360/connectors.ts';
import { configEtag, etagHeader } from '#shared/http/preconditions.ts';
import { type ApiDeps, defineRoute } from '#shared/http/route.ts';
import { type Customer360Services, getConnectorsConfig } from '#shared/use-cases/customer-360.ts';

export const route = defineRoute({
  name: 'get-connectors-config',
  method: 'GET',
  path: '/config/connectors',
  roles: ['admin'],
  access: 'read',
  doc: {
    responses: [
      {
        status: 200,
        description: 'The Customer 360 connectors (none, version 0, until some are stored)',
        body: ConnectorsConfig,
        headers: etagHeader,
      },
    ],
  },
  async handle(_request, deps: ApiDeps & { customer360: Customer360Services }) {
    const config = await getConnectorsConfig(deps);
    return { status: 200, body: config, headers: { etag: configEtag(config) } };
  },
});
