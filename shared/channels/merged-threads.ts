import type { ThreadLookups, ThreadTicket } from '../domain/intake/threading.ts';
import type { TicketStore } from '../domain/ticket/ticket.store.ts';

/** Merges are not chained deeper than this (a merge refuses a merged target, so one hop is the rule). */
const maxHops = 5;

/**
 * Thread lookups that follow merges: a customer's mail that threads to a duplicate (its Message-IDs,
 * its number in the subject, its Outlook conversation) lands on the ticket it was merged into, which
 * then decides append, reopen or follow-up as for any mail of its own.
 */
export function followMerged(lookups: ThreadLookups, tickets: Pick<TicketStore, 'get'>): ThreadLookups {
  const follow = async (found: ThreadTicket | null | undefined) => {
    let current = found;
    for (let hop = 0; current && hop < maxHops; hop++) {
      const ticket = await tickets.get(current.id);
      if (!ticket?.mergedInto) return current;
      const target = await tickets.get(ticket.mergedInto.id);
      if (!target) return current;
      current = { ...target, participants: current.participants ?? [] };
    }
    return current;
  };
  return {
    byOutboundMessageId: async (ref) => follow(await lookups.byOutboundMessageId(ref)),
    ...(lookups.bySentMessageId
      ? { bySentMessageId: async (id: string) => follow(await lookups.bySentMessageId!(id)) }
      : {}),
    ...(lookups.byInboundMessageId
      ? { byInboundMessageId: async (id: string) => follow(await lookups.byInboundMessageId!(id)) }
      : {}),
    byNumber: async (number) => follow(await lookups.byNumber(number)),
    byThreadIndexRoot: async (root) => follow(await lookups.byThreadIndexRoot(root)),
    byThreadTopic: async (topic, sender) => follow(await lookups.byThreadTopic(topic, sender)),
  };
}
