import { html } from './portal/html.ts';
import { bareLayout, pageHeaders } from './portal/portal-pages.ts';
import type { Lang } from './portal/portal-text.ts';

/** What the decision page shows of the approval an e-mailed link is for. */
export interface LinkView {
  approvalId: string;
  token: string;
  ticketNumber: string;
  subject: string;
  reason: string;
  requestedBy: string;
  approver: string;
  stage: number;
  stages: number;
  expiresAt: string;
}

export type LinkRefusal = 'invalid' | 'expired' | 'used' | 'closed' | 'not_pending';

const text = {
  zh: {
    title: '审批',
    intro: '您被邀请审批以下工单：',
    ticket: '工单',
    subject: '主题',
    reason: '审批事由',
    requestedBy: '发起人',
    stage: (n: number, of: number) => `第 ${n} / ${of} 级`,
    approver: '审批人',
    comment: '意见（可选）',
    approve: '同意',
    reject: '驳回',
    validUntil: (at: string) => `此链接仅可使用一次，有效期至 ${at}（UTC）。`,
    done: { approve: '已同意。谢谢！', reject: '已驳回。谢谢！' },
    doneHint: '您的决定、时间、IP 地址与浏览器信息已记录在工单的审计记录中。',
    refused: {
      invalid: '此审批链接无效。请使用邮件中的完整链接，或登录控制台审批。',
      expired: '此审批链接已过期。请登录控制台审批，或请发起人重新催办。',
      used: '此审批链接已使用过，不能再次使用。',
      closed: '此审批已结束，无需再处理。',
      not_pending: '此环节已不再等待您的决定（可能已由代理人接替或已通过）。',
    },
  },
  en: {
    title: 'Approval',
    intro: 'You are asked to approve this ticket:',
    ticket: 'Ticket',
    subject: 'Subject',
    reason: 'Reason',
    requestedBy: 'Requested by',
    stage: (n: number, of: number) => `Stage ${n} of ${of}`,
    approver: 'Approver',
    comment: 'Comment (optional)',
    approve: 'Approve',
    reject: 'Reject',
    validUntil: (at: string) => `This link works once, until ${at} (UTC).`,
    done: { approve: 'Approved. Thank you!', reject: 'Rejected. Thank you!' },
    doneHint: "Your decision, the time, your IP address and browser are kept in the ticket's audit trail.",
    refused: {
      invalid:
        'This approval link is not valid. Use the whole link from the e-mail, or sign in to the console.',
      expired:
        'This approval link has expired. Sign in to the console to decide, or ask the requester to nudge again.',
      used: 'This approval link has been used already; it works once.',
      closed: 'This approval is closed: nothing is waiting for you.',
      not_pending: 'This stage no longer waits for you (a delegate took over, or it passed).',
    },
  },
} as const;

const shown = (iso: string) => iso.slice(0, 16).replace('T', ' ');

/** The decision form. GET shows it and decides nothing: mail scanners open links too. */
export function decisionPage(lang: Lang, view: LinkView) {
  const t = text[lang];
  const body = html`<section>
<h1>${t.title} · ${view.ticketNumber}</h1>
<p>${t.intro}</p>
<dl>
<dt>${t.ticket}</dt><dd>${view.ticketNumber}</dd>
<dt>${t.subject}</dt><dd>${view.subject}</dd>
<dt>${t.reason}</dt><dd>${view.reason}</dd>
<dt>${t.requestedBy}</dt><dd>${view.requestedBy}</dd>
<dt>${t.approver}</dt><dd>${view.approver} · ${t.stage(view.stage + 1, view.stages)}</dd>
</dl>
<form method="post" action="/approvals/${encodeURIComponent(view.approvalId)}/act?lang=${lang}">
<input type="hidden" name="token" value="${view.token}">
<label for="comment">${t.comment}</label>
<textarea id="comment" name="comment" maxlength="2000"></textarea>
<button type="submit" name="decision" value="approve">${t.approve}</button>
<button type="submit" name="decision" value="reject" class="reject">${t.reject}</button>
</form>
<p class="hint">${t.validUntil(shown(view.expiresAt))}</p>
</section>`;
  return { status: 200, html: bareLayout(lang, t.title, body), headers: pageHeaders };
}

export function decidedPage(lang: Lang, ticketNumber: string, decision: 'approve' | 'reject') {
  const t = text[lang];
  const body = html`<section><h1>${t.title} · ${ticketNumber}</h1><p class="notice">${t.done[decision]}</p><p class="hint">${t.doneHint}</p></section>`;
  return { status: 200, html: bareLayout(lang, t.title, body), headers: pageHeaders };
}

/** Why a link cannot decide: 404 for a link we do not know, 410 for one that expired or was used. */
export function refusedPage(lang: Lang, why: LinkRefusal) {
  const t = text[lang];
  const status = why === 'invalid' ? 404 : why === 'expired' || why === 'used' ? 410 : 409;
  const body = html`<section><h1>${t.title}</h1><p class="alert">${t.refused[why]}</p></section>`;
  return { status, html: bareLayout(lang, t.title, body), headers: pageHeaders };
}
