import { activeStatuses, type Status } from '../domain/ticket/lifecycle.ts';
import { pickUpFor } from '../use-cases/ticket-routing.ts';
import { defineReaction } from './reaction.ts';

const isActive = (status: Status) => activeStatuses.includes(status);

/**
 * Keeps agents' load in step with their tickets. The agent who held the ticket gets the capacity back
 * when it is resolved, closed or moved to someone else, and is handed queued work; a reopened ticket,
 * or one given to an agent by a path that did not claim (an SLA escalation's reassignment), takes its
 * assignee's capacity. Decided on the ticket as it is now, not as the record saw it, so records handled
 * late or out of order still leave the loads right; releases and claims are idempotent per ticket.
 */
export const agentCapacity = defineReaction({
  name: 'agent-capacity',
  handles({ before, after }) {
    if (!before) return false;
    const wasActive = isActive(before.status);
    const active = isActive(after.status);
    return (
      (before.assignee !== null && wasActive && (!active || after.assignee !== before.assignee)) ||
      (after.assignee !== null && active && (!wasActive || after.assignee !== before.assignee))
    );
  },
  async run(record, deps) {
    const ticket = await deps.tickets.get(record.ticketId);
    if (!ticket) return;
    const active = isActive(ticket.status);
    const held = record.before?.assignee ?? null;
    if (held && (!active || ticket.assignee !== held)) {
      if (await deps.routing.agents.release(held, ticket.id)) {
        deps.logger.info('routing.released', { ticketId: ticket.id, agentId: held, status: ticket.status });
      }
      await pickUpFor(held, deps);
    }
    if (ticket.assignee && active) {
      const claimed = await deps.routing.agents.claim(ticket.assignee, ticket.id, {
        channel: ticket.channel,
        at: deps.clock.now(),
      });
      // Full or away: the ticket stays theirs (a person chose it, or an escalation did), uncounted.
      if (!claimed)
        deps.logger.warn('routing.assignee_unclaimed', { ticketId: ticket.id, agentId: ticket.assignee });
    }
  },
});
