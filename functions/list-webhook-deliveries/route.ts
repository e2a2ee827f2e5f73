import * as z from 'zod';
import { defineRoute } from '#shared/http/route.ts';
import {
  DeliveryBody,
  DeliveryQuery,
  deliveryView,
  type WebhooksOutRouteDeps,
} from '#shared/http/webhooks-out-schemas.ts';
import { listDeliveries } from '#shared/use-cases/webhook-deliveries.ts';

/** `GET /integrations/webhooks/{name}/deliveries?status=`: the delivery log, newest first, with attempts. */
export const route = defineRoute({
  name: 'list-webhook-deliveries',
  method: 'GET',
  path: '/integrations/webhooks/{name}/deliveries',
  roles: ['admin'],
  query: DeliveryQuery,
  access: 'read',
  doc: {
    responses: [
      {
        status: 200,
        description: 'Deliveries with each attempt (time, status code, duration, error); `cursor` for more',
        body: z.object({ deliveries: z.array(DeliveryBody), cursor: z.string().optional() }),
      },
    ],
  },
  async handle({ params, query }, deps: WebhooksOutRouteDeps) {
    const page = await listDeliveries(params.name ?? '', query, deps.webhooksOut);
    return {
      status: 200,
      body: { deliveries: page.items.map(deliveryView), ...(page.cursor ? { cursor: page.cursor } : {}) },
    };
  },
});
