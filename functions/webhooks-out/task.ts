import type { Context, ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import {
  type BusEnvelope,
  deliverDue,
  fanOut,
  type WebhooksOutDeps,
} from '#shared/use-cases/webhook-deliveries.ts';

/** Stop taking due deliveries this long before the function's timeout (an attempt may take 10 s). */
const reserveMs = 15_000;

export const isSqs = (event: SQSEvent | ScheduledEvent): event is SQSEvent => 'Records' in event;

/**
 * Outbound webhooks (docs/integrations.md): from the queue the bus rule fills, each event is fanned out
 * to the subscriptions it matches and each new delivery tried once (a record that fails is retried by
 * SQS, then goes to the queue's dead-letter queue; the fan-out is idempotent by delivery id); from the
 * every-minute schedule, the due retries and deferred deliveries are attempted.
 */
export function webhooksOutHandler(deps: () => WebhooksOutDeps) {
  return async (
    event: SQSEvent | ScheduledEvent,
    context: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<SQSBatchResponse | Record<string, number>> => {
    if (isSqs(event)) {
      // Side by side: each first attempt may take the whole 10 s timeout, and a batch holds up to 10 events.
      const outcomes = await Promise.allSettled(
        event.Records.map(async (record) => fanOut(JSON.parse(record.body) as BusEnvelope, deps())),
      );
      const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
      outcomes.forEach((outcome, i) => {
        if (outcome.status === 'fulfilled') return;
        const messageId = event.Records[i]!.messageId;
        deps().logger.error('webhooks_out.fan_out_failed', {
          messageId,
          error: outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason),
        });
        batchItemFailures.push({ itemIdentifier: messageId });
      });
      return { batchItemFailures };
    }
    return deliverDue(deps(), { shouldStop: () => context.getRemainingTimeInMillis() < reserveMs });
  };
}
