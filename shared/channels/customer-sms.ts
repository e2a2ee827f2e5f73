import type { Notifier } from '../domain/notify/notifier.ts';
import type { Logger } from '../domain/ports.ts';
import { smsNumber } from '../domain/ticket/customer-contact.ts';
import { type Status, statusLabels } from '../domain/ticket/lifecycle.ts';
import type { Ticket } from '../domain/ticket/ticket.entity.ts';
import type { Lang } from './portal/portal-text.ts';
import { customerTime } from './portal/portal-time.ts';

/** Where a phone-only customer's texts come from: the dispatcher's notifier (SMS when SLA_SMS is on). */
export interface CustomerSmsDeps {
  notifier?: Notifier;
  logger: Logger;
  mail: { settings: { portalStatusUrl: string | null } };
}

/** What a phone-only customer is texted: the acknowledgement, a reply's arrival, a status notice. */
export type CustomerSmsPlan =
  | { kind: 'ack' }
  | { kind: 'reply' }
  | { kind: 'status'; action: 'await_customer' | 'resolve' | 'close' | 'reopen'; to?: Status };

/** Texts go in one language: Chinese when the request has any CJK character, else English. */
export const smsLang = (ticket: Pick<Ticket, 'subject' | 'description'>): Lang =>
  /[\u3400-\u9fff\uf900-\ufaff]/.test(`${ticket.subject}${ticket.description}`) ? 'zh' : 'en';

/** The time zone SMS times are written in (the portal's default; docs/channels.md). */
export const smsTimeZone = 'Asia/Shanghai';

const statusLink = (ticket: Ticket, base: string | null) =>
  base ? `${base}${base.includes('?') ? '&' : '?'}number=${encodeURIComponent(ticket.number)}` : null;

/**
 * The text of one SMS: short (one or two segments), the number first, the portal's status link where
 * there is one (the customer looks the ticket up with the number and their phone number).
 */
export function smsBody(ticket: Ticket, plan: CustomerSmsPlan, portalStatusUrl: string | null): string {
  const lang = smsLang(ticket);
  const link = statusLink(ticket, portalStatusUrl);
  const due =
    ticket.sla.firstResponseDueAt && !ticket.firstRespondedAt ? ticket.sla.firstResponseDueAt : null;
  const when = due ? customerTime(new Date(due), lang, smsTimeZone) : null;
  const status = plan.kind === 'status' ? statusLabels[plan.to ?? ticket.status][lang] : '';
  if (lang === 'zh') {
    const text =
      plan.kind === 'ack'
        ? `已收到您的请求，工单号 ${ticket.number}。${when ? `我们将在 ${when} 前回复您。` : '我们会尽快处理。'}`
        : plan.kind === 'reply'
          ? `工单 ${ticket.number} 有新的客服回复。`
          : plan.action === 'await_customer'
            ? `工单 ${ticket.number} 需要您补充信息。`
            : plan.action === 'reopen'
              ? `工单 ${ticket.number} 已重新打开，我们会继续跟进。`
              : `工单 ${ticket.number} 状态：${status}。`;
    return `${text}${link ? `查看进度：${link}` : ''}`;
  }
  const text =
    plan.kind === 'ack'
      ? `We received your request: ticket ${ticket.number}. ${when ? `We will reply by ${when}.` : 'We will get back to you soon.'}`
      : plan.kind === 'reply'
        ? `Ticket ${ticket.number}: support replied.`
        : plan.action === 'await_customer'
          ? `Ticket ${ticket.number}: we need more information from you.`
          : plan.action === 'reopen'
            ? `Ticket ${ticket.number} was reopened; we are on it.`
            : `Ticket ${ticket.number} is now: ${status}.`;
  return `${text}${link ? ` Progress: ${link}` : ''}`;
}

/**
 * Texts a customer known by phone only (no e-mail address) what the mail would have told them, through
 * the dispatcher's notifier, keyed like the mail (the sent-ledger key as the idempotency key). Skipped,
 * and logged, when SMS is not configured or the number cannot be an E.164 one.
 */
export function sendCustomerSms(
  ticket: Ticket,
  plan: CustomerSmsPlan,
  deps: CustomerSmsDeps,
  idempotencyKey?: string,
): Promise<'sent' | 'skipped'> {
  return textCustomer(
    ticket,
    { kind: plan.kind, body: smsBody(ticket, plan, deps.mail.settings.portalStatusUrl) },
    deps,
    idempotencyKey,
  );
}

/**
 * Sends one text to the ticket's customer's phone (normalized to E.164): the one way customer SMS
 * leaves, for notices and the closing report alike. Skipped, and logged, when SMS is not configured or
 * the number cannot be an E.164 one — nothing to retry, so not a failure.
 */
export async function textCustomer(
  ticket: Ticket,
  text: { kind: string; body: string },
  deps: Pick<CustomerSmsDeps, 'notifier' | 'logger'>,
  idempotencyKey?: string,
): Promise<'sent' | 'skipped'> {
  const to = smsNumber(ticket.customer.phone);
  if (!to || !deps.notifier) {
    deps.logger.info('sms.skipped', {
      ticketId: ticket.id,
      kind: text.kind,
      reason: to ? 'no SMS notifier' : 'no usable phone number',
    });
    return 'skipped';
  }
  const notification = {
    channel: 'sms' as const,
    to,
    subject: '',
    body: text.body,
    ticketId: ticket.id,
    kind: text.kind,
    ...(idempotencyKey ? { idempotencyKey } : {}),
  };
  let sent: Awaited<ReturnType<Notifier['send']>>;
  try {
    sent = await deps.notifier.send(notification);
  } catch (error) {
    // SMS switched off (SLA_SMS=false: no SMS adapter): nothing to retry, so skipped, not failed.
    if (error instanceof Error && error.message.startsWith('No notifier for channel')) {
      deps.logger.warn('sms.skipped', { ticketId: ticket.id, kind: text.kind, reason: 'SMS is not enabled' });
      return 'skipped';
    }
    throw error;
  }
  deps.logger.info('sms.sent', { ticketId: ticket.id, kind: text.kind, notificationId: sent.id });
  return 'sent';
}
