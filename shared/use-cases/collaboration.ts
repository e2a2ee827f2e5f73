import * as z from 'zod';
import { type Actor, hasAnyRole, primaryRole } from '../domain/actor.ts';
import { type AuditEvent, auditEvent } from '../domain/audit/audit-event.ts';
import { AgentId } from '../domain/routing/agent.ts';
import {
  isWatching,
  linkRefused,
  mergeRefused,
  mergeTooLarge,
  unknownAgent,
  watcherForbidden,
  withLink,
  withWatchers,
} from '../domain/ticket/collaboration.ts';
import type { Message } from '../domain/ticket/message.ts';
import { type Ticket, ticketNumberPattern, touch } from '../domain/ticket/ticket.entity.ts';
import { ticketNotFound } from '../domain/ticket/ticket.errors.ts';
import { type IntegrationEvent, makeEvent } from '../events/catalogue.ts';
import { changeTicket, changeTicketIf, eventBase } from './change-ticket.ts';
import type { TicketDeps } from './deps.ts';
import { canSee, loadVisible } from './visibility.ts';

/** The most messages a merge copies in its one write. */
export const maxMergedMessages = 90;

const supervises = (actor: Actor) => hasAnyRole(actor, ['supervisor', 'admin']);

export const WatchRequest = z.object({
  /** Who is to watch; the caller when absent. Only supervisors and admins name someone else. */
  agentId: AgentId.optional(),
});
export type WatchRequest = z.infer<typeof WatchRequest>;

/** Another person as a watcher must be a known agent; the caller may follow as themselves. */
async function checkWatcher(agentId: string, actor: Actor, deps: TicketDeps, path = 'agentId') {
  if (agentId !== actor.id && !supervises(actor)) throw watcherForbidden(agentId);
  if (agentId !== actor.id && !(await deps.routing.agents.get(agentId))) throw unknownAgent(agentId, path);
}

/**
 * Adds a watcher (follow). Watchers hear of public replies, internal notes and status changes
 * (`watcher-notifications` reaction) and see the ticket whatever their team.
 *
 * 1. The caller follows as themselves; a supervisor or admin may add any known agent.
 * 2. Already watching: nothing is written (a retry answers the same).
 * 3. Write the watcher list with a `watched` audit event.
 */
export async function addWatcher(
  id: string,
  request: WatchRequest,
  actor: Actor,
  expectedVersion: number | undefined,
  deps: TicketDeps,
): Promise<Ticket> {
  const agentId = request.agentId ?? actor.id;
  await checkWatcher(agentId, actor, deps);
  const result = await changeTicketIf(id, actor, expectedVersion, deps, (current, now) => {
    if (isWatching(current, agentId)) return null;
    const ticket: Ticket = { ...touch(current, now), watchers: withWatchers(current, [agentId]) };
    return {
      ticket,
      audit: [auditEvent(deps.ids.next(), id, 'watched', actor, now, ticket.version, { agentId })],
      events: [],
    };
  });
  return result?.ticket ?? loadVisible(id, actor, deps);
}

/**
 * Removes a watcher (unfollow): the caller themselves, or anyone for a supervisor or admin. Removing
 * someone who does not watch changes nothing (a retried DELETE answers the same).
 */
export async function removeWatcher(
  id: string,
  agentId: string,
  actor: Actor,
  expectedVersion: number | undefined,
  deps: TicketDeps,
): Promise<Ticket> {
  if (agentId !== actor.id && !supervises(actor)) throw watcherForbidden(agentId);
  const result = await changeTicketIf(id, actor, expectedVersion, deps, (current, now) => {
    if (!isWatching(current, agentId)) return null;
    const ticket: Ticket = {
      ...touch(current, now),
      watchers: (current.watchers ?? []).filter((w) => w !== agentId),
    };
    return {
      ticket,
      audit: [auditEvent(deps.ids.next(), id, 'unwatched', actor, now, ticket.version, { agentId })],
      events: [],
    };
  });
  return result?.ticket ?? loadVisible(id, actor, deps);
}

/** A ticket by id or number (`GD-000123`), as `field` of a request: unknown is a 404 naming the field. */
export async function findTicketRef(
  ref: string,
  actor: Actor,
  deps: Pick<TicketDeps, 'tickets'>,
  field: string,
): Promise<Ticket> {
  const upper = ref.trim().toUpperCase();
  const ticket = ticketNumberPattern.test(upper)
    ? await deps.tickets.getByNumber(upper)
    : /^[0-9A-Za-z_-]{1,64}$/.test(ref)
      ? await deps.tickets.get(ref)
      : null;
  if (!ticket || !canSee(ticket, actor)) {
    const error = ticketNotFound(ref.slice(0, 64));
    Object.assign(error.details ?? {}, {
      fields: [{ path: field, message: `There is no ticket ${ref.slice(0, 64)}`, code: 'not_found' }],
    });
    throw error;
  }
  return ticket;
}

export const LinkRequest = z.object({
  /** The other ticket: its id or its number (`GD-000123`). */
  ticket: z.string().trim().min(1).max(64),
  kind: z.literal('related').default('related'),
});
export type LinkRequest = z.infer<typeof LinkRequest>;

/**
 * Links two related tickets; the link shows on both. Each side is its own write (a retry completes a
 * half-done link: linking again replaces the same link).
 */
export async function linkTickets(id: string, request: LinkRequest, actor: Actor, deps: TicketDeps) {
  const [ticket, other] = await Promise.all([
    loadVisible(id, actor, deps),
    findTicketRef(request.ticket, actor, deps, 'ticket'),
  ]);
  if (ticket.id === other.id) throw linkRefused('self', ticket.id, other.id);
  const link = (from: Ticket, to: Ticket) =>
    changeTicket(from.id, actor, undefined, deps, (current, now) => {
      const next: Ticket = {
        ...touch(current, now),
        links: withLink(current, {
          ticketId: to.id,
          number: to.number,
          kind: 'related',
          by: actor.id,
          at: now.toISOString(),
        }),
      };
      return {
        ticket: next,
        audit: [
          auditEvent(deps.ids.next(), from.id, 'linked', actor, now, next.version, {
            ticketId: to.id,
            number: to.number,
            kind: 'related',
          }),
        ],
        events: [],
      };
    });
  const committed = await link(ticket, other);
  await link(other, ticket);
  return committed.ticket;
}

/** Removes a related link from both tickets; one that is not there is a 404. */
export async function unlinkTickets(id: string, otherRef: string, actor: Actor, deps: TicketDeps) {
  const [ticket, other] = await Promise.all([
    loadVisible(id, actor, deps),
    findTicketRef(otherRef, actor, deps, 'ticket'),
  ]);
  const hasLink = (t: Ticket, to: string) =>
    (t.links ?? []).some((l) => l.ticketId === to && l.kind === 'related');
  if (!hasLink(ticket, other.id) && !hasLink(other, ticket.id))
    throw linkRefused('not_linked', ticket.id, other.id);
  const unlink = (from: Ticket, to: Ticket) =>
    changeTicketIf(from.id, actor, undefined, deps, (current, now) => {
      if (!hasLink(current, to.id)) return null;
      const next: Ticket = {
        ...touch(current, now),
        links: (current.links ?? []).filter((l) => !(l.ticketId === to.id && l.kind === 'related')),
      };
      return {
        ticket: next,
        audit: [
          auditEvent(deps.ids.next(), from.id, 'unlinked', actor, now, next.version, {
            ticketId: to.id,
            number: to.number,
          }),
        ],
        events: [],
      };
    });
  const committed = await unlink(ticket, other);
  await unlink(other, ticket);
  return committed?.ticket ?? loadVisible(id, actor, deps);
}

export const MergeRequest = z.object({
  /** The ticket to merge into: its id or its number (`GD-000123`). */
  into: z.string().trim().min(1).max(64),
  reason: z.string().trim().min(1).max(1000).optional(),
});
export type MergeRequest = z.infer<typeof MergeRequest>;

/**
 * Merges a duplicate into another ticket (docs/collaboration.md, "Merge").
 *
 * 1. Refuse merging into itself, into a closed or merged ticket, or a duplicate merged elsewhere.
 * 2. Close the duplicate with its pointer (`mergedInto`), an audit entry and `ticket.merged`: from now
 *    on the customer's mail to it lands on the target (e-mail threading follows the pointer).
 * 3. Copy its thread to the target (each copy points at its original), move its watchers there, add an
 *    internal note and a `merged` link. Each ticket is its own write: a retry after a failure between
 *    them finds the duplicate already merged into the same target and completes the second step once.
 */
export async function mergeTicket(
  id: string,
  request: MergeRequest,
  actor: Actor,
  expectedVersion: number | undefined,
  deps: TicketDeps,
) {
  const [source, target] = await Promise.all([
    loadVisible(id, actor, deps),
    findTicketRef(request.into, actor, deps, 'into'),
  ]);
  if (source.id === target.id) throw mergeRefused('self', source, target);
  const resuming = source.mergedInto?.id === target.id;
  if (!resuming) {
    if (source.mergedInto) throw mergeRefused('already_merged', source);
    if (source.status === 'closed') throw mergeRefused('source_closed', source);
    if (target.mergedInto) throw mergeRefused('target_merged', source, target);
    if (target.status === 'closed') throw mergeRefused('target_closed', source, target);
  }
  const messages = await deps.tickets.messages(source.id);
  // One transaction holds the copies (DynamoDB: 100 items with the ticket, audit, note and outbox).
  if (messages.length > maxMergedMessages) throw mergeTooLarge(source, messages.length, maxMergedMessages);

  // Step 2: the duplicate, checked again on the fresh tickets (a concurrent merge of either loses here).
  const closed = await changeTicketIf(source.id, actor, expectedVersion, deps, async (current, now) => {
    if (current.mergedInto?.id === target.id) return null;
    if (current.mergedInto) throw mergeRefused('already_merged', current);
    if (current.status === 'closed') throw mergeRefused('source_closed', current);
    const fresh = await deps.tickets.get(target.id);
    if (!fresh || fresh.mergedInto) throw mergeRefused('target_merged', current, target);
    if (fresh.status === 'closed') throw mergeRefused('target_closed', current, target);
    const at = now.toISOString();
    const ticket: Ticket = {
      ...touch(current, now),
      status: 'closed',
      closedAt: at,
      sla: { ...current.sla, paused: false },
      mergedInto: { id: target.id, number: target.number },
      links: withLink(current, {
        ticketId: target.id,
        number: target.number,
        kind: 'merged-into',
        by: actor.id,
        at,
      }),
    };
    const fields = {
      from: current.status,
      to: 'closed' as const,
      action: 'merge',
      reason: `merged into ${target.number}`,
    };
    const data = {
      into: target.id,
      intoNumber: target.number,
      messagesCopied: messages.length,
      ...(request.reason ? { reason: request.reason } : {}),
    };
    const audit: AuditEvent[] = [
      auditEvent(deps.ids.next(), current.id, 'merged', actor, now, ticket.version, data),
      auditEvent(deps.ids.next(), current.id, 'transitioned', actor, now, ticket.version, fields),
    ];
    const events: IntegrationEvent[] = [
      makeEvent(deps.ids.next(), 'ticket.merged', {
        ...eventBase(ticket),
        intoTicketId: target.id,
        intoNumber: target.number,
        messagesCopied: messages.length,
      }),
      makeEvent(deps.ids.next(), 'ticket.status_changed', { ...eventBase(ticket), ...fields }),
      makeEvent(deps.ids.next(), 'ticket.closed', { ...eventBase(ticket), closedAt: at }),
    ];
    return { ticket, audit, events };
  });

  // Step 3: the target; skipped when a merge of this duplicate already reached it.
  const merged = await changeTicketIf(target.id, actor, undefined, deps, (current, now) => {
    if ((current.links ?? []).some((l) => l.ticketId === source.id && l.kind === 'merged')) return null;
    const at = now.toISOString();
    const ticket: Ticket = {
      ...touch(current, now),
      watchers: withWatchers(current, source.watchers ?? []),
      links: withLink(current, {
        ticketId: source.id,
        number: source.number,
        kind: 'merged',
        by: actor.id,
        at,
      }),
    };
    const copies: Message[] = messages.map((m) => ({
      ...m,
      id: deps.ids.next(),
      ticketId: target.id,
      at,
      mergedFrom: { ticketId: source.id, number: source.number, messageId: m.id },
    }));
    const note: Message = {
      id: deps.ids.next(),
      ticketId: target.id,
      body:
        `已将 ${source.number}（${source.subject}）合并到本工单，复制了 ${messages.length} 条消息。\n` +
        `Merged ${source.number} (${source.subject}) into this ticket: ${messages.length} message(s) copied.` +
        (request.reason ? `\n原因 / Reason: ${request.reason}` : '') +
        (source.description ? `\n\n${source.number}: ${source.description.slice(0, 4000)}` : ''),
      public: false,
      author: { id: actor.id, ...(actor.name ? { name: actor.name } : {}), role: primaryRole(actor) },
      channel: actor.channel,
      at,
    };
    return {
      ticket,
      audit: [
        auditEvent(deps.ids.next(), target.id, 'merged', actor, now, ticket.version, {
          from: source.id,
          fromNumber: source.number,
          messagesCopied: copies.length,
          watchersMoved: (source.watchers ?? []).filter((w) => !isWatching(current, w)),
          noteId: note.id,
          ...(request.reason ? { reason: request.reason } : {}),
        }),
      ],
      events: [],
      messages: [...copies, note],
    };
  });

  const [duplicate, into] = await Promise.all([
    closed ? closed.ticket : loadVisible(source.id, actor, deps),
    merged ? merged.ticket : loadVisible(target.id, actor, deps),
  ]);
  return { duplicate, into, messagesCopied: messages.length };
}
