import { DomainError, validationError } from '../domain/errors.ts';
import { lowScore, RatingInput } from '../domain/ticket/closing-report.ts';
import type { Ticket } from '../domain/ticket/ticket.entity.ts';
import { type LinkMeta, rateTicket, reopenFromRating, ticketOfLink } from '../use-cases/closing-report.ts';
import type { TicketDeps } from '../use-cases/deps.ts';
import { closingReportOf } from './closing-report.ts';
import {
  type FeedbackRefusal,
  feedbackPage,
  feedbackRefusedPage,
  pickScore,
  ratingForm,
  reopenedPage,
  thanksSection,
} from './feedback-pages.ts';
import { parseForm } from './portal/form-data.ts';
import type { PortalPage, PortalRequest } from './portal/portal.ts';
import { type Lang, langOf } from './portal/portal-text.ts';

/** A request to a rating link's page: the portal's request shape and the ticket's id. */
export interface FeedbackRequest extends PortalRequest {
  ticketId: string;
}

const refusalOf: Record<string, FeedbackRefusal> = {
  'FEEDBACK.LINK_INVALID': 'invalid',
  'FEEDBACK.LINK_EXPIRED': 'expired',
  'FEEDBACK.ALREADY_RATED': 'rated',
  'FEEDBACK.NOT_RESOLVED': 'not_resolved',
  'FEEDBACK.REOPEN_NOT_OFFERED': 'not_low',
};

const langOfRequest = (request: PortalRequest, form?: Record<string, string>): Lang =>
  langOf(form?.lang ?? request.query?.lang, request.headers['accept-language']);

const metaOf = (request: PortalRequest): LinkMeta => ({
  ...(request.sourceIp ? { sourceIp: request.sourceIp } : {}),
  ...(request.headers['user-agent'] ? { userAgent: request.headers['user-agent'] } : {}),
});

const actionOf = (ticketId: string, lang: Lang, reopen = false) =>
  `/tickets/${encodeURIComponent(ticketId)}/feedback${reopen ? '/reopen' : ''}?lang=${lang}`;

/** The low-score reopen offer: while the ticket is resolved and the link still works. */
const reopenOffer = (ticket: Ticket, token: string, lang: Lang) =>
  ticket.status === 'resolved' && ticket.feedback?.rating && ticket.feedback.rating.score <= lowScore
    ? { action: actionOf(ticket.id, lang, true), hidden: { token, lang } }
    : null;

async function pageFor(ticket: Ticket, token: string, lang: Lang, deps: TicketDeps, error?: string) {
  const report = closingReportOf(ticket, await deps.tickets.history(ticket.id));
  const rating = ticket.feedback?.rating;
  const part = rating
    ? thanksSection(lang, rating, reopenOffer(ticket, token, lang))
    : ratingForm(lang, actionOf(ticket.id, lang), { token, lang }, error);
  return feedbackPage(lang, report, part, error ? 400 : 200);
}

/** Runs `run`, answering a refused link with its page (401 / 409 / 410). */
async function orRefused(lang: Lang, run: () => Promise<PortalPage>): Promise<PortalPage> {
  try {
    return await run();
  } catch (error) {
    const why = error instanceof DomainError ? refusalOf[error.code] : undefined;
    if (why) return feedbackRefusedPage(lang, why);
    throw error;
  }
}

/**
 * `GET /tickets/{id}/feedback?token=…`: the closing report and the rating form, without signing in.
 * It changes nothing (mail scanners open links too); once rated, the thanks and, after a low score, the
 * offer to reopen.
 */
export function showFeedback(request: FeedbackRequest, deps: TicketDeps): Promise<PortalPage> {
  const lang = langOfRequest(request);
  const token = request.query?.token ?? '';
  return orRefused(lang, async () => {
    const { ticket } = await ticketOfLink(request.ticketId, token, deps);
    return pageFor(ticket, token, lang, deps);
  });
}

const isJson = (request: PortalRequest) =>
  (request.headers['content-type'] ?? '').includes('application/json');

function fieldsOf(request: PortalRequest): Record<string, unknown> {
  const raw = request.rawBody ?? Buffer.alloc(0);
  if (isJson(request)) {
    try {
      const parsed: unknown = JSON.parse(raw.toString('utf8') || '{}');
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {
      // Reported below as a body that is not an object.
    }
    throw validationError('The body must be a JSON object', [
      { path: '', message: 'Expected a JSON object' },
    ]);
  }
  return parseForm(raw, request.headers['content-type'], {
    maxFields: 10,
    maxFieldBytes: 8192,
    maxFiles: 0,
    maxFileBytes: 0,
  }).fields;
}

/**
 * `POST /tickets/{id}/feedback` `{ token, score, comment }`, as JSON (answers JSON; errors as the API's)
 * or as the rating page's form (answers a page): records the rating once (`rateTicket`).
 */
export async function submitFeedback(
  request: FeedbackRequest,
  deps: TicketDeps,
): Promise<PortalPage | { status: number; body: unknown }> {
  const json = isJson(request);
  const fields = fieldsOf(request);
  const lang = langOfRequest(request, json ? undefined : (fields as Record<string, string>));
  const parsed = RatingInput.safeParse(fields);
  if (json) {
    if (!parsed.success) {
      throw validationError(
        'The rating is not valid',
        parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, code: i.code })),
      );
    }
    const { ticket } = await rateTicket(request.ticketId, parsed.data, metaOf(request), deps);
    const rating = ticket.feedback!.rating!;
    return {
      status: 200,
      body: {
        ticketId: ticket.id,
        number: ticket.number,
        rating: { score: rating.score, comment: rating.comment, at: rating.at },
        reopenOffered: rating.score <= lowScore && ticket.status === 'resolved',
      },
    };
  }
  const token = typeof fields.token === 'string' ? fields.token : '';
  return orRefused(lang, async () => {
    if (!parsed.success) {
      // The form again with the problem named (the link is checked first: a bad link is a 401).
      const { ticket } = await ticketOfLink(request.ticketId, token, deps);
      return pageFor(ticket, token, lang, deps, pickScore(lang));
    }
    const { ticket } = await rateTicket(request.ticketId, parsed.data, metaOf(request), deps);
    return pageFor(ticket, token, lang, deps);
  });
}

/** `POST /tickets/{id}/feedback/reopen` `{ token }`: the thank-you page's reopen after a low score. */
export async function reopenFromFeedback(
  request: FeedbackRequest,
  deps: TicketDeps,
): Promise<PortalPage | { status: number; body: unknown }> {
  const json = isJson(request);
  const fields = fieldsOf(request);
  const lang = langOfRequest(request, json ? undefined : (fields as Record<string, string>));
  const token = typeof fields.token === 'string' ? fields.token : '';
  if (json) {
    const { ticket } = await reopenFromRating(request.ticketId, token, metaOf(request), deps);
    return { status: 200, body: { ticketId: ticket.id, number: ticket.number, status: ticket.status } };
  }
  return orRefused(lang, async () => {
    const { ticket } = await reopenFromRating(request.ticketId, token, metaOf(request), deps);
    return reopenedPage(lang, ticket.number);
  });
}
