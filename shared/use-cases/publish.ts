import type { IntegrationEvent } from '../events/catalogue.ts';
import type { TicketDeps } from './deps.ts';

/**
 * Publishes events for a change that has already committed. A publishing failure must not undo or
 * fail the change the caller made; it is logged with the event ids so it can be replayed from history.
 */
export async function publishCommitted(
  events: IntegrationEvent[],
  deps: Pick<TicketDeps, 'events' | 'logger'>,
) {
  if (events.length === 0) return;
  try {
    await deps.events.publish(events);
  } catch (error) {
    deps.logger.error('events.publish_failed', {
      eventIds: events.map((e) => e.id),
      names: events.map((e) => e.name),
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
