import type { ChannelTicketDeps } from '#shared/channels/deps.ts';
import { asPortalPage, portalLimits, submitIntake } from '#shared/channels/portal/portal.ts';
import { defineRoute, type RouteDeps } from '#shared/http/route.ts';

export const route = defineRoute({
  name: 'portal-submit',
  method: 'POST',
  path: '/portal',
  auth: 'public',
  roles: [],
  rawBody: true,
  maxBodyBytes: portalLimits.submitBodyBytes,
  access: 'write',
  uses: ['attachments'],
  async handle({ headers, rawBody, actor }, deps: ChannelTicketDeps & RouteDeps) {
    const request = {
      headers,
      ...(rawBody ? { rawBody } : {}),
      ...(actor.sourceIp ? { sourceIp: actor.sourceIp } : {}),
    };
    return asPortalPage(request, '/portal', () => submitIntake(request, deps));
  },
});
