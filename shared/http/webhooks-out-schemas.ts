import * as z from 'zod';
import { Delivery, DeliveryStatus } from '../domain/webhooks-out/delivery.ts';
import { SubscriptionView } from '../domain/webhooks-out/subscription.ts';
import type { WebhooksOutDeps } from '../use-cases/webhook-deliveries.ts';
import type { ApiDeps } from './route.ts';

/** What the outbound-webhook routes are served with. */
export type WebhooksOutRouteDeps = ApiDeps & { webhooksOut: WebhooksOutDeps };

export const SubscriptionBody = SubscriptionView.extend({
  circuit: z.object({
    state: z.enum(['closed', 'open', 'half-open']),
    failures: z.number().int(),
    until: z.string().optional(),
    openedAt: z.string().optional(),
  }),
});

/** A delivery as the log shows it: the body stays out of the list (it may hold customer data). */
export const DeliveryBody = Delivery.omit({ body: true, version: true });

export const DeliveryQuery = z
  .object({
    status: DeliveryStatus.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(2000).optional(),
  })
  .strict();

export const deliveryView = (d: Delivery) => {
  const { body: _b, version: _v, ...rest } = d;
  return rest;
};
