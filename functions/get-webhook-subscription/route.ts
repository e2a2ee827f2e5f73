import { defineRoute } from '#shared/http/route.ts';
import { SubscriptionBody, type WebhooksOutRouteDeps } from '#shared/http/webhooks-out-schemas.ts';
import { getSubscription } from '#shared/use-cases/webhook-subscriptions.ts';

/** `GET /integrations/webhooks/{name}`: one subscription (no secret) and its endpoint's circuit. */
export const route = defineRoute({
  name: 'get-webhook-subscription',
  method: 'GET',
  path: '/integrations/webhooks/{name}',
  roles: ['admin'],
  access: 'read',
  doc: { responses: [{ status: 200, description: 'The subscription', body: SubscriptionBody }] },
  async handle({ params }, deps: WebhooksOutRouteDeps) {
    return { status: 200, body: await getSubscription(params.name ?? '', deps.webhooksOut) };
  },
});
