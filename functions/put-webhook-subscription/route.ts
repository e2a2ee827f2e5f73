import { SubscriptionInput, SubscriptionView } from '#shared/domain/webhooks-out/subscription.ts';
import { defineRoute } from '#shared/http/route.ts';
import type { WebhooksOutRouteDeps } from '#shared/http/webhooks-out-schemas.ts';
import { putSubscription } from '#shared/use-cases/webhook-subscriptions.ts';

/** `PUT /integrations/webhooks/{name}`: creates or replaces an outbound webhook subscription. */
export const route = defineRoute({
  name: 'put-webhook-subscription',
  method: 'PUT',
  path: '/integrations/webhooks/{name}',
  roles: ['admin'],
  body: SubscriptionInput,
  maxBodyBytes: 16 * 1024,
  access: 'write',
  uses: ['webhooks-out-secrets'],
  doc: {
    responses: [
      {
        status: 201,
        description: 'Created; the secret is never returned (only `secretHint`)',
        body: SubscriptionView,
      },
      { status: 200, description: 'Replaced', body: SubscriptionView },
    ],
  },
  async handle({ params, body }, deps: WebhooksOutRouteDeps) {
    const { subscription, created } = await putSubscription(params.name ?? '', body, deps.webhooksOut);
    return { status: created ? 201 : 200, body: subscription };
  },
});
