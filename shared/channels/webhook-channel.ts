import { webhookActor } from '../domain/intake/intake-actors.ts';
import {
  ingestWebhook,
  type WebhookIntakeResult,
  type WebhookRequest,
} from '../domain/intake/webhook-intake.ts';
import { createTicket } from '../use-cases/create-ticket.ts';
import { noteAlertCleared, recordAlertRepeat } from '../use-cases/update-ticket.ts';
import type { ChannelTicketDeps } from './deps.ts';

/**
 * One signed webhook delivery (`POST /hooks/{source}`): `ingestWebhook` with its ports wired to the
 * ticket use cases. Tickets open as `webhook:<source>` under the delivery's key; an alert source's
 * ticket is indexed by its alert key, so repeats of the alert count on it (`recordAlertRepeat`) and the
 * all-clear is noted on it, until it is resolved.
 */
export function receiveWebhook(
  request: WebhookRequest,
  deps: ChannelTicketDeps,
): Promise<WebhookIntakeResult> {
  const { channels } = deps;
  const actor = webhookActor(request.source);
  return ingestWebhook(request, {
    sources: channels.webhookSources,
    secrets: channels.webhookSecrets,
    ledger: channels.ledger,
    alerts: channels.alerts,
    clock: deps.clock,
    logger: deps.logger,
    tickets: {
      async open({ ticket: input, idempotencyKey, alertKey }) {
        const { ticket, created } = await createTicket(input, actor, deps, idempotencyKey);
        // Also on a replay of the create (created: false), so a crash between the two is repaired.
        if (alertKey) await channels.alerts.setLatest(alertKey, ticket.id, ticket.createdAt);
        return { ticketId: ticket.id, number: ticket.number, created };
      },
      async recordAlertRepeat({ ticketId, lastSeenAt }) {
        await recordAlertRepeat(ticketId, { lastSeenAt }, actor, deps);
      },
      async noteAlertCleared({ ticketId, at }) {
        await noteAlertCleared(ticketId, at, actor, deps);
      },
    },
  });
}
