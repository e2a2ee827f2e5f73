import type { ChannelTicketDeps } from '#shared/channels/deps.ts';
import { receiveWebhook } from '#shared/channels/webhook-channel.ts';
import { unknownWebhookSource } from '#shared/domain/intake/intake.errors.ts';
import { defineRoute, type RouteDeps } from '#shared/http/route.ts';
import { writeScopes } from '../table-writes.ts';

/**
 * `POST /hooks/{source}`: a signed delivery from an external system. No bearer token: the route
 * verifies the HMAC signature over timestamp and raw body with the source's secret itself.
 */
export const route = defineRoute({
  name: 'webhook',
  method: 'POST',
  path: '/hooks/{source}',
  auth: 'hmac',
  roles: [],
  rawBody: true,
  maxBodyBytes: 256 * 1024,
  access: 'write',
  writes: writeScopes.webhook,
  uses: ['webhook-secrets'],
  doc: {
    headers: [
      { name: 'X-Gongdan-Timestamp', description: 'Unix time in seconds', required: true },
      {
        name: 'X-Gongdan-Signature',
        description: "`sha256=` + hex HMAC-SHA256 of `<timestamp>.<raw body>` with the source's secret",
        required: true,
      },
      {
        name: 'X-Gongdan-Delivery',
        description: "The sender's unique id for this delivery (kept on retries)",
      },
    ],
    rawBody: {
      mediaTypes: ['application/json'],
      description: "The source's payload, exactly the bytes that were signed (docs/channels.md)",
    },
    responses: [
      { status: 201, description: 'A ticket was opened (`outcome`, `ticketId`, `number`)' },
      {
        status: 200,
        description:
          'No new ticket: an alert repeated or cleared, ignored, or a duplicate delivery (`outcome`)',
      },
    ],
  },
  async handle({ params, headers, rawBody }, deps: ChannelTicketDeps & RouteDeps) {
    const source = params.source ?? '';
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(source)) throw unknownWebhookSource(source.slice(0, 64));
    const result = await receiveWebhook({ source, headers, body: rawBody ?? Buffer.alloc(0) }, deps);
    return { status: result.created ? 201 : 200, body: result };
  },
});
