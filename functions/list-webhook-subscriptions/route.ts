import * as z from 'zod';
import { defineRoute } from '#shared/http/route.ts';
import { SubscriptionBody, type WebhooksOutRouteDeps } from '#shared/http/webhooks-out-schemas.ts';
import { listSubscriptions } from '#shared/use-cases/webhook-subscriptions.ts';

/** `GET /integrations/webhooks`: every outbound webhook subscription. */
export const route = defineRoute({
  name: 'list-webhook-subscriptions',
  method: 'GET',
  path: '/integrations/webhooks',
  roles: ['admin'],
  access: 'read',
  doc: {
    responses: [
      {
        status: 200,
        description: 'The subscriptions, by name',
        body: z.object({ subscriptions: z.array(SubscriptionBody) }),
      },
    ],
  },
  async handle(_request, deps: WebhooksOutRouteDeps) {
    return { status: 200, body: { subscriptions: await listSubscriptions(deps.webhooksOut) } };
  },
});
