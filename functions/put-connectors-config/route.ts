import { ConnectorsConfig, ConnectorsConfigInput } from '#shared/domain/customer360/connectors.ts';
import { configEtag, etagHeader, expectedVersion, ifMatchHeader } from '#shared/http/preconditions.ts';
import { type ApiDeps, defineRoute } from '#shared/http/route.ts';
import { type Customer360Services, putConnectorsConfig } from '#shared/use-cases/customer-360.ts';

export const route = defineRoute({
  name: 'put-connectors-config',
  method: 'PUT',
  path: '/config/connectors',
  roles: ['admin'],
  body: ConnectorsConfigInput,
  maxBodyBytes: 128 * 1024,
  access: 'write',
  writes: { actions: ['PutItem'], partitionKeys: ['CONFIG'] },
  doc: {
    headers: [ifMatchHeader],
    responses: [
      {
        status: 200,
        description: 'The Customer 360 connectors, as stored',
        body: ConnectorsConfig,
        headers: etagHeader,
      },
    ],
  },
  async handle({ body, headers, actor }, deps: ApiDeps & { customer360: Customer360Services }) {
    const config = await putConnectorsConfig(body, actor, expectedVersion(headers), deps);
    return { status: 200, body: config, headers: { etag: configEtag(config) } };
  },
});
