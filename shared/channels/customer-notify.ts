import type { Notifier } from '../domain/notify/notifier.ts';
import type { IdGenerator, Logger } from '../domain/ports.ts';
import type { Status } from '../domain/ticket/lifecycle.ts';
import type { TicketStore } from '../domain/ticket/ticket.store.ts';
import type { CustomerMailRequest, OutboxRecord } from '../domain/ticket/ticket-change.ts';
import { catalogue } from '../events/catalogue.ts';
import { sendClosingReport } from './closing-report.ts';
import {
  ackBody,
  type CustomerMailDeps,
  type MailReplyTo,
  sendTicketMail,
  statusBody,
} from './customer-mail.ts';
import { sendCustomerSms } from './customer-sms.ts';

/** Status moves a customer is told about by mail (their own moves — resume, reopen — are not echoed). */
export const notifiedActions = ['await_customer', 'resolve', 'close'] as const;

/** One mail a customer is owed after a change. */
export type CustomerMailPlan =
  | { kind: 'ack'; followUpOf: string | null; replyTo?: MailReplyTo | undefined }
  | { kind: 'reply'; messageId: string }
  | { kind: 'status'; action: (typeof notifiedActions)[number] | 'reopen'; to?: Status }
  | { kind: 'closing_report'; token: string; expiresAt: string };

/**
 * The mail a change owes its customer, each under a key it is sent once by:
 * - a ticket opened through the portal: the acknowledgement (mail intake asks for its own, under loop
 *   protection, as an explicit request);
 * - a public reply by anyone but the customer: the reply, threaded;
 * - a move to pending, resolved or closed: a status notice;
 * - what the channel asked for explicitly: e-mail intake's acknowledgement and reopen notice.
 */
export function customerMailOf(record: OutboxRecord): { key: string; plan: CustomerMailPlan }[] {
  // A child ticket is internal work for another team: the customer hears only about the parent.
  if (record.after.parentId) return [];
  const out: { key: string; plan: CustomerMailPlan }[] = [];
  // The closing report (docs/closing-report.md) is the resolve's notice: no second mail for the move.
  const reported = record.mail.some((m) => m.kind === 'closing_report');
  for (const event of record.events) {
    const plan = planFor(event.name, event.detail);
    if (plan && !(reported && plan.kind === 'status' && plan.action === 'resolve')) {
      out.push({ key: `mail:${event.id}`, plan });
    }
  }
  record.mail.forEach((request, i) => {
    out.push({ key: `mail:${record.id}:${i}`, plan: planOfRequest(request) });
  });
  return out;
}

function planFor(name: string, detail: unknown): CustomerMailPlan | null {
  if (name === 'ticket.created') {
    const d = catalogue['ticket.created'].schema.parse(detail);
    return d.channel === 'web' ? { kind: 'ack', followUpOf: null } : null;
  }
  if (name === 'ticket.replied') {
    const d = catalogue['ticket.replied'].schema.parse(detail);
    return d.public && d.authorRole !== 'customer' ? { kind: 'reply', messageId: d.messageId } : null;
  }
  if (name === 'ticket.status_changed') {
    const d = catalogue['ticket.status_changed'].schema.parse(detail);
    const action = notifiedActions.find((a) => a === d.action);
    return action ? { kind: 'status', action, to: d.to } : null;
  }
  return null;
}

const planOfRequest = (request: CustomerMailRequest): CustomerMailPlan =>
  request.kind === 'ack'
    ? { kind: 'ack', followUpOf: request.followUpOf, replyTo: request.replyTo }
    : request.kind === 'closing_report'
      ? { kind: 'closing_report', token: request.token, expiresAt: request.expiresAt }
      : { kind: 'status', action: 'reopen' };

/**
 * Sends one planned mail about a ticket: the acknowledgement, the reply (its body read from the thread:
 * bodies are never in events or records) or the status notice, threaded (`sendTicketMail`). Skipped
 * when the ticket or the message is gone, or the address is ours or a no-reply one.
 */
export async function sendCustomerMail(
  ticketId: string,
  plan: CustomerMailPlan,
  deps: {
    tickets: TicketStore;
    mail: CustomerMailDeps;
    logger: Logger;
    ids: IdGenerator;
    /** SMS for a customer known by phone only (the closing report's link); the staff notifier. */
    notifier?: Notifier;
    approvalLinkBase?: string;
  },
  idempotencyKey?: string,
): Promise<'sent' | 'skipped'> {
  const ticket = await deps.tickets.get(ticketId);
  if (!ticket) return 'skipped';
  if (plan.kind === 'closing_report') return sendClosingReport(ticket, plan, deps, idempotencyKey);
  // A customer known by phone only is texted instead (docs/channels.md, the portal).
  if (!ticket.customer.email) return sendCustomerSms(ticket, plan, deps, idempotencyKey);
  if (plan.kind === 'ack') {
    const body = ackBody(ticket, plan.followUpOf);
    const sent = await sendTicketMail(
      ticket,
      { kind: 'ack', body, automatic: true, idempotencyKey, replyTo: plan.replyTo },
      deps,
    );
    return sent ? 'sent' : 'skipped';
  }
  if (plan.kind === 'reply') {
    const message = (await deps.tickets.messages(ticketId)).find((m) => m.id === plan.messageId);
    if (!message?.public) return 'skipped';
    const sent = await sendTicketMail(
      ticket,
      { kind: 'reply', body: message.body, automatic: false, copyParticipants: true, idempotencyKey },
      deps,
    );
    return sent ? 'sent' : 'skipped';
  }
  const body = statusBody(ticket, plan.action, deps.mail.settings.reopenWindowDays, plan.to);
  const sent = await sendTicketMail(ticket, { kind: 'status', body, automatic: true, idempotencyKey }, deps);
  return sent ? 'sent' : 'skipped';
}
