import type { ChannelTicketDeps } from '#shared/channels/deps.ts';
import { asPortalPage, portalLimits, submitIntake } from '#shared/channels/portal/portal.ts';
import { defineRoute, type RouteDeps } from '#shared/http/route.ts';
import { writeScopes } from '../table-writes.ts';

export const route = defineRoute({
  name: 'portal-submit',
  method: 'POST',
  path: '/portal',
  auth: 'public',
  roles: [],
  rawBody: true,
  maxBodyBytes: portalLimits.submitBodyBytes,
  access: 'write',
  writes: writeScopes.portalIntake,
  uses: ['attachments'],
  doc: {
    rawBody: {
      mediaTypes: ['multipart/form-data', 'application/x-www-form-urlencoded'],
      description:
        'The intake form: `subject`, `description`, `email`, `name`, `phone`, `category`, `location`, ' +
        '`nonce` (the idempotency key), `lang`, files as `attachments` (multipart); `website` must stay empty',
    },
    responses: [
      { status: 201, description: 'The confirmation page with the ticket number', html: true },
      { status: 200, description: 'A confirmation without a ticket (the honeypot was filled)', html: true },
      { status: 400, description: 'The form again, each invalid field marked', html: true },
      { status: 413, description: 'The form again: too many or too large files', html: true },
      { status: 422, description: 'The form again: this submission was already sent', html: true },
      { status: 429, description: 'The form again: too many submissions from this IP or e-mail', html: true },
    ],
  },
  async handle({ headers, rawBody, actor }, deps: ChannelTicketDeps & RouteDeps) {
    const request = {
      headers,
      ...(rawBody ? { rawBody } : {}),
      ...(actor.sourceIp ? { sourceIp: actor.sourceIp } : {}),
    };
    return asPortalPage(request, '/portal', () => submitIntake(request, deps));
  },
});
