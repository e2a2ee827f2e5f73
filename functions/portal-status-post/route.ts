import type { ChannelTicketDeps } from '#shared/channels/deps.ts';
import { asPortalPage, portalLimits, postStatus } from '#shared/channels/portal/portal.ts';
import { defineRoute, type RouteDeps } from '#shared/http/route.ts';

export const route = defineRoute({
  name: 'portal-status-post',
  method: 'POST',
  path: '/portal/status',
  auth: 'public',
  roles: [],
  rawBody: true,
  maxBodyBytes: portalLimits.statusBodyBytes,
  access: 'write',
  async handle({ headers, rawBody, actor }, deps: ChannelTicketDeps & RouteDeps) {
    const request = {
      headers,
      ...(rawBody ? { rawBody } : {}),
      ...(actor.sourceIp ? { sourceIp: actor.sourceIp } : {}),
    };
    return asPortalPage(request, '/portal/status', () => postStatus(request, deps));
  },
});
