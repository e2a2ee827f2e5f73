import type { Actor } from '../domain/actor.ts';
import { findLink } from '../domain/approval/approval-link.ts';
import { DomainError } from '../domain/errors.ts';
import { decideApproval } from '../use-cases/approvals.ts';
import type { TicketDeps } from '../use-cases/deps.ts';
import { decidedPage, decisionPage, type LinkRefusal, refusedPage } from './approval-link-pages.ts';
import { parseForm } from './portal/form-data.ts';
import type { PortalPage, PortalRequest } from './portal/portal.ts';
import { type Lang, langOf } from './portal/portal-text.ts';

/** What a decision link's page gets: the request as the portal's pages get it, and the approval's id. */
export interface LinkRequest extends PortalRequest {
  approvalId: string;
}

const langOfRequest = (request: PortalRequest, form?: Record<string, string>): Lang =>
  langOf(form?.lang ?? request.query?.lang, request.headers['accept-language']);

const refusalOf: Record<string, LinkRefusal> = {
  'APPROVAL.LINK_INVALID': 'invalid',
  'APPROVAL.NOT_FOUND': 'invalid',
  'APPROVAL.LINK_EXPIRED': 'expired',
  'APPROVAL.LINK_USED': 'used',
  'APPROVAL.CLOSED': 'closed',
  'APPROVAL.NOT_PENDING': 'not_pending',
  'APPROVAL.ALREADY_DECIDED': 'not_pending',
};

/**
 * `GET /approvals/{id}/act?token=…`: the page an approver's e-mailed link opens, without signing in.
 * It shows what is asked and a form; it decides nothing (mail scanners and link previews open links).
 */
export async function showDecisionLink(request: LinkRequest, deps: TicketDeps): Promise<PortalPage> {
  const l = langOfRequest(request);
  const token = request.query?.token ?? '';
  const approval = await deps.approvals.get(request.approvalId);
  if (!approval) return refusedPage(l, 'invalid');
  const found = findLink(approval.links, token, deps.clock.now());
  if (!found.ok) return refusedPage(l, found.why);
  if (approval.status !== 'pending') return refusedPage(l, 'closed');
  const stage = approval.stages[approval.currentStage]!;
  const slot = stage.approvers.find((a) => a.agentId === found.link.approver && a.status === 'pending');
  if (found.link.stage !== approval.currentStage || !slot) return refusedPage(l, 'not_pending');
  return decisionPage(l, {
    approvalId: approval.id,
    token,
    ticketNumber: approval.ticketNumber,
    subject: approval.subject,
    reason: approval.reason,
    requestedBy: approval.requestedBy.name ?? approval.requestedBy.id,
    approver: slot.name ?? slot.agentId,
    stage: approval.currentStage,
    stages: approval.stages.length,
    expiresAt: found.link.expiresAt,
  });
}

/**
 * `POST /approvals/{id}/act`: the decision from that page, as the approver the link was minted for,
 * recorded with `via: link`, the caller's IP and user agent. The link is spent in the same write as the
 * decision: a second post (a double click, a replay) finds it used and changes nothing.
 */
export async function decideWithLink(request: LinkRequest, deps: TicketDeps): Promise<PortalPage> {
  const form = parseForm(request.rawBody ?? Buffer.alloc(0), request.headers['content-type'], {
    maxFields: 10,
    maxFieldBytes: 4096,
    maxFiles: 0,
    maxFileBytes: 0,
  }).fields;
  const l = langOfRequest(request, form);
  const decision = form.decision === 'approve' || form.decision === 'reject' ? form.decision : null;
  const token = form.token ?? '';
  const approval = await deps.approvals.get(request.approvalId);
  if (!approval) return refusedPage(l, 'invalid');
  const found = findLink(approval.links, token, deps.clock.now());
  if (!found.ok) return refusedPage(l, found.why);
  if (!decision)
    return { ...(await showDecisionLink({ ...request, query: { token, lang: l } }, deps)), status: 400 };
  const agent = await deps.routing.agents.get(found.link.approver);
  const actor: Actor = {
    id: found.link.approver,
    ...(agent?.name ? { name: agent.name } : {}),
    roles: ['agent'],
    channel: 'email',
    ...(request.sourceIp ? { sourceIp: request.sourceIp } : {}),
  };
  try {
    await decideApproval(
      request.approvalId,
      { decision, ...(form.comment?.trim() ? { comment: form.comment.trim().slice(0, 2000) } : {}) },
      actor,
      {
        via: 'link',
        linkToken: token,
        ...(request.headers['user-agent'] ? { userAgent: request.headers['user-agent'] } : {}),
      },
      deps,
    );
  } catch (error) {
    const why = error instanceof DomainError ? refusalOf[error.code] : undefined;
    if (!why) throw error;
    return refusedPage(l, why);
  }
  return decidedPage(l, approval.ticketNumber, decision);
}
