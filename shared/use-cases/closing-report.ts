import type { Actor } from '../domain/actor.ts';
import { auditEvent } from '../domain/audit/audit-event.ts';
import {
  checkFeedbackToken,
  feedbackErrors,
  lowScore,
  type Rating,
  type RatingInput,
} from '../domain/ticket/closing-report.ts';
import type { Ticket } from '../domain/ticket/ticket.entity.ts';
import { touch } from '../domain/ticket/ticket.entity.ts';
import type { OutboxNotification } from '../domain/ticket/ticket-change.ts';
import { makeEvent } from '../events/catalogue.ts';
import { localeOfAgent } from './approval-notices.ts';
import { changeTicket, eventBase } from './change-ticket.ts';
import type { TicketDeps } from './deps.ts';
import { transitionTicket } from './transition-ticket.ts';

/**
 * Whoever holds the report's link, acting as the ticket's customer. A customer known by phone only has
 * no address to be recognised by (`canSee` matches e-mail), so that actor also carries `integration`:
 * the link was checked before anything is read for them.
 */
function linkHolder(ticket: Ticket, meta: LinkMeta): Actor {
  const contact = ticket.customer.email?.toLowerCase() ?? ticket.customer.phone ?? ticket.id;
  return {
    id: `customer:${contact}`,
    ...(ticket.customer.name ? { name: ticket.customer.name } : {}),
    ...(ticket.customer.email ? { email: ticket.customer.email } : {}),
    roles: ticket.customer.email ? ['customer'] : ['customer', 'integration'],
    channel: 'web',
    ...(meta.sourceIp ? { sourceIp: meta.sourceIp } : {}),
  };
}

export interface LinkMeta {
  sourceIp?: string;
  userAgent?: string;
}

/** The ticket a rating link is for, if the token is one of its links (401 / 410 otherwise). */
export async function ticketOfLink(id: string, token: string, deps: Pick<TicketDeps, 'tickets' | 'clock'>) {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw feedbackErrors.invalid();
  const ticket = await deps.tickets.get(id);
  // A child ticket has no link; an unknown id is as good as a wrong token.
  if (!ticket || ticket.parentId) throw feedbackErrors.invalid();
  const link = checkFeedbackToken(ticket.feedback, token, deps.clock.now());
  return { ticket, link };
}

/**
 * Records the customer's rating from the closing report's link.
 *
 * 1. Check the link against the ticket (401 unknown, 410 expired) and that the ticket is resolved or
 *    closed and not rated yet (409): in the write, so two posts race to one rating.
 * 2. Store the rating on the ticket with who and what it rates (assignee, team, category).
 * 3. Audit `rated`, publish `ticket.rated`; a low score (≤ 2) alerts the team's supervisor.
 */
export async function rateTicket(id: string, input: RatingInput, meta: LinkMeta, deps: TicketDeps) {
  const { ticket } = await ticketOfLink(id, input.token, deps);
  return recordRating(ticket, input, meta, deps, (current, now) => ({
    via: 'link',
    linkIssuedAt: checkFeedbackToken(current.feedback, input.token, now).issuedAt,
  }));
}

/**
 * The same rating from the portal's status page, for a customer the portal has recognised (the ticket
 * number with their address or phone): no link needed, the rest as `rateTicket`.
 */
export function rateFromPortal(
  ticket: Ticket,
  input: Pick<RatingInput, 'score' | 'comment'>,
  meta: LinkMeta,
  deps: TicketDeps,
) {
  return recordRating(ticket, input, meta, deps, () => ({ via: 'portal' }));
}

async function recordRating(
  found: Ticket,
  input: Pick<RatingInput, 'score' | 'comment'>,
  meta: LinkMeta,
  deps: TicketDeps,
  check: (current: Ticket, now: Date) => Record<string, string>,
) {
  const actor = linkHolder(found, meta);
  return changeTicket(found.id, actor, undefined, deps, async (current, now) => {
    const how = check(current, now);
    if (current.feedback?.rating) throw feedbackErrors.rated();
    if (current.status !== 'resolved' && current.status !== 'closed') throw feedbackErrors.notResolved();
    const rating: Rating = {
      score: input.score,
      comment: input.comment,
      at: now.toISOString(),
      assignee: current.assignee,
      team: current.team,
      category: current.category,
    };
    const ticket: Ticket = {
      ...touch(current, now),
      feedback: { links: current.feedback?.links ?? [], rating },
    };
    const audit = auditEvent(deps.ids.next(), current.id, 'rated', actor, now, ticket.version, {
      score: rating.score,
      ...(rating.comment ? { comment: rating.comment } : {}),
      assignee: rating.assignee,
      team: rating.team,
      category: rating.category,
      ...how,
      ...(meta.userAgent ? { userAgent: meta.userAgent.slice(0, 300) } : {}),
    });
    const event = makeEvent(deps.ids.next(), 'ticket.rated', {
      ...eventBase(ticket),
      score: rating.score,
      commented: rating.comment.length > 0,
      assignee: rating.assignee,
      team: rating.team,
      category: rating.category,
      resolvedBy: current.resolution?.by ?? null,
      ratedAt: rating.at,
    });
    const notifications = rating.score <= lowScore ? await lowScoreAlerts(ticket, rating, deps) : [];
    return { ticket, audit: [audit], events: [event], notifications };
  });
}

/**
 * After a low rating, the thank-you page offers to reopen: the link (valid, not expired) reopens the
 * ticket through the lifecycle's customer `reopen` (resolved → open), once; anything else is a 409.
 */
export async function reopenFromRating(id: string, token: string, meta: LinkMeta, deps: TicketDeps) {
  const { ticket } = await ticketOfLink(id, token, deps);
  const rating = ticket.feedback?.rating;
  if (!rating || rating.score > lowScore || ticket.status !== 'resolved') throw feedbackErrors.notLow();
  return transitionTicket(
    id,
    { to: 'open', reason: 'Reopened by the customer after a low rating' },
    linkHolder(ticket, meta),
    undefined,
    deps,
  );
}

/** Mail to the supervisor of the ticket's team (else the default team's; else its escalation contact). */
async function lowScoreAlerts(
  ticket: Ticket,
  rating: Rating,
  deps: TicketDeps,
): Promise<OutboxNotification[]> {
  const config = await deps.routing.config.get();
  const teamId = ticket.team ?? config?.defaults.team ?? null;
  const team = config?.teams.find((t) => t.id === teamId) ?? null;
  const supervisor = team ? await deps.routing.agents.get(team.supervisor) : null;
  const to = supervisor?.email ?? team?.escalation.email;
  if (!to) {
    deps.logger.warn('feedback.low_score_unrouted', { ticketId: ticket.id, team: teamId });
    return [];
  }
  const locale = localeOfAgent(supervisor);
  const comment = rating.comment ? rating.comment.slice(0, 1000) : locale === 'en' ? '(none)' : '（无）';
  const subject =
    locale === 'en'
      ? `[${ticket.number}] Low rating ${rating.score}/5: ${ticket.subject}`
      : `[${ticket.number}] 客户低分评价 ${rating.score}/5：${ticket.subject}`;
  const body =
    locale === 'en'
      ? `The customer rated ticket ${ticket.number} ${rating.score} out of 5.\nComment: ${comment}\nHandled by: ${ticket.resolution?.byName ?? ticket.resolution?.by ?? ticket.assignee ?? '-'}\nThey were offered to reopen it.`
      : `客户对工单 ${ticket.number} 的评分为 ${rating.score}/5。\n评价：${comment}\n处理人：${ticket.resolution?.byName ?? ticket.resolution?.by ?? ticket.assignee ?? '-'}\n已向客户提供重新打开工单的选项。`;
  return [
    {
      key: `feedback.low:${ticket.id}`,
      who: `team_supervisor:${teamId}`,
      notification: { channel: 'email', to, subject, body, ticketId: ticket.id, kind: 'feedback.low_score' },
    },
  ];
}
