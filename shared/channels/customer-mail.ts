import { sameAddress } from '../domain/intake/inbound-email.ts';
import type { ChannelSettings, MailThreads } from '../domain/intake/intake.ports.ts';
import { outboundMessageId, threadIndexFor, withSubjectTag } from '../domain/intake/threading.ts';
import type { Notifier, SentNotification } from '../domain/notify/notifier.ts';
import type { IdGenerator, Logger } from '../domain/ports.ts';
import { type Status, statusLabels } from '../domain/ticket/lifecycle.ts';
import type { Ticket } from '../domain/ticket/ticket.entity.ts';

/** What mailing customers needs: the settings, the threading state, and the mail notifier (SES, the outbox). */
export interface CustomerMailDeps {
  settings: ChannelSettings;
  threads: MailThreads;
  notifier: Notifier;
}

export type CustomerMailKind = 'ack' | 'reply' | 'status' | 'closing_report';

export interface CustomerMail {
  kind: CustomerMailKind;
  /** The text of the mail above the standard footer. */
  body: string;
  /**
   * Sent by the system on its own (acknowledgement, status notice): marked `Auto-Submitted` (RFC 3834)
   * so a well-behaved autoresponder on the other side does not answer it.
   */
  automatic: boolean;
  /** Copy the others on the thread (an agent's reply); notices go to the customer only. */
  copyParticipants?: boolean;
  /** Passed to the notifier: the same key is the same mail (see `Notification.idempotencyKey`). */
  idempotencyKey?: string | undefined;
  /** The mail this answers, for when the thread's state does not know it yet (see `MailReplyTo`). */
  replyTo?: MailReplyTo | undefined;
}

/**
 * The customer's mail an acknowledgement answers, as the change's record carries it: the thread state
 * is written after the ticket commits, and the acknowledgement may be sent before it is.
 */
export interface MailReplyTo {
  messageId: string | null;
  threadIndexRoot: string | null;
}

/** How many Message-IDs `References` carries: the first of the thread and the latest ones. */
const maxReferences = 10;

const bracket = (id: string) => `<${id.replace(/^<|>$/g, '')}>`;
const unbracket = (id: string) => id.replace(/^<|>$/g, '');

/** Whether an address is one of ours (a support inbox, anything at the mail domain): never mailed. */
export function isOwnAddress(address: string, settings: ChannelSettings): boolean {
  const domain = settings.mailFrom.split('@')[1]?.toLowerCase();
  const lower = address.trim().toLowerCase();
  return (
    sameAddress(lower, settings.mailFrom) ||
    settings.ownAddresses.some((a) => sameAddress(a, lower)) ||
    (!!domain && lower.endsWith(`@${domain}`)) ||
    lower.endsWith(`@${settings.messageIdDomain.toLowerCase()}`)
  );
}

const noReply = /^(?:no-?reply|do-?not-?reply|donotreply|mailer-daemon|postmaster|bounces?)[+.@-]/i;

/**
 * Mails the ticket's customer about their ticket, threaded so their client groups it with what they
 * wrote and their reply comes back to this ticket.
 *
 * 1. Give the mail our Message-ID `<gd.<ticketId>.<messageId>@domain>` and record it before sending (a
 *    fast reply must find it).
 * 2. `In-Reply-To` the customer's latest mail, `References` the thread (first and latest ids), the
 *    subject tagged `[GD-000123]`, Outlook's `Thread-Index` (the customer's conversation, else ours).
 * 3. Send through the Notifier; record the id the provider really used (SES rewrites Message-ID).
 *
 * Returns null (sending nothing) when the customer's address is ours or a no-reply address.
 */
export async function sendTicketMail(
  ticket: Ticket,
  mail: CustomerMail,
  deps: { mail: CustomerMailDeps; logger: Logger; ids: IdGenerator },
): Promise<SentNotification | null> {
  const { settings, threads, notifier } = deps.mail;
  const to = ticket.customer.email;
  if (!to) {
    // A customer known by phone only: texted instead (`sendCustomerSms`), never mailed.
    deps.logger.info('mail.skipped', { ticketId: ticket.id, kind: mail.kind, reason: 'no e-mail address' });
    return null;
  }
  if (isOwnAddress(to, settings) || noReply.test(to)) {
    deps.logger.info('mail.skipped', {
      ticketId: ticket.id,
      kind: mail.kind,
      reason: 'own or no-reply address',
    });
    return null;
  }
  const thread = await threads.state(ticket.id);
  const messageId = deps.ids.next();
  const headerId = unbracket(outboundMessageId({ ticketId: ticket.id, messageId }, settings.messageIdDomain));
  await threads.recordOutbound(ticket.id, { messageId, headerId, kind: mail.kind });

  const parent = thread.lastInboundMessageId ?? mail.replyTo?.messageId ?? thread.messageIds.at(-1) ?? null;
  const references = [
    ...new Set(
      [thread.firstMessageId, ...thread.messageIds.slice(-(maxReferences - 1)), parent].filter(
        (id): id is string => !!id,
      ),
    ),
  ];
  let threadIndex = thread.threadIndexRoot ?? mail.replyTo?.threadIndexRoot ?? null;
  if (!threadIndex) {
    threadIndex = threadIndexFor(ticket.id, new Date(ticket.createdAt));
    await threads.indexOpened(ticket.id, {
      threadIndexRoot: threadIndex,
      topic: '',
      customerEmail: to,
      at: new Date(ticket.createdAt),
    });
  }
  const headers: Record<string, string> = {
    'Message-ID': bracket(headerId),
    ...(parent ? { 'In-Reply-To': bracket(parent) } : {}),
    ...(references.length ? { References: references.map(bracket).join(' ') } : {}),
    'Thread-Index': threadIndex,
    'Thread-Topic': ticket.subject.replace(/[\r\n]+/g, ' ').slice(0, 200),
    ...(mail.automatic
      ? {
          'Auto-Submitted': mail.kind === 'ack' ? 'auto-replied' : 'auto-generated',
          'X-Auto-Response-Suppress': 'All',
        }
      : {}),
  };
  const cc = mail.copyParticipants
    ? thread.participants.filter((p) => !sameAddress(p, to) && !isOwnAddress(p, settings) && !noReply.test(p))
    : [];
  const subject = withSubjectTag(`${parent ? 'Re: ' : ''}${ticket.subject}`, ticket.number).slice(0, 300);

  const sent = await notifier.send({
    channel: 'email',
    to,
    subject,
    body: `${mail.body.trim()}\n\n${footer(ticket, settings)}`,
    ticketId: ticket.id,
    kind: mail.kind,
    headers,
    ...(cc.length ? { cc: cc.slice(0, 20) } : {}),
    ...(mail.idempotencyKey ? { idempotencyKey: mail.idempotencyKey } : {}),
  });
  if (sent.providerMessageId && unbracket(sent.providerMessageId) !== headerId) {
    await threads.recordProviderId(unbracket(sent.providerMessageId), ticket.id, messageId);
  }
  deps.logger.info('mail.sent', { ticketId: ticket.id, kind: mail.kind, notificationId: sent.id });
  return sent;
}

function footer(ticket: Ticket, settings: ChannelSettings): string {
  const link = settings.portalStatusUrl
    ? `\n查询进度 / Track it: ${settings.portalStatusUrl}?number=${encodeURIComponent(ticket.number)}`
    : '';
  return [
    '--',
    `工单号 / Ticket: ${ticket.number}`,
    `直接回复本邮件即可补充信息，请保留主题中的 [${ticket.number}]。`,
    `Reply to this e-mail to add information; please keep [${ticket.number}] in the subject.${link}`,
    settings.mailFromName,
  ].join('\n');
}

const greeting = (ticket: Ticket) => {
  const name = ticket.customer.name?.trim();
  return { zh: name ? `${name}，您好：` : '您好：', en: name ? `Hello ${name},` : 'Hello,' };
};

/** The acknowledgement: we have it, here is its number; for a follow-up, which ticket it follows. */
export function ackBody(ticket: Ticket, followUpOf?: string | null): string {
  const hi = greeting(ticket);
  const follow = followUpOf
    ? {
        zh: `\n它是工单 ${followUpOf} 的后续（原工单已结束）。`,
        en: `\nIt follows up ticket ${followUpOf}, which had been closed.`,
      }
    : { zh: '', en: '' };
  return [
    hi.zh,
    `我们已收到您的请求「${ticket.subject}」，工单号 ${ticket.number}。${follow.zh}`,
    '我们会尽快处理。',
    '',
    hi.en,
    `We have received your request "${ticket.subject}". Your ticket number is ${ticket.number}.${follow.en}`,
    'We will get back to you soon.',
  ].join('\n');
}

/** A status notice for the moves a customer should hear about. */
export function statusBody(
  ticket: Ticket,
  action: 'await_customer' | 'resolve' | 'close' | 'reopen',
  reopenWindowDays: number,
  status: Status = ticket.status,
): string {
  const hi = greeting(ticket);
  const label = statusLabels[status];
  const text: Record<typeof action, { zh: string; en: string }> = {
    await_customer: {
      zh: '我们需要您提供更多信息，请直接回复本邮件。',
      en: 'We need more information from you: please reply to this e-mail.',
    },
    resolve: {
      zh: `我们已解决您的问题。如仍未解决，请在 ${reopenWindowDays} 天内直接回复本邮件，工单将重新打开。`,
      en: `We have resolved your request. If it is not solved, reply within ${reopenWindowDays} days and the ticket reopens.`,
    },
    close: {
      zh: '工单已归档。如有新的问题，回复本邮件将创建一张新的工单。',
      en: 'The ticket is closed. Replying to this e-mail opens a new ticket.',
    },
    reopen: {
      zh: '我们收到了您的回复，工单已重新打开，我们会继续跟进。',
      en: 'We received your reply and reopened the ticket; we are on it.',
    },
  };
  return [
    hi.zh,
    `工单 ${ticket.number}「${ticket.subject}」状态：${label.zh}。`,
    text[action].zh,
    '',
    hi.en,
    `Ticket ${ticket.number} "${ticket.subject}" is now: ${label.en}.`,
    text[action].en,
  ].join('\n');
}
