import { defineRoute } from '#shared/http/route.ts';
import { DeliveryBody, deliveryView, type WebhooksOutRouteDeps } from '#shared/http/webhooks-out-schemas.ts';
import { redriveDelivery } from '#shared/use-cases/webhook-deliveries.ts';

/** `POST /integrations/webhooks/{name}/deliveries/{id}/redrive`: a dead letter due again now. */
export const route = defineRoute({
  name: 'redrive-webhook-delivery',
  method: 'POST',
  path: '/integrations/webhooks/{name}/deliveries/{id}/redrive',
  roles: ['admin'],
  access: 'write',
  doc: {
    responses: [
      { status: 202, description: 'Due again now, with a fresh 24-hour window', body: DeliveryBody },
    ],
  },
  async handle({ params }, deps: WebhooksOutRouteDeps) {
    const delivery = await redriveDelivery(params.name ?? '', params.id ?? '', deps.webhooksOut);
    return { status: 202, body: deliveryView(delivery) };
  },
});
