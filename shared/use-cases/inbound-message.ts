import type { Actor, Channel } from '../domain/actor.ts';
import { type AuditEvent, auditEvent } from '../domain/audit/audit-event.ts';
import type { MailAuth } from '../domain/intake/mail-auth.ts';
import type { Message } from '../domain/ticket/message.ts';
import { recordReply, type Ticket, transition } from '../domain/ticket/ticket.entity.ts';
import type { CustomerMailRequest } from '../domain/ticket/ticket-change.ts';
import { type IntegrationEvent, makeEvent } from '../events/catalogue.ts';
import { changeTicket, eventBase } from './change-ticket.ts';
import type { TicketDeps } from './deps.ts';

export interface InboundMessage {
  body: string;
  /** A person's message is public on the thread; an automated one (a bounce, an auto-reply) a note. */
  public: boolean;
  /** The ticket's customer, or someone else on the thread (a CC'd colleague) writing by mail. */
  author: { address: string; name?: string; kind: 'customer' | 'participant' };
  channel: Extract<Channel, 'email' | 'web'>;
  /** Move a resolved ticket back to open with this message (the caller checked the reopen window). */
  reopen: boolean;
  /** When it does reopen: tell the customer so by mail (e-mail intake, where loop protection allows). */
  confirmReopen?: boolean;
  /** By e-mail: the sender authentication verdicts, kept on the message. */
  mailAuth?: MailAuth | null;
  sourceIp?: string;
}

/** The identity a channel writes under: it may touch any ticket (the channel has checked who wrote). */
const channelActor = (channel: InboundMessage['channel']): Actor => ({
  id: channel === 'email' ? 'email-intake' : 'portal',
  name: channel === 'email' ? 'E-mail intake' : 'Customer portal',
  roles: ['integration'],
  channel,
});

/** The person who wrote, as the audit trail and the lifecycle see them: a customer of the ticket. */
export const authorActor = (message: Pick<InboundMessage, 'author' | 'channel' | 'sourceIp'>): Actor => ({
  id: `${message.channel === 'email' ? 'email' : 'portal'}:${message.author.address.toLowerCase()}`,
  ...(message.author.name ? { name: message.author.name } : {}),
  email: message.author.address,
  roles: ['customer'],
  channel: message.channel,
  ...(message.sourceIp ? { sourceIp: message.sourceIp } : {}),
});

/**
 * Records a message a customer (or someone they copied) sent by e-mail or through the portal, in one
 * write with the status change it causes.
 *
 * 1. Load the ticket (the channel has already matched the writer to it: by Message-ID, tag or lookup).
 * 2. Add the message, authored by the writer with their address; a note for automated mail.
 * 3. A public message reopens a resolved ticket when asked to (within the window), and puts a pending
 *    ticket back to open, as a customer's reply does through the API.
 * 4. Write message, ticket and audit events together; publish `ticket.replied` and any status change.
 */
export async function recordInboundMessage(
  ticketId: string,
  message: InboundMessage,
  deps: TicketDeps,
): Promise<{ ticket: Ticket; message: Message }> {
  const author = authorActor(message);
  const result = await changeTicket(
    ticketId,
    channelActor(message.channel),
    undefined,
    deps,
    (current, now) => {
      let ticket = recordReply(current, false, message.public, now);
      const stored: Message = {
        id: deps.ids.next(),
        ticketId,
        body: message.body,
        public: message.public,
        author: {
          id: author.id,
          ...(message.author.name ? { name: message.author.name } : {}),
          role: 'customer',
          email: message.author.address,
        },
        channel: message.channel,
        at: now.toISOString(),
        ...(message.mailAuth ? { mailAuth: message.mailAuth } : {}),
      };
      const audit: AuditEvent[] = [
        auditEvent(
          deps.ids.next(),
          ticketId,
          message.public ? 'replied' : 'noted',
          author,
          now,
          ticket.version,
          {
            messageId: stored.id,
            public: message.public,
            ...(message.author.kind === 'participant' ? { participant: true } : {}),
          },
        ),
      ];
      const events: IntegrationEvent[] = [
        makeEvent(deps.ids.next(), 'ticket.replied', {
          ...eventBase(ticket),
          messageId: stored.id,
          public: message.public,
          authorRole: 'customer',
        }),
      ];

      const move =
        message.public && message.reopen && current.status === 'resolved'
          ? { to: 'open' as const, reason: `customer replied by ${message.channel}` }
          : message.public && current.status === 'pending'
            ? { to: 'open' as const, reason: 'customer replied' }
            : null;
      const mail: CustomerMailRequest[] = [];
      if (move) {
        const { ticket: moved, rule } = transition(ticket, move.to, author, now);
        // One write, one version: the message and the status change land together.
        ticket = { ...moved, version: ticket.version };
        const fields = { from: current.status, to: move.to, action: rule.action, reason: move.reason };
        audit.push(
          auditEvent(
            deps.ids.next(),
            ticketId,
            rule.action === 'reopen' ? 'reopened' : 'transitioned',
            author,
            now,
            ticket.version,
            fields,
          ),
        );
        events.push(makeEvent(deps.ids.next(), 'ticket.status_changed', { ...eventBase(ticket), ...fields }));
        if (rule.action === 'reopen' && message.confirmReopen) mail.push({ kind: 'reopened' });
      }
      return { ticket, audit, events, messages: [stored], mail };
    },
  );
  return { ticket: result.ticket, message: result.messages![0]! };
}
