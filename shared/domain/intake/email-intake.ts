import { DomainError } from '../errors.ts';
import type { Clock, Logger } from '../ports.ts';
import { Customer, NewTicket } from '../ticket/ticket.entity.ts';
import type { InboundEmail } from './inbound-email.ts';
import { noSender, senderRateLimited } from './intake.errors.ts';
import { type IntakeLedger, type LedgerRecord, ledgerKey, runOnce } from './intake-ledger.ts';
import {
  type AutoReplyDecision,
  automatedVerdict,
  defaultSenderRatePolicy,
  type RateDecision,
  rateDecision,
  type SenderRatePolicy,
  shouldAutoReply,
} from './loop-protection.ts';
import { type MailAuth, mailAuthLine } from './mail-auth.ts';
import { stripQuotedReply } from './quote-stripping.ts';
import {
  decideThread,
  defaultThreadingPolicy,
  normalizeTopic,
  removeSubjectTags,
  type ThreadDecision,
  type ThreadingPolicy,
  type ThreadLookups,
  threadIndexRoot,
} from './threading.ts';

/**
 * The idempotency key of an inbound mail: its Message-ID, or, when it has none, the hash of its body
 * and stable headers (`raw.contentHash`). Used twice: as the `createTicket(…, idempotencyKey)` claim for
 * a mail that opens a ticket, and as the intake ledger key for every mail, so a redelivery of a reply
 * appends nothing.
 */
export function emailIdempotencyKey(email: InboundEmail): string {
  return email.messageId ? ledgerKey('email:mid', email.messageId) : `email:hash:${email.raw.contentHash}`;
}

/** What intake asks of the ticket use cases; the wiring implements it with createTicket / addReply. */
export interface EmailTicketPort {
  /**
   * Opens a ticket through `createTicket(ticket, emailIntakeActor, deps, idempotencyKey)`; `created`
   * is false when the key's claim already holds a ticket (a redelivery that slipped past the ledger).
   * `email` is passed for the attachments to upload and the threading to index.
   */
  open(request: OpenFromEmail): Promise<{ ticketId: string; number: string; created: boolean }>;
  /** Adds the message to the ticket's thread; with `reopen`, moves it resolved → open with it. */
  append(request: AppendFromEmail): Promise<void>;
}

export interface OpenFromEmail {
  ticket: NewTicket & { customer: Customer };
  idempotencyKey: string;
  /** The ticket this follows up (a reply to a closed one, or one resolved too long ago). */
  linkedTo: { ticketId: string; number: string } | null;
  /** What later replies will be matched by: index these with the ticket. */
  threading: { messageId: string | null; threadIndexRoot: string | null; topic: string };
  email: InboundEmail;
  /** Acknowledge it to the sender (loop protection allows it), with the change that opens it. */
  acknowledge: boolean;
}

export interface AppendFromEmail {
  ticketId: string;
  body: string;
  /** A person's reply is public on the thread; an automated message (a bounce, an auto-reply) a note. */
  public: boolean;
  author: { address: string; name: string; role: 'customer' | 'participant' };
  reopen: boolean;
  /** With `reopen`: tell the sender the ticket is open again (loop protection allows it). */
  confirmReopen: boolean;
  idempotencyKey: string;
  email: InboundEmail;
}

export interface EmailIntakePorts {
  ledger: IntakeLedger;
  lookups: ThreadLookups;
  tickets: EmailTicketPort;
  /** Records this message against its sender and returns how many they sent in the window, it included. */
  senders: { recordAndCount(address: string, now: Date, windowMinutes: number): Promise<number> };
  clock: Clock;
  logger: Logger;
}

export interface EmailIntakePolicy {
  threading: ThreadingPolicy;
  rate: SenderRatePolicy;
  /** How long a worker holds a message's claim before another may take over. */
  claimSeconds: number;
}

export const emailIntakePolicy = (messageIdDomain: string, overrides: Partial<EmailIntakePolicy> = {}) => ({
  threading: { ...defaultThreadingPolicy, messageIdDomain },
  rate: defaultSenderRatePolicy,
  claimSeconds: 300,
  ...overrides,
});

export type EmailIntakeOutcome =
  | 'created'
  | 'created_linked'
  | 'appended'
  | 'reopened'
  | 'noted'
  | 'ignored'
  | 'duplicate';

export interface EmailIntakeResult extends LedgerRecord {
  outcome: EmailIntakeOutcome;
  ticketId: string | null;
  number: string | null;
  /** True only when this delivery opened a ticket. */
  created: boolean;
  /** Whether to send the acknowledgement / reopen notice; always false for machines and floods. */
  autoReply: AutoReplyDecision;
  /** Why, for the log: the threading route or the automation verdict. */
  reason: string;
}

const maxDescription = 20_000;
const maxReply = 50_000;
const noText = '(no text)';

/**
 * Brings one parsed inbound mail into the pool.
 *
 * 1. Refuse mail with no usable sender (INTAKE.NO_SENDER).
 * 2. Claim its idempotency key; a redelivery answers what the first delivery did and changes nothing.
 * 3. Count it against its sender; a flood is refused (INTAKE.SENDER_RATE_LIMITED), a burst gets no replies.
 * 4. Thread it: append, reopen, open a linked ticket, or open a new one; machines only ever add notes.
 * 5. Decide whether an automatic reply may go out (loop protection): it is asked for with the change
 *    itself, so it goes out (once) however the process fares after the write.
 */
export async function ingestEmail(
  email: InboundEmail,
  policy: EmailIntakePolicy,
  ports: EmailIntakePorts,
): Promise<EmailIntakeResult> {
  const customer = customerOf(email);
  const key = emailIdempotencyKey(email);
  const now = ports.clock.now();

  const run = await runOnce(ports.ledger, key, now, policy.claimSeconds, async () => {
    const count = await ports.senders.recordAndCount(customer.email, now, policy.rate.windowMinutes);
    const rate = rateDecision(count, policy.rate);
    const automated = automatedVerdict(email);
    if (rate === 'reject' && !automated) {
      throw senderRateLimited(count, policy.rate.intakeLimit, policy.rate.windowMinutes);
    }
    const found = await decideThread(email, ports.lookups, policy.threading, now);
    // A forged sender must not reach a ticket by anything it can copy or guess (a subject tag, a topic,
    // a Message-ID it was shown): mail failing authentication threads nowhere and opens a flagged ticket.
    const quarantine = quarantineOf(email, found);
    const decision: ThreadDecision = quarantine ? { kind: 'new' } : found;
    return automated
      ? await handleAutomated(
          email,
          decision,
          `${automated.kind}: ${automated.reason}`,
          automated.kind,
          key,
          ports,
          quarantine,
        )
      : await handlePerson(email, customer, decision, rate, key, ports, quarantine);
  });

  if (run.duplicate) {
    ports.logger.info('intake.email.duplicate', { key, ticketId: run.record.ticketId });
    return duplicateResult(run.record, 'already processed');
  }
  ports.logger.info('intake.email', {
    key,
    outcome: run.result.outcome,
    ticketId: run.result.ticketId,
    reason: run.result.reason,
    autoReply: run.result.autoReply.send,
  });
  return run.result;
}

async function handlePerson(
  email: InboundEmail,
  customer: MailCustomer,
  decision: ThreadDecision,
  rate: RateDecision,
  key: string,
  ports: EmailIntakePorts,
  quarantine: Quarantine | null,
): Promise<EmailIntakeResult> {
  if (decision.kind === 'append' || decision.kind === 'reopen') {
    const reopened = decision.kind === 'reopen';
    const autoReply: AutoReplyDecision = reopened
      ? shouldAutoReply(email, rate)
      : { send: false, reason: 'a reply on an open thread' };
    await ports.tickets.append({
      ticketId: decision.ticketId,
      body: clip(stripQuotedReply(email.text) || noText, maxReply),
      public: true,
      author: { address: customer.email, name: customer.name ?? '', role: decision.author },
      reopen: reopened,
      confirmReopen: reopened && autoReply.send,
      idempotencyKey: key,
      email,
    });
    return {
      outcome: reopened ? 'reopened' : 'appended',
      ticketId: decision.ticketId,
      number: decision.number,
      created: false,
      autoReply,
      reason: `${decision.via} (${decision.author})`,
    };
  }

  const linkedTo =
    decision.kind === 'new_linked' ? { ticketId: decision.ticketId, number: decision.number } : null;
  // Its sender did not write it, very likely: an acknowledgement would go to the address it forged.
  const autoReply: AutoReplyDecision = quarantine
    ? { send: false, reason: 'failed sender authentication' }
    : shouldAutoReply(email, rate);
  const opened = await openTicket(
    email,
    newTicketFrom(email, customer, linkedTo, quarantine),
    linkedTo,
    key,
    autoReply.send,
    ports,
  );
  if (!opened.created)
    return duplicateResult({ outcome: 'created', ticketId: opened.ticketId }, 'ticket claim');
  return {
    outcome: linkedTo ? 'created_linked' : 'created',
    ticketId: opened.ticketId,
    number: opened.number,
    created: true,
    autoReply,
    reason: quarantine
      ? `failed sender authentication (${mailAuthLine(quarantine.auth)})`
      : decision.kind === 'new_linked'
        ? `${decision.reason} (${decision.number})`
        : 'no thread matched',
  };
}

/**
 * Machines never reopen a ticket, open a follow-up, or get an answer. A bounce or auto-reply that
 * belongs to a ticket is kept as an internal note (the agent learns the address bounced, or the
 * customer is away); one that belongs to nothing is dropped. Bulk mail (lists, generated notices) that
 * matches nothing still opens a ticket, since some teams route system mail to the desk on purpose.
 */
async function handleAutomated(
  email: InboundEmail,
  decision: ThreadDecision,
  reason: string,
  kind: string,
  key: string,
  ports: EmailIntakePorts,
  quarantine: Quarantine | null,
): Promise<EmailIntakeResult> {
  const quiet: AutoReplyDecision = { send: false, reason };
  const onTicket =
    decision.kind === 'append' ||
    decision.kind === 'reopen' ||
    (decision.kind === 'new_linked' && decision.reason === 'reopen_window_passed');
  if (onTicket) {
    await ports.tickets.append({
      ticketId: decision.ticketId,
      body: clip(stripQuotedReply(email.text) || noText, maxReply),
      public: false,
      author: { address: email.from!.address, name: email.from!.name, role: decision.author },
      reopen: false,
      confirmReopen: false,
      idempotencyKey: key,
      email,
    });
    return {
      outcome: 'noted',
      ticketId: decision.ticketId,
      number: decision.number,
      created: false,
      autoReply: quiet,
      reason,
    };
  }
  if (kind !== 'bulk' || decision.kind === 'new_linked') {
    return { outcome: 'ignored', ticketId: null, number: null, created: false, autoReply: quiet, reason };
  }
  const opened = await openTicket(
    email,
    newTicketFrom(email, customerOf(email), null, quarantine),
    null,
    key,
    false,
    ports,
  );
  if (!opened.created)
    return duplicateResult({ outcome: 'created', ticketId: opened.ticketId }, 'ticket claim');
  return {
    outcome: 'created',
    ticketId: opened.ticketId,
    number: opened.number,
    created: true,
    autoReply: quiet,
    reason,
  };
}

/**
 * Opens the ticket under the mail's key. `createTicket` refuses a key it already holds with a different
 * body (IDEMPOTENCY.KEY_REUSED): for mail that means the same message parsed or mapped differently on a
 * redelivery, so it is the duplicate it looks like, not a new request.
 */
async function openTicket(
  email: InboundEmail,
  ticket: NewTicket & { customer: Customer },
  linkedTo: { ticketId: string; number: string } | null,
  key: string,
  acknowledge: boolean,
  ports: EmailIntakePorts,
): Promise<{ ticketId: string | null; number: string | null; created: boolean }> {
  try {
    return await ports.tickets.open({
      ticket,
      idempotencyKey: key,
      acknowledge,
      linkedTo,
      threading: {
        messageId: email.messageId,
        threadIndexRoot: threadIndexRoot(email.headers.threadIndex),
        topic: normalizeTopic(email.headers.threadTopic ?? email.subject),
      },
      email,
    });
  } catch (error) {
    if (error instanceof DomainError && error.code === 'IDEMPOTENCY.KEY_REUSED') {
      return { ticketId: null, number: null, created: false };
    }
    throw error;
  }
}

/** A customer known by the address a mail came from. */
type MailCustomer = Customer & { email: string };

/** The customer a mail speaks for: its sender, if the address is one we can write back to. */
function customerOf(email: InboundEmail): MailCustomer {
  if (!email.from) throw noSender('no From, Sender or Reply-To header and no envelope sender');
  const name = email.from.name.trim().slice(0, 120);
  const parsed = Customer.safeParse({
    email: email.from.address,
    ...(name ? { name } : {}),
    tier: 'standard',
  });
  if (!parsed.success)
    throw noSender(`the sender address ${JSON.stringify(email.from.address)} is not valid`);
  return { ...parsed.data, email: email.from.address };
}

function newTicketFrom(
  email: InboundEmail,
  customer: MailCustomer,
  linkedTo: { ticketId: string; number: string } | null,
  quarantine: Quarantine | null,
): NewTicket & { customer: Customer } {
  const subject = (removeSubjectTags(email.subject) || '(no subject)').slice(0, 200);
  // A follow-up's history is on the ticket it follows; a new ticket keeps everything (forwards too).
  const body = linkedTo ? stripQuotedReply(email.text) : email.text;
  const customFields: Record<string, string> = {
    ...(linkedTo ? { followUpOf: linkedTo.number, followUpOfId: linkedTo.ticketId } : {}),
    // What the receiving server found, kept with the ticket the mail opened (replies keep theirs on the message).
    ...(email.auth ? { mailAuth: email.auth.verdict, mailAuthResults: mailAuthLine(email.auth) } : {}),
    ...(quarantine?.claimed ? { mailAuthClaimed: quarantine.claimed } : {}),
  };
  const ticket = NewTicket.parse({
    subject,
    description: clip(body, maxDescription),
    customer,
    ...(quarantine ? { tags: [...quarantineTags] } : {}),
    ...(Object.keys(customFields).length ? { customFields } : {}),
  });
  return { ...ticket, customer };
}

/** Tags on a ticket opened by mail that failed sender authentication: a person looks before anyone answers. */
export const quarantineTags = ['mail-auth-failed', 'needs-review'] as const;

/** Why a mail is kept apart: its failed verdicts, and the ticket it claimed to continue, if any. */
interface Quarantine {
  auth: MailAuth;
  claimed: string | null;
}

function quarantineOf(email: InboundEmail, found: ThreadDecision): Quarantine | null {
  if (email.auth?.verdict !== 'fail') return null;
  return { auth: email.auth, claimed: found.kind === 'new' ? null : found.number };
}

function duplicateResult(record: LedgerRecord, reason: string): EmailIntakeResult {
  return {
    outcome: 'duplicate',
    ticketId: record.ticketId,
    number: null,
    created: false,
    autoReply: { send: false, reason: 'duplicate delivery' },
    reason,
  };
}

const clip = (text: string, max: number) =>
  text.length <= max ? text : `${text.slice(0, max - 14)}\n[…truncated]`;
