import { DomainError } from '../errors.ts';
import type { Ticket, TicketLink } from './ticket.entity.ts';

/**
 * `@<agentId>` in an internal note: an `@` at the start or after a space or punctuation (so e-mail
 * addresses are not mentions), then an agent id's characters. A trailing full stop or comma ends it.
 */
const mentionPattern = /(^|[^A-Za-z0-9._%+-])@([A-Za-z0-9][A-Za-z0-9._-]{0,63})/g;

/** The agent ids a note mentions, each once, in order of first mention. */
export function mentionsIn(body: string): string[] {
  const found: string[] = [];
  for (const match of body.matchAll(mentionPattern)) {
    const id = match[2]!.replace(/[._-]+$/, '');
    if (id && !found.includes(id)) found.push(id);
  }
  return found;
}

/** The ticket's watchers with `agentIds` added (each once, in the order they came). */
export const withWatchers = (ticket: Ticket, agentIds: readonly string[]): string[] => {
  const watchers = [...(ticket.watchers ?? [])];
  for (const id of agentIds) if (!watchers.includes(id)) watchers.push(id);
  return watchers;
};

export const isWatching = (ticket: Ticket, agentId: string) => (ticket.watchers ?? []).includes(agentId);

/** The ticket's links with `link` added, or replacing the link to the same ticket. */
export const withLink = (ticket: Ticket, link: TicketLink): TicketLink[] => [
  ...(ticket.links ?? []).filter((l) => l.ticketId !== link.ticketId),
  link,
];

export const unknownMentions = (agentIds: readonly string[]) =>
  new DomainError(
    'invalid',
    'TICKET.UNKNOWN_MENTION',
    `No agent is called ${agentIds.map((a) => `@${a}`).join(', ')}; mention agents by their id`,
    {
      fields: agentIds.map((id) => ({
        path: 'body',
        message: `@${id} is not an agent`,
        code: 'unknown_agent',
      })),
      agents: agentIds,
    },
  );

export const unknownAgent = (agentId: string, path = 'agentId') =>
  new DomainError('invalid', 'AGENT.UNKNOWN', `There is no agent ${agentId}`, {
    fields: [{ path, message: `There is no agent ${agentId}`, code: 'unknown_agent' }],
  });

export const watcherForbidden = (agentId: string) =>
  new DomainError(
    'forbidden',
    'TICKET.WATCHER_FORBIDDEN',
    `Only supervisors and admins add or remove others as watchers (${agentId})`,
    { agentId },
  );

export const notWatching = (ticketId: string, agentId: string) =>
  new DomainError('not_found', 'TICKET.NOT_WATCHING', `${agentId} does not watch ticket ${ticketId}`, {
    ticketId,
    agentId,
  });

/** Why a merge cannot happen, each a 409 (a 400 for merging a ticket into itself). */
export const mergeRefused = (
  reason: 'self' | 'target_closed' | 'target_merged' | 'already_merged' | 'source_closed',
  ticket: Pick<Ticket, 'id' | 'number'>,
  into?: Pick<Ticket, 'id' | 'number'>,
) => {
  const messages = {
    self: `Ticket ${ticket.number} cannot be merged into itself`,
    target_closed: `Ticket ${into?.number} is closed; merge into an open ticket`,
    target_merged: `Ticket ${into?.number} was itself merged into another ticket; merge into that one`,
    already_merged: `Ticket ${ticket.number} was already merged into another ticket`,
    source_closed: `Ticket ${ticket.number} is closed; only an open duplicate can be merged`,
  } as const;
  return new DomainError(
    reason === 'self' ? 'invalid' : 'conflict',
    'TICKET.MERGE_REFUSED',
    messages[reason],
    {
      reason,
      ticketId: ticket.id,
      ...(into ? { into: into.id, intoNumber: into.number } : {}),
      ...(reason === 'self' ? { fields: [{ path: 'into', message: messages.self, code: 'self' }] } : {}),
    },
  );
};

export const linkRefused = (reason: 'self' | 'not_linked', ticketId: string, other: string) =>
  new DomainError(
    reason === 'self' ? 'invalid' : 'not_found',
    reason === 'self' ? 'TICKET.LINK_SELF' : 'TICKET.LINK_NOT_FOUND',
    reason === 'self'
      ? 'A ticket cannot be linked to itself'
      : `Ticket ${ticketId} has no related link to ${other}`,
    {
      ticketId,
      other,
      ...(reason === 'self'
        ? { fields: [{ path: 'ticket', message: 'Link another ticket', code: 'self' }] }
        : {}),
    },
  );

export const mergeTooLarge = (ticket: Pick<Ticket, 'id' | 'number'>, messages: number, max: number) =>
  new DomainError(
    'unprocessable',
    'TICKET.MERGE_TOO_LARGE',
    `Ticket ${ticket.number} has ${messages} messages; a merge copies at most ${max}`,
    { ticketId: ticket.id, messages, max },
  );
