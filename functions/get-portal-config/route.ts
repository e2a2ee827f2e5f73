import { type PortalConfigDeps, readPortalConfig } from '#shared/channels/portal/portal-config.ts';
import { PortalConfig } from '#shared/domain/portal/portal-config.ts';
import { configEtag, etagHeader } from '#shared/http/preconditions.ts';
import { type ApiDeps, defineRoute } from '#shared/http/route.ts';

export const route = defineRoute({
  name: 'get-portal-config',
  method: 'GET',
  path: '/config/portal',
  roles: ['admin', 'supervisor'],
  access: 'read',
  doc: {
    responses: [
      {
        status: 200,
        description:
          "The customer portal's branding, legal text and time zone (the defaults, version 0, until one is stored)",
        body: PortalConfig,
        headers: etagHeader,
      },
    ],
  },
  async handle(_request, deps: ApiDeps & PortalConfigDeps) {
    const config = await readPortalConfig(deps);
    return { status: 200, body: config, headers: { etag: configEtag(config) } };
  },
});
