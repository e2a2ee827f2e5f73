import type { ChannelTicketDeps } from '#shared/channels/deps.ts';
import { asPortalPage, portalLimits, postStatus } from '#shared/channels/portal/portal.ts';
import { defineRoute, type RouteDeps } from '#shared/http/route.ts';
import { writeScopes } from '../table-writes.ts';

export const route = defineRoute({
  name: 'portal-status-post',
  method: 'POST',
  path: '/portal/status',
  auth: 'public',
  roles: [],
  rawBody: true,
  maxBodyBytes: portalLimits.statusBodyBytes,
  access: 'write',
  writes: writeScopes.portalStatus,
  doc: {
    rawBody: {
      mediaTypes: ['application/x-www-form-urlencoded', 'multipart/form-data'],
      description:
        'A lookup (`action=lookup`, `number`, `email`) or a reply (`action=reply`, `number`, `email`, `reply`, ' +
        '`nonce`); `lang`',
    },
    responses: [
      { status: 200, description: "The ticket's status and public thread", html: true },
      { status: 400, description: 'The form again: the request was not valid', html: true },
      {
        status: 404,
        description: 'The lookup form again: no ticket with that number and e-mail',
        html: true,
      },
      {
        status: 429,
        description: 'The lookup form again: too many lookups or replies from this IP',
        html: true,
      },
    ],
  },
  async handle({ headers, rawBody, actor }, deps: ChannelTicketDeps & RouteDeps) {
    const request = {
      headers,
      ...(rawBody ? { rawBody } : {}),
      ...(actor.sourceIp ? { sourceIp: actor.sourceIp } : {}),
    };
    return asPortalPage(request, '/portal/status', () => postStatus(request, deps));
  },
});
