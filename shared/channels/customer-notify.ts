import * as z from 'zod';
import { runOnce } from '../domain/intake/intake-ledger.ts';
import { catalogue } from '../events/catalogue.ts';
import { ackBody, sendTicketMail, statusBody } from './customer-mail.ts';
import type { ChannelTicketDeps } from './ports.ts';

/** Status moves a customer is told about by mail (their own moves — resume, reopen — are not echoed). */
export const notifiedActions = ['await_customer', 'resolve', 'close'] as const;

/**
 * The bus events that mail a customer, one EventBridge pattern each (the stack makes one rule per
 * pattern, all targeting the customer-mail function; the local bus applies the same patterns):
 * a ticket opened through the portal (acknowledgement; mail intake acknowledges its own, under loop
 * protection), a public reply by anyone but the customer, and the status moves above.
 */
export const customerMailPatterns = [
  { source: ['gongdan'], 'detail-type': ['ticket.created'], detail: { channel: ['web'] } },
  {
    source: ['gongdan'],
    'detail-type': ['ticket.replied'],
    detail: { public: [true], authorRole: [{ 'anything-but': ['customer'] }] },
  },
  {
    source: ['gongdan'],
    'detail-type': ['ticket.status_changed'],
    detail: { action: [...notifiedActions] },
  },
] as const;

const BusEnvelope = z.object({
  id: z.string().min(1),
  source: z.literal('gongdan'),
  'detail-type': z.string(),
  detail: z.record(z.string(), z.unknown()),
});

export type CustomerMailOutcome = 'sent' | 'skipped';

/**
 * Mails the customer about one ticket event. Idempotent per event id (EventBridge delivers at least
 * once): the intake ledger remembers each event it handled.
 *
 * 1. Claim the event's id; a redelivery does nothing.
 * 2. Load the ticket (and, for a reply, the message: bodies are never in events).
 * 3. Send the acknowledgement, the reply or the status notice, threaded (`sendTicketMail`).
 */
export async function notifyCustomer(event: unknown, deps: ChannelTicketDeps): Promise<CustomerMailOutcome> {
  const envelope = BusEnvelope.parse(event);
  const name = envelope['detail-type'];
  const run = await runOnce(
    deps.channels.ledger,
    `notify:${envelope.id}`,
    deps.clock.now(),
    120,
    async () => {
      const outcome = await send(name, envelope.detail, deps);
      return { outcome, ticketId: String(envelope.detail.ticketId ?? '') || null };
    },
  );
  return run.duplicate ? 'skipped' : run.result.outcome;
}

async function send(name: string, detail: unknown, deps: ChannelTicketDeps): Promise<CustomerMailOutcome> {
  const settings = deps.channels.settings;
  if (name === 'ticket.created') {
    const d = catalogue['ticket.created'].schema.parse(detail);
    if (d.channel !== 'web') return 'skipped';
    const ticket = await deps.tickets.get(d.ticketId);
    if (!ticket) return 'skipped';
    return (await sendTicketMail(ticket, { kind: 'ack', body: ackBody(ticket), automatic: true }, deps))
      ? 'sent'
      : 'skipped';
  }
  if (name === 'ticket.replied') {
    const d = catalogue['ticket.replied'].schema.parse(detail);
    if (!d.public || d.authorRole === 'customer') return 'skipped';
    const [ticket, messages] = await Promise.all([
      deps.tickets.get(d.ticketId),
      deps.tickets.messages(d.ticketId),
    ]);
    const message = messages.find((m) => m.id === d.messageId);
    if (!ticket || !message?.public) return 'skipped';
    const sent = await sendTicketMail(
      ticket,
      { kind: 'reply', body: message.body, automatic: false, copyParticipants: true },
      deps,
    );
    return sent ? 'sent' : 'skipped';
  }
  if (name === 'ticket.status_changed') {
    const d = catalogue['ticket.status_changed'].schema.parse(detail);
    const action = notifiedActions.find((a) => a === d.action);
    if (!action) return 'skipped';
    const ticket = await deps.tickets.get(d.ticketId);
    if (!ticket) return 'skipped';
    const sent = await sendTicketMail(
      ticket,
      { kind: 'status', body: statusBody(ticket, action, settings.reopenWindowDays, d.to), automatic: true },
      deps,
    );
    return sent ? 'sent' : 'skipped';
  }
  return 'skipped';
}
