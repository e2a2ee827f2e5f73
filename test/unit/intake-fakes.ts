import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEmail } from '#shared/adapters/email/parse-email.ts';
import type { AppendFromEmail, EmailIntakePorts, OpenFromEmail } from '#shared/domain/intake/email-intake.ts';
import type { InboundEmail } from '#shared/domain/intake/inbound-email.ts';
import { inMemoryIntakeLedger } from '#shared/domain/intake/intake-ledger.ts';
import type { ThreadTicket } from '#shared/domain/intake/threading.ts';
import type { Status } from '#shared/domain/ticket/lifecycle.ts';
import { formatTicketNumber } from '#shared/domain/ticket/ticket.entity.ts';

/** The shared fixtures, read in place (`../shared/data/email` from the repository root). */
export const fixtureRoot = path.resolve(
  fileURLToPath(new URL('../../', import.meta.url)),
  '../shared/data/email',
);
export const readFixture = (file: string) => readFileSync(path.join(fixtureRoot, file));

export const ourDomain = 'mail.gongdan.test';
export const silentLogger = { info() {}, warn() {}, error() {} };

/** Parses raw mail, failing the test if it is rejected. */
export async function parsed(raw: string | Buffer, envelopeFrom?: string): Promise<InboundEmail> {
  const result = await parseEmail(raw, envelopeFrom ? { envelopeFrom } : {});
  if (!result.ok)
    throw new Error(`expected the message to parse: ${result.error.code} ${result.error.message}`);
  return result.email;
}

export interface MailSpec {
  from?: string;
  to?: string;
  cc?: string;
  subject?: string;
  messageId?: string | null;
  inReplyTo?: string;
  references?: string;
  date?: string;
  headers?: Record<string, string>;
  body?: string;
  html?: string;
}

/** A small RFC 822 message, CRLF line ends, UTF-8 (subject encoded as RFC 2047 when not ASCII). */
export function mail(spec: MailSpec): string {
  const encode = (v: string) =>
    /^[\x20-\x7e]*$/.test(v) ? v : `=?UTF-8?B?${Buffer.from(v, 'utf8').toString('base64')}?=`;
  const lines = [
    `From: ${spec.from ?? 'Zhao <zhao@example.com>'}`,
    `To: ${spec.to ?? 'support@gongdan.test'}`,
    ...(spec.cc ? [`Cc: ${spec.cc}`] : []),
    `Subject: ${encode(spec.subject ?? 'Printer broken')}`,
    `Date: ${spec.date ?? 'Fri, 20 Nov 2026 08:00:00 +0800'}`,
    ...(spec.messageId === null
      ? []
      : [`Message-ID: <${spec.messageId ?? `${Math.random().toString(36).slice(2)}@example.com`}>`]),
    ...(spec.inReplyTo ? [`In-Reply-To: ${spec.inReplyTo}`] : []),
    ...(spec.references ? [`References: ${spec.references}`] : []),
    ...Object.entries(spec.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
    `Content-Type: ${spec.html ? 'text/html' : 'text/plain'}; charset=utf-8`,
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(spec.html ?? spec.body ?? 'The printer on floor 3 is broken.', 'utf8')
      .toString('base64')
      .replace(/.{76}/g, '$&\r\n'),
    '',
  ];
  return lines.join('\r\n');
}

export interface DeskTicket extends ThreadTicket {
  subject: string;
  description: string;
  customFields: Record<string, unknown>;
  linkedTo: string | null;
  /** Our outbound Message-IDs' message parts that "were sent" for this ticket. */
  outbound: Set<string>;
  threadIndexRoot: string | null;
  topic: string;
  thread: AppendFromEmail[];
}

/**
 * An in-memory service desk behind the e-mail intake ports: tickets, createTicket's idempotency claims,
 * the intake ledger and the per-sender counter. Plain objects, no mocks: it does what the real wiring
 * does, in memory.
 */
export function fakeDesk(start = new Date('2026-11-20T08:00:00Z')) {
  let now = start;
  let next = 100;
  const tickets = new Map<string, DeskTicket>();
  const claims = new Map<string, string>();
  const sent = new Map<string, number>();
  const ledger = inMemoryIntakeLedger();
  const all = () => [...tickets.values()];

  const ports: EmailIntakePorts = {
    ledger,
    clock: { now: () => now },
    logger: silentLogger,
    senders: {
      async recordAndCount(address) {
        const count = (sent.get(address.toLowerCase()) ?? 0) + 1;
        sent.set(address.toLowerCase(), count);
        return count;
      },
    },
    lookups: {
      byOutboundMessageId: (ref) => {
        const ticket = tickets.get(ref.ticketId);
        return ticket?.outbound.has(ref.messageId) ? ticket : null;
      },
      byNumber: (number) => all().find((t) => t.number === number) ?? null,
      byThreadIndexRoot: (root) => all().find((t) => t.threadIndexRoot === root) ?? null,
      byThreadTopic: (topic, sender) =>
        all()
          .reverse()
          .find((t) => t.topic === topic && t.customer.email?.toLowerCase() === sender.toLowerCase()) ?? null,
    },
    tickets: {
      async open(request: OpenFromEmail) {
        const claimed = claims.get(request.idempotencyKey);
        if (claimed) return { ticketId: claimed, number: tickets.get(claimed)!.number, created: false };
        const ticket = desk.seed({
          subject: request.ticket.subject,
          description: request.ticket.description,
          customer: { email: request.ticket.customer.email },
          customFields: request.ticket.customFields,
          linkedTo: request.linkedTo?.ticketId ?? null,
          threadIndexRoot: request.threading.threadIndexRoot,
          topic: request.threading.topic,
        });
        claims.set(request.idempotencyKey, ticket.id);
        return { ticketId: ticket.id, number: ticket.number, created: true };
      },
      async append(request: AppendFromEmail) {
        const ticket = tickets.get(request.ticketId)!;
        if (ticket.status === 'closed') throw new Error('cannot append to a closed ticket');
        ticket.thread.push(request);
        if (request.reopen) {
          ticket.status = 'open';
          ticket.resolvedAt = null;
        }
      },
    },
  };

  const desk = {
    ports,
    tickets,
    ledger,
    all,
    setNow(at: Date) {
      now = at;
    },
    /** A ticket as if opened earlier, with an outbound mail `M1` already sent for it. */
    seed(partial: Partial<DeskTicket> & { status?: Status } = {}): DeskTicket {
      const n = next++;
      const id = `T${n}`;
      const ticket: DeskTicket = {
        id,
        number: formatTicketNumber(n),
        status: 'open',
        resolvedAt: null,
        customer: { email: 'zhao@example.com' },
        participants: [],
        subject: 'Printer broken',
        description: '',
        customFields: {},
        linkedTo: null,
        outbound: new Set(['M1']),
        threadIndexRoot: null,
        topic: 'printer broken',
        thread: [],
        ...partial,
      };
      tickets.set(id, ticket);
      return ticket;
    },
  };
  return desk;
}
