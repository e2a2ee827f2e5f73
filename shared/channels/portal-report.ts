import { DomainError } from '../domain/errors.ts';
import type { Ticket } from '../domain/ticket/ticket.entity.ts';
import { type LinkMeta, rateFromPortal } from '../use-cases/closing-report.ts';
import type { TicketDeps } from '../use-cases/deps.ts';
import { closingReportOf } from './closing-report.ts';
import { pickScore, ratingForm, reportSection, thanksSection } from './feedback-pages.ts';
import { html, type SafeHtml } from './portal/html.ts';
import type { Lang } from './portal/portal-text.ts';

const text = {
  zh: { rated: '感谢您的评价！', already: '此工单已经评价过。' },
  en: { rated: 'Thank you for your rating!', already: 'This ticket has been rated already.' },
} as const;

/** What the portal's status page shows a resolved ticket (docs/closing-report.md): the report and the rating. */
export async function portalReport(
  ticket: Ticket,
  lang: Lang,
  lookup: { number: string; email: string },
  deps: Pick<TicketDeps, 'tickets'>,
  options: { timeZone?: string; error?: string } = {},
): Promise<SafeHtml | null> {
  if (ticket.parentId || !ticket.resolution) return null;
  if (ticket.status !== 'resolved' && ticket.status !== 'closed') return null;
  const report = closingReportOf(ticket, await deps.tickets.history(ticket.id));
  const rating = ticket.feedback?.rating;
  const part = rating
    ? thanksSection(lang, rating, null)
    : ratingForm(lang, '/portal/status', { action: 'rate', lang, ...lookup }, options.error);
  return html`${reportSection(report, lang, options.timeZone)}${part}`;
}

/**
 * `action=rate` on the portal's status page, for the customer the portal recognised: records the
 * rating (`rateFromPortal`) and says how it went; a missing score is the form's error.
 */
export async function portalRate(
  ticket: Ticket,
  fields: Record<string, string>,
  meta: LinkMeta,
  lang: Lang,
  deps: TicketDeps,
): Promise<{ ticket: Ticket; notice?: string; alert?: string; error?: string }> {
  const score = Number(fields.score);
  if (!Number.isInteger(score) || score < 1 || score > 5) return { ticket, error: pickScore(lang) };
  try {
    const { ticket: rated } = await rateFromPortal(
      ticket,
      { score, comment: (fields.comment ?? '').trim().slice(0, 2000) },
      meta,
      deps,
    );
    return { ticket: rated, notice: text[lang].rated };
  } catch (error) {
    if (error instanceof DomainError && error.code.startsWith('FEEDBACK.')) {
      return { ticket: (await deps.tickets.get(ticket.id)) ?? ticket, alert: text[lang].already };
    }
    throw error;
  }
}
