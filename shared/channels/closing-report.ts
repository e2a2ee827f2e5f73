import type { AuditEvent } from '../domain/audit/audit-event.ts';
import type { Notifier } from '../domain/notify/notifier.ts';
import type { IdGenerator, Logger } from '../domain/ports.ts';
import type { Ticket } from '../domain/ticket/ticket.entity.ts';
import type { TicketStore } from '../domain/ticket/ticket.store.ts';
import { type CustomerMailDeps, sendTicketMail } from './customer-mail.ts';
import { textCustomer } from './customer-sms.ts';
import type { Lang } from './portal/portal-text.ts';
import { customerTime } from './portal/portal-time.ts';

/** The zone a report's times are shown in when the customer's is unknown (the portal's default for zh). */
export const reportTimeZone = 'Asia/Shanghai';

/** One line of the report's timeline. */
export interface TimelineEntry {
  key: 'created' | 'firstResponse' | 'onTheWay' | 'checkIn' | 'checkOut' | 'signed' | 'resolved';
  at: string;
}

/** What the closing report says, in data: the mail, the SMS, the rating page and the portal render it. */
export interface ClosingReport {
  number: string;
  subject: string;
  /** What was asked: the start of the description. */
  asked: string;
  /** What was done: the resolution summary. */
  done: string;
  handledBy: string | null;
  timeline: TimelineEntry[];
  /** The field visit, if there was one: who signed and how many photos were taken. */
  visit: { signer: string | null; signedAt: string | null; photos: number } | null;
  rating: { score: number; comment: string } | null;
}

/** The customer's language, as their request was written: Chinese when it has any CJK character. */
export function reportLang(ticket: Pick<Ticket, 'subject' | 'description'>): Lang {
  return /[\u3400-\u9fff\uf900-\ufaff]/.test(`${ticket.subject}\n${ticket.description}`) ? 'zh' : 'en';
}

type VisitLike = {
  startedAt?: string;
  completedAt?: string | null;
  steps?: { action: string; at: string }[];
  photos?: unknown[];
  signOff?: { signerName: string; at: string } | null;
};

/**
 * The report of a resolved ticket from the ticket and its history: the visit steps from the ticket's
 * visits (docs/field-service.md) where it has them, else from the `visit` audit events.
 */
export function closingReportOf(ticket: Ticket, history: readonly AuditEvent[]): ClosingReport {
  const timeline: TimelineEntry[] = [{ key: 'created', at: ticket.createdAt }];
  if (ticket.firstRespondedAt) timeline.push({ key: 'firstResponse', at: ticket.firstRespondedAt });
  const visits = ((ticket as { visits?: VisitLike[] }).visits ?? []).filter(Boolean);
  const visit = visits.at(-1);
  let visitPart: ClosingReport['visit'] = null;
  if (visit) {
    const stepAt = (action: string) => visit.steps?.find((s) => s.action === action)?.at;
    const start = stepAt('start');
    const checkIn = stepAt('check-in');
    const checkOut = stepAt('check-out') ?? visit.completedAt ?? undefined;
    if (start) timeline.push({ key: 'onTheWay', at: start });
    if (checkIn) timeline.push({ key: 'checkIn', at: checkIn });
    if (visit.signOff) timeline.push({ key: 'signed', at: visit.signOff.at });
    if (checkOut) timeline.push({ key: 'checkOut', at: checkOut });
    visitPart = {
      signer: visit.signOff?.signerName ?? null,
      signedAt: visit.signOff?.at ?? null,
      photos: visit.photos?.length ?? 0,
    };
  } else {
    const steps = history.filter((e) => e.type === 'visit');
    const at = (action: string) => steps.find((e) => e.data.action === action)?.at;
    const signOff = steps.filter((e) => e.data.action === 'sign-off').at(-1);
    for (const [key, action] of [
      ['onTheWay', 'start'],
      ['checkIn', 'check-in'],
      ['checkOut', 'check-out'],
    ] as const) {
      const t = at(action);
      if (t) timeline.push({ key, at: t });
    }
    if (signOff) timeline.push({ key: 'signed', at: signOff.at });
    if (steps.length) {
      visitPart = {
        signer: signOff ? String(signOff.data.signerName ?? '') || null : null,
        signedAt: signOff?.at ?? null,
        photos: 0,
      };
    }
  }
  const resolvedAt = ticket.resolution?.at ?? ticket.resolvedAt;
  if (resolvedAt) timeline.push({ key: 'resolved', at: resolvedAt });
  timeline.sort((a, b) => a.at.localeCompare(b.at));
  const asked = ticket.description.trim();
  return {
    number: ticket.number,
    subject: ticket.subject,
    asked: asked.length > 600 ? `${asked.slice(0, 600)}…` : asked,
    done: ticket.resolution?.summary ?? '',
    handledBy: ticket.resolution?.byName ?? ticket.resolution?.by ?? null,
    timeline,
    visit: visitPart,
    rating: ticket.feedback?.rating
      ? { score: ticket.feedback.rating.score, comment: ticket.feedback.rating.comment }
      : null,
  };
}

export const reportText = {
  zh: {
    title: '服务完成报告',
    asked: '您的请求',
    done: '处理结果',
    timeline: '处理经过',
    handledBy: '处理人',
    visit: '上门服务',
    signedBy: (name: string) => `客户签字：${name}`,
    photos: (n: number) => `现场照片 ${n} 张（已随工单存档）`,
    steps: {
      created: '提交请求',
      firstResponse: '首次回复',
      onTheWay: '工程师出发',
      checkIn: '工程师到达现场',
      signed: '客户签字确认',
      checkOut: '上门服务完成',
      resolved: '问题解决',
    },
    rate: '请为本次服务评分（1–5 分）：',
    rateUntil: (at: string) => `链接仅可评价一次，${at} 前有效。`,
    notSolved: '如问题仍未解决，请直接回复本邮件，工单将重新打开。',
    sms: (number: string, link: string) =>
      `【工单 ${number}】您的问题已处理完毕。查看服务报告并评分：${link}`,
    smsNoLink: (number: string) => `【工单 ${number}】您的问题已处理完毕，感谢您的耐心等待。`,
  },
  en: {
    title: 'Service report',
    asked: 'What you asked',
    done: 'What we did',
    timeline: 'Timeline',
    handledBy: 'Handled by',
    visit: 'Site visit',
    signedBy: (name: string) => `Signed off by ${name}`,
    photos: (n: number) => `${n} photo(s) taken on site, kept with the ticket`,
    steps: {
      created: 'Request received',
      firstResponse: 'First response',
      onTheWay: 'Engineer on the way',
      checkIn: 'Engineer on site',
      signed: 'Signed off by you',
      checkOut: 'Visit completed',
      resolved: 'Resolved',
    },
    rate: 'Please rate how it went (1 to 5):',
    rateUntil: (at: string) => `The link works once, until ${at}.`,
    notSolved: 'If it is not solved, reply to this e-mail and the ticket reopens.',
    sms: (number: string, link: string) =>
      `[Ticket ${number}] Your request is resolved. Report and rating: ${link}`,
    smsNoLink: (number: string) =>
      `[Ticket ${number}] Your request is resolved. Thank you for your patience.`,
  },
} as const;

/** A moment in the report, in the customer's zone. */
export const reportTime = (iso: string, lang: Lang, timeZone = reportTimeZone) =>
  customerTime(new Date(iso), lang, timeZone);

/** The report as the text of an e-mail (above the standard footer). */
export function closingReportBody(
  report: ClosingReport,
  lang: Lang,
  link: { url: string; expiresAt: string } | null,
  customerName?: string,
): string {
  const t = reportText[lang];
  const hi =
    lang === 'zh'
      ? customerName
        ? `${customerName}，您好：`
        : '您好：'
      : customerName
        ? `Hello ${customerName},`
        : 'Hello,';
  const lines = [
    hi,
    '',
    lang === 'zh'
      ? `${t.title} · ${report.number}「${report.subject}」`
      : `${t.title} · ${report.number} "${report.subject}"`,
    '',
    `${t.asked}:`,
    report.asked || report.subject,
    '',
    `${t.done}:`,
    report.done,
    '',
    `${t.timeline}:`,
    ...report.timeline.map((e) => `- ${reportTime(e.at, lang)}  ${t.steps[e.key]}`),
  ];
  if (report.handledBy) lines.push('', `${t.handledBy}: ${report.handledBy}`);
  if (report.visit) {
    lines.push('', `${t.visit}:`);
    if (report.visit.signer) lines.push(`- ${t.signedBy(report.visit.signer)}`);
    if (report.visit.photos) lines.push(`- ${t.photos(report.visit.photos)}`);
  }
  if (link) lines.push('', t.rate, link.url, t.rateUntil(reportTime(link.expiresAt, lang)));
  lines.push('', t.notSolved);
  return lines.join('\n');
}

/** The rating page's address for a token (`<API>/tickets/<id>/feedback?token=…&lang=…`). */
export const feedbackUrl = (base: string, ticketId: string, token: string, lang: Lang) =>
  `${base}/tickets/${encodeURIComponent(ticketId)}/feedback?token=${token}&lang=${lang}`;

/**
 * Sends the closing report of a resolve: by e-mail, threaded with the ticket's mail; to a customer known
 * by phone only, an SMS with the link to the report and rating page. Returns whether anything was sent.
 */
export async function sendClosingReport(
  ticket: Ticket,
  plan: { token: string; expiresAt: string },
  deps: {
    tickets: TicketStore;
    mail: CustomerMailDeps;
    logger: Logger;
    ids: IdGenerator;
    notifier?: Notifier;
    approvalLinkBase?: string;
  },
  idempotencyKey?: string,
): Promise<'sent' | 'skipped'> {
  // Reopened and resolved again since this report was planned: the later resolve sends its own.
  if (ticket.status !== 'resolved' && ticket.status !== 'closed') return 'skipped';
  const lang = reportLang(ticket);
  const url = deps.approvalLinkBase ? feedbackUrl(deps.approvalLinkBase, ticket.id, plan.token, lang) : null;
  const link = url ? { url, expiresAt: plan.expiresAt } : null;
  if (ticket.customer.email) {
    const report = closingReportOf(ticket, await deps.tickets.history(ticket.id));
    const body = closingReportBody(report, lang, link, ticket.customer.name);
    const sent = await sendTicketMail(
      ticket,
      { kind: 'closing_report', body, automatic: true, idempotencyKey },
      deps,
    );
    return sent ? 'sent' : 'skipped';
  }
  if (ticket.customer.phone) {
    const t = reportText[lang];
    const body = link ? t.sms(ticket.number, link.url) : t.smsNoLink(ticket.number);
    return textCustomer(ticket, { kind: 'closing_report', body }, deps, idempotencyKey);
  }
  deps.logger.info('closing_report.skipped', { ticketId: ticket.id, reason: 'no address' });
  return 'skipped';
}
