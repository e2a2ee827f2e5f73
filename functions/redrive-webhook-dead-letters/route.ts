import * as z from 'zod';
import { defineRoute } from '#shared/http/route.ts';
import type { WebhooksOutRouteDeps } from '#shared/http/webhooks-out-schemas.ts';
import { redriveDead } from '#shared/use-cases/webhook-deliveries.ts';

/** `POST /integrations/webhooks/{name}/dead-letters/redrive`: every dead letter of the subscription due again. */
export const route = defineRoute({
  name: 'redrive-webhook-dead-letters',
  method: 'POST',
  path: '/integrations/webhooks/{name}/dead-letters/redrive',
  roles: ['admin'],
  access: 'write',
  doc: {
    responses: [
      { status: 202, description: 'How many were made due again', body: z.object({ redriven: z.number() }) },
    ],
  },
  async handle({ params }, deps: WebhooksOutRouteDeps) {
    return { status: 202, body: await redriveDead(params.name ?? '', deps.webhooksOut) };
  },
});
