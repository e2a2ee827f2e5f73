import type { IntegrationEvent } from '../events/catalogue.ts';
import { defineReaction } from './reaction.ts';

/**
 * Publishes the change's integration events on the bus (EventBridge in AWS). Their ids were fixed when
 * the change committed, so a retry after a partial failure republishes the same events, which
 * consumers recognise (DESIGN §7: every consumer is idempotent).
 */
export const publishEvents = defineReaction({
  name: 'publish-events',
  handles: (record) => record.events.length > 0,
  async run(record, deps) {
    await deps.events.publish(record.events as IntegrationEvent[]);
  },
});
