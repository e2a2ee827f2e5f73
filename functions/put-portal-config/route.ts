import { type PortalConfigDeps, putPortalConfig } from '#shared/channels/portal/portal-config.ts';
import { PortalConfig, PortalConfigInput } from '#shared/domain/portal/portal-config.ts';
import { configEtag, etagHeader, expectedVersion, ifMatchHeader } from '#shared/http/preconditions.ts';
import { type ApiDeps, defineRoute } from '#shared/http/route.ts';

export const route = defineRoute({
  name: 'put-portal-config',
  method: 'PUT',
  path: '/config/portal',
  roles: ['admin'],
  body: PortalConfigInput,
  maxBodyBytes: 256 * 1024,
  access: 'write',
  doc: {
    headers: [ifMatchHeader],
    responses: [
      {
        status: 200,
        description: "The customer portal's configuration, as stored",
        body: PortalConfig,
        headers: etagHeader,
      },
    ],
  },
  async handle({ body, headers }, deps: ApiDeps & PortalConfigDeps) {
    const config = await putPortalConfig(body, expectedVersion(headers), deps);
    return { status: 200, body: config, headers: { etag: configEtag(config) } };
  },
});
