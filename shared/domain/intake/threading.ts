import { createHash } from 'node:crypto';
import type { Status } from '../ticket/lifecycle.ts';
import { type InboundEmail, sameAddress } from './inbound-email.ts';

// --- our outbound Message-ID ---------------------------------------------------------------------

/** What our own Message-ID carries: the ticket and the message on its thread that was mailed. */
export interface OutboundMessageRef {
  ticketId: string;
  messageId: string;
}

const idPart = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The Message-ID of a mail we send about a ticket, `<gd.<ticketId>.<messageId>@<domain>>`. Ticket and
 * message ids are ULIDs (letters, digits), so the dots separate unambiguously. Replies carry it back in
 * In-Reply-To / References, which is the most reliable way to find the ticket again.
 */
export function outboundMessageId(ref: OutboundMessageRef, domain: string): string {
  if (!idPart.test(ref.ticketId) || !idPart.test(ref.messageId)) {
    throw new Error('ticket and message ids must be letters, digits, "_" or "-"');
  }
  return `<gd.${ref.ticketId}.${ref.messageId}@${domain.toLowerCase()}>`;
}

/**
 * Reads one of our Message-IDs (with or without angle brackets) back into its parts; null for anyone
 * else's, including ids that look like ours but name another domain.
 */
export function parseOutboundMessageId(id: string, domain: string): OutboundMessageRef | null {
  const match = /^<?gd\.([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{1,64})@([^<>\s@]+)>?$/i.exec(id.trim());
  if (!match || match[3]!.toLowerCase() !== domain.toLowerCase()) return null;
  return { ticketId: match[1]!, messageId: match[2]! };
}

// --- the subject tag ------------------------------------------------------------------------------

/** `[GD-000123]`: what we put in the subject of every mail about a ticket. */
export const subjectTag = (number: string) => `[${number}]`;

/** Adds the ticket's tag to a subject once (a reply of a reply keeps a single tag). */
export function withSubjectTag(subject: string, number: string): string {
  if (findSubjectTags(subject).includes(number.toUpperCase())) return subject;
  return `${subject.trim()} ${subjectTag(number)}`.trim();
}

/** Ticket numbers tagged in a subject, in order, upper-cased, without duplicates. */
export function findSubjectTags(subject: string): string[] {
  const numbers = [...subject.matchAll(/\[\s*#?\s*(GD-\d{6,})\s*\]/gi)].map((m) => m[1]!.toUpperCase());
  return [...new Set(numbers)];
}

/** The subject without our tags, e.g. for a new ticket opened by a reply to a closed one. */
export const removeSubjectTags = (subject: string) =>
  subject.replace(/\s*\[\s*#?\s*GD-\d{6,}\s*\]\s*/gi, ' ').trim();

const replyPrefix =
  /^\s*(?:(?:re|fw|fwd|aw|wg|sv|vs|antw|rif|tr|r|回复|回覆|答复|答覆|转发|轉寄|轉發)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+/i;

/** Whether a subject carries a reply or forward prefix (`Re:`, `回复：`, `AW:`, …). */
export const hasReplyPrefix = (subject: string) => replyPrefix.test(subject);

/**
 * The conversation topic as Outlook's Thread-Topic has it: reply/forward prefixes and our tags
 * removed, whitespace collapsed, lower-cased. Stores index tickets by this, so a lookup by topic
 * matches whichever side computed it.
 */
export function normalizeTopic(subject: string): string {
  let topic = removeSubjectTags(subject);
  while (replyPrefix.test(topic)) topic = topic.replace(replyPrefix, '');
  return topic.replace(/\s+/g, ' ').trim().toLowerCase();
}

// --- Outlook Thread-Index ---------------------------------------------------------------------------

/**
 * The conversation root of an Outlook Thread-Index (PidTagConversationIndex): the 22-byte header block
 * (reserved byte, 5 bytes of FILETIME, 16-byte GUID), base64. Each reply appends a 5-byte child block,
 * so every message of one conversation shares the root. Null when the header is not a Thread-Index.
 */
export function threadIndexRoot(threadIndex: string | null | undefined): string | null {
  if (!threadIndex) return null;
  const compact = threadIndex.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return null;
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length < 22) return null;
  return bytes.subarray(0, 22).toString('base64');
}

/** How many replies deep a Thread-Index is (0 for the message that started the conversation). */
export function threadIndexDepth(threadIndex: string | null | undefined): number {
  if (!threadIndexRoot(threadIndex)) return 0;
  return Math.floor((Buffer.from(threadIndex!.replace(/\s+/g, ''), 'base64').length - 22) / 5);
}

/**
 * A Thread-Index for the first mail we send about a ticket, derived from the ticket (so the same
 * ticket always gets the same root): Outlook replies extend it, and the root leads back here even
 * when a mail server has dropped References.
 */
export function threadIndexFor(ticketId: string, createdAt: Date): string {
  const header = Buffer.alloc(22);
  header[0] = 0x01;
  // FILETIME: 100 ns ticks since 1601-01-01; the header keeps its 5 high-order bytes.
  const ticks = (BigInt(createdAt.getTime()) + 11_644_473_600_000n) * 10_000n;
  const filetime = Buffer.alloc(8);
  filetime.writeBigUInt64BE(ticks);
  filetime.copy(header, 1, 0, 5);
  createHash('sha256').update(`gongdan:${ticketId}`).digest().copy(header, 6, 0, 16);
  return header.toString('base64');
}

// --- the decision ---------------------------------------------------------------------------------

/** The part of a ticket threading needs. A full Ticket fits; `participants` are others we mailed (CC). */
export interface ThreadTicket {
  id: string;
  number: string;
  status: Status;
  resolvedAt: string | null;
  /** Absent for a customer known by phone only (whose mail never matches). */
  customer: { email?: string | undefined };
  participants?: readonly string[];
}

type Found = ThreadTicket | null | undefined;

/** How to find a ticket; each returns null when there is none. Implemented over the ticket store. */
export interface ThreadLookups {
  /** The ticket one of our outbound Message-IDs belongs to (the ref is already parsed and ours). */
  byOutboundMessageId(ref: OutboundMessageRef): Found | Promise<Found>;
  /**
   * The ticket a Message-ID that is not in our format belongs to, when we recorded it as sent: SES
   * replaces the Message-ID of every mail it sends with its own, so in AWS the customer's reply names
   * that one. Optional; the ids are the provider's random ones, as unguessable as ours.
   */
  bySentMessageId?(id: string): Found | Promise<Found>;
  /**
   * The ticket an inbound mail with this Message-ID landed on (the customer's first mail, a reply):
   * what a colleague copied on it names when they answer all before any mail of ours reached them.
   * Optional; ids are recorded only for mail that passed into a ticket.
   */
  byInboundMessageId?(id: string): Found | Promise<Found>;
  byNumber(number: string): Found | Promise<Found>;
  /** The ticket whose conversation has this Outlook Thread-Index root. */
  byThreadIndexRoot(root: string): Found | Promise<Found>;
  /** The customer's most recent ticket on this normalized topic. */
  byThreadTopic(topic: string, senderAddress: string): Found | Promise<Found>;
}

export interface ThreadingPolicy {
  /** The domain of our outbound Message-IDs. */
  messageIdDomain: string;
  /** A reply this many days after resolution or fewer reopens the ticket; later, it opens a linked one. */
  reopenWindowDays: number;
  /**
   * Ticket numbers are easy to guess, so a subject tag alone threads only mail from the ticket's
   * customer or a known participant (default). Message-IDs are unguessable and need no such check.
   */
  subjectTagRequiresKnownSender: boolean;
}

export const defaultThreadingPolicy: Omit<ThreadingPolicy, 'messageIdDomain'> = {
  reopenWindowDays: 7,
  subjectTagRequiresKnownSender: true,
};

export type ThreadVia = 'in-reply-to' | 'references' | 'subject-tag' | 'thread-index' | 'thread-topic';

export interface ThreadMatch {
  ticketId: string;
  number: string;
  via: ThreadVia;
  /** The ticket's customer, or someone else on the thread (a CC'd colleague, a third party). */
  author: 'customer' | 'participant';
}

export type ThreadDecision =
  | ({ kind: 'append' } & ThreadMatch)
  | ({ kind: 'reopen' } & ThreadMatch)
  | ({ kind: 'new_linked'; reason: 'closed' | 'reopen_window_passed' } & ThreadMatch)
  | { kind: 'new' };

const dayMs = 86_400_000;

/**
 * Finds the ticket an inbound mail continues, in order of reliability: our Message-ID in In-Reply-To,
 * then in References (newest first), then other Message-IDs we sent or received on a ticket (In-Reply-To,
 * then References), the `[GD-…]` subject tag, Outlook's Thread-Index root, then
 * Thread-Topic + sender for mail that is evidently a reply. Then decides what the mail does to it:
 * append (open work), reopen (resolved within the window), a new linked ticket (closed, or resolved
 * too long ago), or a new ticket when nothing matches.
 */
export async function decideThread(
  email: InboundEmail,
  lookups: ThreadLookups,
  policy: ThreadingPolicy,
  now: Date,
): Promise<ThreadDecision> {
  const match = await findThread(email, lookups, policy);
  if (!match) return { kind: 'new' };
  const { ticket, via } = match;
  const found: ThreadMatch = {
    ticketId: ticket.id,
    number: ticket.number,
    via,
    author: authorOf(email, ticket),
  };

  if (ticket.status === 'closed') return { kind: 'new_linked', reason: 'closed', ...found };
  if (ticket.status === 'resolved') {
    const resolvedAt = ticket.resolvedAt ? Date.parse(ticket.resolvedAt) : Number.NaN;
    // A resolved ticket without a resolution time is treated as just resolved: reopening loses nothing.
    const withinWindow =
      Number.isNaN(resolvedAt) || now.getTime() - resolvedAt <= policy.reopenWindowDays * dayMs;
    return withinWindow
      ? { kind: 'reopen', ...found }
      : { kind: 'new_linked', reason: 'reopen_window_passed', ...found };
  }
  return { kind: 'append', ...found };
}

async function findThread(
  email: InboundEmail,
  lookups: ThreadLookups,
  policy: ThreadingPolicy,
): Promise<{ ticket: ThreadTicket; via: ThreadVia } | null> {
  const ours = (ids: string[]) =>
    ids.map((id) => parseOutboundMessageId(id, policy.messageIdDomain)).filter((r) => r !== null);

  for (const ref of ours(email.inReplyTo)) {
    const ticket = await lookups.byOutboundMessageId(ref);
    if (ticket) return { ticket, via: 'in-reply-to' };
  }
  for (const ref of ours([...email.references].reverse())) {
    const ticket = await lookups.byOutboundMessageId(ref);
    if (ticket) return { ticket, via: 'references' };
  }
  const foreignLookups = [lookups.bySentMessageId, lookups.byInboundMessageId].filter(
    (lookup) => lookup !== undefined,
  );
  if (foreignLookups.length) {
    const sent = await findSent(email, foreignLookups, policy.messageIdDomain);
    if (sent) return sent;
  }

  const sender = email.from?.address ?? null;
  for (const number of findSubjectTags(email.subject)) {
    const ticket = await lookups.byNumber(number);
    if (ticket && (!policy.subjectTagRequiresKnownSender || isKnownSender(sender, ticket))) {
      return { ticket, via: 'subject-tag' };
    }
  }

  const root = threadIndexRoot(email.headers.threadIndex);
  if (root) {
    const ticket = await lookups.byThreadIndexRoot(root);
    if (ticket) return { ticket, via: 'thread-index' };
  }

  if (sender && looksLikeReply(email)) {
    const topic = normalizeTopic(email.headers.threadTopic ?? email.subject);
    const ticket = topic ? await lookups.byThreadTopic(topic, sender) : null;
    if (ticket && isKnownSender(sender, ticket)) return { ticket, via: 'thread-topic' };
  }
  return null;
}

/**
 * In-Reply-To, then References newest first: ids in another format that we recorded, as sent (the
 * provider's ids for our mail) or as received (mail that landed on a ticket).
 */
async function findSent(
  email: InboundEmail,
  byId: ((id: string) => Found | Promise<Found>)[],
  domain: string,
): Promise<{ ticket: ThreadTicket; via: ThreadVia } | null> {
  const foreign = (ids: string[]) => ids.filter((id) => !parseOutboundMessageId(id, domain));
  const find = async (id: string) => {
    for (const lookup of byId) {
      const ticket = await lookup(id);
      if (ticket) return ticket;
    }
    return null;
  };
  for (const id of foreign(email.inReplyTo)) {
    const ticket = await find(id);
    if (ticket) return { ticket, via: 'in-reply-to' };
  }
  for (const id of foreign([...email.references].reverse())) {
    const ticket = await find(id);
    if (ticket) return { ticket, via: 'references' };
  }
  return null;
}

/**
 * A topic alone would merge two separate mails with the same subject ("Printer broken"), so it is used
 * only for mail that says it is a reply: a reply prefix, reply headers, or a Thread-Index child block.
 */
const looksLikeReply = (email: InboundEmail) =>
  hasReplyPrefix(email.subject) ||
  email.inReplyTo.length > 0 ||
  email.references.length > 0 ||
  threadIndexDepth(email.headers.threadIndex) > 0;

const isKnownSender = (sender: string | null, ticket: ThreadTicket) =>
  sameAddress(sender, ticket.customer.email) ||
  (ticket.participants ?? []).some((p) => sameAddress(p, sender));

const authorOf = (email: InboundEmail, ticket: ThreadTicket): ThreadMatch['author'] =>
  sameAddress(email.from?.address, ticket.customer.email) ? 'customer' : 'participant';
