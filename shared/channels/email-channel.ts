import {
  type AppendFromEmail,
  type EmailIntakeOutcome,
  type EmailIntakePorts,
  emailIntakePolicy,
  ingestEmail,
  type OpenFromEmail,
} from '../domain/intake/email-intake.ts';
import { type InboundEmail, sameAddress } from '../domain/intake/inbound-email.ts';
import { emailIntakeActor } from '../domain/intake/intake-actors.ts';
import { defaultThreadingPolicy } from '../domain/intake/threading.ts';
import { createTicket } from '../use-cases/create-ticket.ts';
import { recordInboundMessage } from '../use-cases/inbound-message.ts';
import { storeAttachments } from './attachments.ts';
import { isOwnAddress } from './customer-mail.ts';
import type { ChannelTicketDeps } from './deps.ts';
import { followMerged } from './merged-threads.ts';

export interface ReceivedEmail {
  ticketId: string | null;
  number: string | null;
  /** True only when this delivery opened a ticket. */
  created: boolean;
  outcome: EmailIntakeOutcome;
}

/**
 * Brings one parsed inbound mail into the pool (the SES Lambda in AWS, `POST /dev/inbound-email`
 * locally): `ingestEmail` with its ports wired to the ticket use cases, then the acknowledgement or
 * reopen notice when loop protection allows one.
 *
 * 1. Thread and de-duplicate (`ingestEmail`): open a ticket through `createTicket` under the mail's
 *    key, or record the message on the ticket it continues (reopening it within the window).
 * 2. With it: keep attachments and inline images, index the thread for later replies, and remember who
 *    else is on it (CC'd people, a colleague replying).
 * 3. Ask for the acknowledgement of a new ticket, or the confirmation of a reopen, with the change
 *    itself (unless a machine wrote or the sender is flooding): the dispatcher sends it, once.
 */
export async function receiveEmail(email: InboundEmail, deps: ChannelTicketDeps): Promise<ReceivedEmail> {
  const { channels } = deps;
  const { settings } = channels;
  const policy = emailIntakePolicy(settings.messageIdDomain, {
    threading: {
      ...defaultThreadingPolicy,
      messageIdDomain: settings.messageIdDomain,
      reopenWindowDays: settings.reopenWindowDays,
    },
  });

  /** Others on the thread: the people a person's mail was also addressed to, and a non-customer writer. */
  const othersOn = (mail: InboundEmail, customerEmail: string | undefined) =>
    [...mail.to, ...mail.cc, ...(mail.from ? [mail.from] : [])]
      .map((a) => a.address.trim().toLowerCase())
      .filter((a) => a.includes('@') && !sameAddress(a, customerEmail) && !isOwnAddress(a, settings));

  const ports: EmailIntakePorts = {
    ledger: channels.ledger,
    // A reply to a merged duplicate lands on the ticket it was merged into.
    lookups: followMerged(channels.lookups, deps.tickets),
    clock: deps.clock,
    logger: deps.logger,
    senders: {
      recordAndCount: (address, now, windowMinutes) =>
        channels.rates.hit('email-sender', address, now, windowMinutes),
    },
    tickets: {
      async open(request: OpenFromEmail) {
        const followUpOf = request.ticket.customFields.followUpOf;
        const { ticket, created } = await createTicket(
          request.ticket,
          emailIntakeActor,
          deps,
          request.idempotencyKey,
          {
            mail: request.acknowledge
              ? [
                  {
                    kind: 'ack',
                    followUpOf: typeof followUpOf === 'string' ? followUpOf : null,
                    replyTo: {
                      messageId: request.threading.messageId,
                      threadIndexRoot: request.threading.threadIndexRoot,
                    },
                  },
                ]
              : [],
          },
        );
        // Everything after the ticket is idempotent, so a retry after a crash completes it.
        await channels.threads.indexOpened(ticket.id, {
          threadIndexRoot: request.threading.threadIndexRoot,
          topic: request.threading.topic,
          customerEmail: ticket.customer.email ?? '',
          at: new Date(ticket.createdAt),
        });
        await channels.threads.recordInbound(
          ticket.id,
          request.threading.messageId,
          othersOn(request.email, ticket.customer.email),
        );
        await storeAttachments(ticket.id, 'email', request.email.attachments, deps);
        return { ticketId: ticket.id, number: ticket.number, created };
      },
      async append(request: AppendFromEmail) {
        // Side effects first (idempotent): the message itself is the last write, so a failure before it
        // releases the ledger key and the redelivery appends it exactly once.
        await storeAttachments(request.ticketId, 'email', request.email.attachments, deps);
        const ticket = await deps.tickets.get(request.ticketId);
        if (request.public && ticket) {
          await channels.threads.recordInbound(
            request.ticketId,
            request.email.messageId,
            othersOn(request.email, ticket.customer.email),
          );
        }
        await recordInboundMessage(
          request.ticketId,
          {
            body: request.body,
            public: request.public,
            author: {
              address: request.author.address,
              ...(request.author.name ? { name: request.author.name } : {}),
              kind: request.author.role,
            },
            channel: 'email',
            reopen: request.reopen,
            confirmReopen: request.confirmReopen,
            mailAuth: request.email.auth ?? null,
          },
          deps,
        );
      },
    },
  };

  const result = await ingestEmail(email, policy, ports);
  return {
    ticketId: result.ticketId,
    number: result.number,
    created: result.created,
    outcome: result.outcome,
  };
}
