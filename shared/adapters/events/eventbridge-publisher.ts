import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { retry, retryOnConflict } from '../../domain/retry.ts';
import { type EventPublisher, eventSource, type IntegrationEvent } from '../../events/catalogue.ts';

const batchSize = 10; // PutEvents takes at most 10 entries

/**
 * Publishes catalogue events to an EventBridge bus, source `gongdan`, detail-type = event name. Entries
 * EventBridge reports as failed are retried once; any still failing raise, so the reaction is tried
 * again later.
 */
export function eventBridgePublisher(client: EventBridgeClient, busName: string): EventPublisher {
  return {
    async publish(events: IntegrationEvent[]) {
      for (let i = 0; i < events.length; i += batchSize) {
        let entries: PutEventsRequestEntry[] = events.slice(i, i + batchSize).map((e) => ({
          EventBusName: busName,
          Source: eventSource,
          DetailType: e.name,
          Detail: JSON.stringify({ ...e.detail, eventId: e.id }),
        }));
        // Entries EventBridge reports as failed (throttling, an internal error) are sent once more.
        await retryOnConflict(
          async () => {
            const result = await client.send(new PutEventsCommand({ Entries: entries }));
            entries = result.FailedEntryCount ? entries.filter((_, j) => result.Entries?.[j]?.ErrorCode) : [];
            return entries.length ? retry : undefined;
          },
          { maxAttempts: 2, exhausted: () => new Error(`EventBridge rejected ${entries.length} event(s)`) },
        );
      }
    },
  };
}
