import {
  dynamoBreakerStore,
  dynamoDeliveryStore,
  dynamoSubscriptionStore,
} from '../adapters/dynamo/dynamo-webhooks-out-store.ts';
import { fetchWebhookSender } from '../adapters/http/fetch-webhook-sender.ts';
import type { TicketStore } from '../domain/ticket/ticket.store.ts';
import type { SubscriptionSecrets, WebhookSender } from '../domain/webhooks-out/webhooks-out.ports.ts';
import type { WebhooksOutDeps } from '../use-cases/webhook-deliveries.ts';
import { type EnvSource, env, readEnv } from './env.ts';
import type { Platform } from './platform.ts';

export const webhooksOutEnv = {
  tableName: env.tableName,
  webhooksOutTimeoutMs: env.webhooksOutTimeoutMs,
  webhooksOutAllowLoopbackHttp: env.webhooksOutAllowLoopbackHttp,
};

export type { WebhooksOutDeps };

/**
 * The outbound webhooks capability on the one table: subscriptions, deliveries, circuit breakers; the
 * secrets where the caller keeps them (Secrets Manager in a Lambda, the data dir locally); fetch as
 * the sender unless another is given.
 */
export function wireWebhooksOut(
  source: EnvSource,
  platform: Platform,
  parts: { tickets: Pick<TicketStore, 'get'>; secrets: SubscriptionSecrets; sender?: WebhookSender },
): WebhooksOutDeps {
  const config = readEnv(webhooksOutEnv, source);
  const { dynamo } = platform;
  return {
    subscriptions: dynamoSubscriptionStore(dynamo, config.tableName),
    deliveries: dynamoDeliveryStore(dynamo, config.tableName),
    breakers: dynamoBreakerStore(dynamo, config.tableName),
    secrets: parts.secrets,
    sender: parts.sender ?? fetchWebhookSender(),
    clock: platform.clock,
    logger: platform.logger,
    metrics: platform.metrics,
    ticket: (id) => parts.tickets.get(id),
    // The console's ticket links in CRM summaries: where the SLA messages link (unset in API functions).
    ticketLinkBase: source[env.slaTicketLinkBase.name] ?? '',
    timeoutMs: config.webhooksOutTimeoutMs,
    allowLoopbackHttp: config.webhooksOutAllowLoopbackHttp,
    // Every event is fanned out; a saved subscription reaches the fan-out function within this.
    subscriptionsCacheMs: 30_000,
  };
}
