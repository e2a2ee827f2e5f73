import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { hashToken } from '../approval/approval-link.ts';
import { DomainError, validationError } from '../errors.ts';

/**
 * The closing report and the customer's rating (docs/closing-report.md). A ticket is resolved with a
 * summary of what was done (`resolution`); the customer is mailed the report with a one-time link to
 * rate it. The link carries 256 random bits; the ticket keeps only their SHA-256 and the expiry (as
 * approvals' decision links do), so an altered token is simply unknown (401) and a leaked table holds
 * nothing that rates.
 */
export const Resolution = z.object({
  summary: z.string(),
  by: z.string(),
  byName: z.string().optional(),
  at: z.string(),
});
export type Resolution = z.infer<typeof Resolution>;

export const FeedbackLink = z.object({
  hash: z.string(),
  issuedAt: z.string(),
  expiresAt: z.string(),
});
export type FeedbackLink = z.infer<typeof FeedbackLink>;

export const Rating = z.object({
  score: z.number().int().min(1).max(5),
  comment: z.string(),
  at: z.string(),
  /** Who was rated: the ticket's assignee, team and category when the customer rated it (CSAT reports). */
  assignee: z.string().nullable(),
  team: z.string().nullable(),
  category: z.string().nullable(),
});
export type Rating = z.infer<typeof Rating>;

export const Feedback = z.object({
  links: z.array(FeedbackLink),
  rating: Rating.nullable(),
});
export type Feedback = z.infer<typeof Feedback>;

/** What a resolving move carries: a summary of what was done, required. */
export const ResolutionSummary = z.string().trim().min(1).max(4000);

/** Scores at or below this alert the supervisors and offer the customer to reopen. */
export const lowScore = 2;

/** How long a rating link works unless configured (`FEEDBACK_LINK_VALID_HOURS`). */
export const defaultFeedbackLinkHours = 30 * 24;

/** Links kept on a ticket (older ones are dropped as new ones are minted: one per resolution). */
const maxLinks = 5;

/** The 400 of a resolving move without a summary, naming the field. */
export const summaryRequired = () =>
  validationError('A resolution summary is required to resolve a ticket', [
    {
      path: 'summary',
      message: 'Say what was done: the customer receives it in the closing report',
      code: 'required',
    },
  ]);

/** The summary a resolving move carries, or the 400 naming the field. */
export function requireSummary(summary: string | undefined | null): string {
  const parsed = ResolutionSummary.safeParse(summary ?? '');
  if (!parsed.success) throw summaryRequired();
  return parsed.data;
}

/** A new rating link valid `validHours`: the token goes into the report, the rest onto the ticket. */
export function mintFeedbackLink(
  now: Date,
  validHours: number,
  random: (bytes: number) => Buffer = randomBytes,
): { token: string; link: FeedbackLink } {
  const token = random(32).toString('base64url');
  return {
    token,
    link: {
      hash: hashToken(token),
      issuedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + validHours * 3_600_000).toISOString(),
    },
  };
}

/** `feedback` with `link` added (the oldest dropped past `maxLinks`). */
export const withFeedbackLink = (feedback: Feedback | undefined, link: FeedbackLink): Feedback => ({
  links: [...(feedback?.links ?? []), link].slice(-maxLinks),
  rating: feedback?.rating ?? null,
});

export const feedbackErrors = {
  invalid: () =>
    new DomainError(
      'unauthenticated',
      'FEEDBACK.LINK_INVALID',
      'This rating link is not valid for the ticket',
    ),
  expired: (expiresAt: string) =>
    new DomainError('gone', 'FEEDBACK.LINK_EXPIRED', 'This rating link has expired', { expiresAt }),
  rated: () => new DomainError('conflict', 'FEEDBACK.ALREADY_RATED', 'This ticket has been rated already'),
  notResolved: () =>
    new DomainError('conflict', 'FEEDBACK.NOT_RESOLVED', 'Only a resolved or closed ticket can be rated'),
  notLow: () =>
    new DomainError(
      'conflict',
      'FEEDBACK.REOPEN_NOT_OFFERED',
      'Reopening is offered after a low rating only',
    ),
};

/**
 * The link `token` names on this ticket, checked in this order: a token that is not one of the ticket's
 * (altered, or for another ticket) → 401; expired → 410. Whether it was used is the rating's business
 * (one rating per ticket, 409).
 */
export function checkFeedbackToken(feedback: Feedback | undefined, token: string, now: Date): FeedbackLink {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw feedbackErrors.invalid();
  const hash = hashToken(token);
  const link = feedback?.links.find((l) => l.hash === hash);
  if (!link) throw feedbackErrors.invalid();
  if (Date.parse(link.expiresAt) <= now.getTime()) throw feedbackErrors.expired(link.expiresAt);
  return link;
}

/** The rating a customer posts: a score of 1 to 5 and an optional comment. */
export const RatingInput = z.object({
  token: z.string().max(200),
  score: z.coerce.number().int().min(1).max(5),
  comment: z.string().trim().max(2000).default(''),
});
export type RatingInput = z.infer<typeof RatingInput>;
