import type { Actor } from '../domain/actor.ts';
import {
  defaultFeedbackLinkHours,
  mintFeedbackLink,
  withFeedbackLink,
} from '../domain/ticket/closing-report.ts';
import type { Ticket } from '../domain/ticket/ticket.entity.ts';
import type { CustomerMailRequest } from '../domain/ticket/ticket-change.ts';
import type { TicketDeps } from './deps.ts';

/**
 * What every resolving move adds (the console's and API's resolve, the child-ticket roll-up, a field
 * visit's check-out): the resolution — the summary of what was done, by whom, when — and, for a ticket
 * the customer follows (not a child) that has not been rated, a rating link and the closing report
 * mail that carries it. `next` is the ticket as the move leaves it (status resolved).
 */
export function withResolution(
  next: Ticket,
  summary: string,
  actor: Pick<Actor, 'id' | 'name'>,
  now: Date,
  deps: Pick<TicketDeps, 'feedbackLinkValidHours'>,
): { ticket: Ticket; mail: CustomerMailRequest[] } {
  const resolution = {
    summary,
    by: actor.id,
    ...(actor.name ? { byName: actor.name } : {}),
    at: now.toISOString(),
  };
  if (next.parentId || next.feedback?.rating) return { ticket: { ...next, resolution }, mail: [] };
  const { token, link } = mintFeedbackLink(now, deps.feedbackLinkValidHours ?? defaultFeedbackLinkHours);
  return {
    ticket: { ...next, resolution, feedback: withFeedbackLink(next.feedback, link) },
    mail: [{ kind: 'closing_report', token, expiresAt: link.expiresAt }],
  };
}
