import { defineRoute } from '#shared/http/route.ts';
import type { WebhooksOutRouteDeps } from '#shared/http/webhooks-out-schemas.ts';
import { deleteSubscription } from '#shared/use-cases/webhook-subscriptions.ts';

/** `DELETE /integrations/webhooks/{name}`: removes a subscription and its secret. */
export const route = defineRoute({
  name: 'delete-webhook-subscription',
  method: 'DELETE',
  path: '/integrations/webhooks/{name}',
  roles: ['admin'],
  access: 'write',
  uses: ['webhooks-out-secrets'],
  doc: { responses: [{ status: 204, description: 'Deleted; its delivery log stays until it expires' }] },
  async handle({ params }, deps: WebhooksOutRouteDeps) {
    await deleteSubscription(params.name ?? '', deps.webhooksOut);
    return { status: 204 };
  },
});
