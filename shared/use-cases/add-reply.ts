import * as z from 'zod';
import { type Actor, isStaff, primaryRole } from '../domain/actor.ts';
import { type AuditEvent, auditEvent } from '../domain/audit/audit-event.ts';
import type { AttachmentFiles, AttachmentRecords } from '../domain/intake/intake.ports.ts';
import type { Agent } from '../domain/routing/agent.ts';
import {
  attachmentIdOf,
  attachmentNotFound,
  attachmentNotUploaded,
  attachmentsUnavailable,
} from '../domain/ticket/attachment-policy.ts';
import { mentionsIn, unknownMentions, withWatchers } from '../domain/ticket/collaboration.ts';
import type { Message } from '../domain/ticket/message.ts';
import { recordReply, type Ticket, transition } from '../domain/ticket/ticket.entity.ts';
import type { OutboxNotification } from '../domain/ticket/ticket-change.ts';
import { type IntegrationEvent, makeEvent } from '../events/catalogue.ts';
import { changeTicket, eventBase } from './change-ticket.ts';
import type { TicketDeps } from './deps.ts';

export const ReplyRequest = z.object({
  body: z.string().trim().min(1).max(50_000),
  public: z.boolean().default(true),
  /** Staff: ids of files uploaded with `POST /tickets/{id}/attachments` to attach to this message. */
  attachments: z.array(z.string().min(1).max(64)).max(10).optional(),
});
export type ReplyRequest = z.infer<typeof ReplyRequest>;

/**
 * Adds a public reply or an internal note to a ticket's thread.
 *
 * 0. Staff: an internal note's `@<agentId>` mentions must name agents (400 otherwise); the files it
 *    attaches must be uploaded to this ticket. Mentioned agents become watchers, are notified by e-mail
 *    through the outbox, and the mention is in the audit trail.
 * 1. Load the ticket the actor may see; a customer's reply is always public.
 * 2. Record the message; a staff member's first public reply is the first response.
 * 3. A customer's reply to a ticket waiting on them (pending) puts it back to work (open).
 * 4. Write message, ticket and audit events together; publish `ticket.replied` (and the status change).
 */
export async function addReply(
  id: string,
  request: ReplyRequest,
  actor: Actor,
  expectedVersion: number | undefined,
  deps: TicketDeps,
  files?: StaffFiles,
) {
  const staff = isStaff(actor);
  const isPublic = staff ? request.public : true;
  // Mentions (internal notes only) and attachments are checked before anything is written.
  const mentioned = staff && !isPublic ? await mentionedAgents(request.body, deps) : [];
  const attached =
    staff && request.attachments?.length ? await uploadedFiles(id, request.attachments, files) : [];
  const result = await changeTicket(id, actor, expectedVersion, deps, (current, now) => {
    let ticket = recordReply(current, staff, isPublic, now);
    const message: Message = {
      id: deps.ids.next(),
      ticketId: id,
      body: request.body,
      public: isPublic,
      author: { id: actor.id, ...(actor.name ? { name: actor.name } : {}), role: primaryRole(actor) },
      channel: actor.channel,
      at: now.toISOString(),
      ...(mentioned.length ? { mentions: mentioned.map((a) => a.id) } : {}),
      ...(attached.length ? { attachments: attached.map((a) => a.id) } : {}),
    };
    const audit: AuditEvent[] = [
      auditEvent(deps.ids.next(), id, isPublic ? 'replied' : 'noted', actor, now, ticket.version, {
        messageId: message.id,
        public: isPublic,
      }),
    ];
    const notifications: OutboxNotification[] = [];
    if (mentioned.length) {
      // Mentioned agents follow the ticket from now on: they hear of what comes next and see it.
      ticket = {
        ...ticket,
        watchers: withWatchers(
          ticket,
          mentioned.map((a) => a.id),
        ),
      };
      audit.push(
        auditEvent(deps.ids.next(), id, 'mentioned', actor, now, ticket.version, {
          messageId: message.id,
          agents: mentioned.map((a) => a.id),
        }),
      );
      notifications.push(...mentionNotifications(ticket, message, mentioned, actor));
    }
    if (attached.length) {
      audit.push(
        auditEvent(deps.ids.next(), id, 'attached', actor, now, ticket.version, {
          messageId: message.id,
          attachments: attached.map((a) => ({ id: a.id, filename: a.record.filename, size: a.record.size })),
        }),
      );
    }
    const events: IntegrationEvent[] = [
      makeEvent(deps.ids.next(), 'ticket.replied', {
        ...eventBase(ticket),
        messageId: message.id,
        public: isPublic,
        authorRole: primaryRole(actor),
      }),
    ];
    if (!staff && current.status === 'pending') {
      const resumed = transition(ticket, 'open', actor, now);
      // One write, one version: the reply and the resumption land together.
      ticket = { ...resumed.ticket, version: ticket.version };
      audit.push(
        auditEvent(deps.ids.next(), id, 'transitioned', actor, now, ticket.version, {
          from: 'pending',
          to: 'open',
          action: 'resume',
          reason: 'customer replied',
        }),
      );
      events.push(
        makeEvent(deps.ids.next(), 'ticket.status_changed', {
          ...eventBase(ticket),
          from: 'pending',
          to: 'open',
          action: 'resume',
          reason: 'customer replied',
        }),
      );
    }
    return { ticket, audit, events, messages: [message], notifications };
  });
  const message = result.messages![0]!;
  // After the commit (idempotent: a retry writes the same): the files now belong to the message.
  if (attached.length && files) {
    await files.records.add(
      attached.map(({ record }) => ({ ...record, status: 'stored' as const, messageId: message.id })),
    );
  }
  return { ticket: result.ticket, message };
}

/** What a reply needs to attach staff uploads: the records and the stored bytes. */
export interface StaffFiles {
  records: AttachmentRecords;
  files: AttachmentFiles;
}

/** The agents a note mentions; an id that is no agent is a 400 naming it. */
async function mentionedAgents(body: string, deps: TicketDeps): Promise<Agent[]> {
  const ids = mentionsIn(body);
  const agents = await Promise.all(ids.map((a) => deps.routing.agents.get(a)));
  const unknown = ids.filter((_, i) => !agents[i]);
  if (unknown.length) throw unknownMentions(unknown);
  return agents as Agent[];
}

/** The uploads a reply names, each uploaded in full to this ticket; otherwise a 4xx naming it. */
async function uploadedFiles(ticketId: string, ids: readonly string[], files: StaffFiles | undefined) {
  if (!files) throw attachmentsUnavailable();
  const records = await files.records.list(ticketId);
  const found = [];
  for (const [i, id] of [...new Set(ids)].entries()) {
    const record = records.find((r) => attachmentIdOf(r.sha256, r.filename) === id);
    if (!record) throw attachmentNotFound(id, `attachments.${i}`);
    if (record.status === 'pending' && (await files.files.sizeOf(record.storageKey)) !== record.size) {
      throw attachmentNotUploaded(id, `attachments.${i}`);
    }
    found.push({ id, record });
  }
  return found;
}

/** One e-mail per mentioned agent with an address (not to the writer), sent once by the dispatcher. */
function mentionNotifications(
  ticket: Ticket,
  message: Message,
  agents: readonly Agent[],
  actor: Actor,
): OutboxNotification[] {
  const by = actor.name ?? actor.id;
  return agents
    .filter((a) => a.id !== actor.id && a.email)
    .map((agent) => ({
      key: `mention:${message.id}:${agent.id}`,
      who: `mention:${agent.id}`,
      notification: {
        channel: 'email' as const,
        to: agent.email!,
        subject: `[${ticket.number}] ${by} mentioned you / ${by} 在工单中提到了你`,
        body:
          `${by} mentioned you in an internal note on ${ticket.number} (${ticket.subject}):\n\n` +
          `${excerpt(message.body)}\n\nYou now follow this ticket.`,
        ticketId: ticket.id,
        kind: 'mention',
      },
    }));
}

const excerpt = (body: string) => (body.length > 600 ? `${body.slice(0, 600)}…` : body);
