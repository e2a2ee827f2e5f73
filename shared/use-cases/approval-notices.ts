import type { Approval } from '../domain/approval/approval.entity.ts';
import type { Agent } from '../domain/routing/agent.ts';
import type { OutboxNotification } from '../domain/ticket/ticket-change.ts';

type Locale = 'zh' | 'en';

/** The language a person reads: English when their languages name English and no Chinese. */
export const localeOfAgent = (agent: Pick<Agent, 'languages'> | null): Locale => {
  const list = (agent?.languages ?? []).map((l) => l.toLowerCase());
  return list.length > 0 && !list.some((l) => l.startsWith('zh')) && list.some((l) => l.startsWith('en'))
    ? 'en'
    : 'zh';
};

/** Why an approval message is sent; also the outbox `kind` (`approval.<why>`). */
export type ApprovalNoticeKind = 'requested' | 'nudged' | 'delegated' | 'decided';

export interface ApprovalNotice {
  kind: ApprovalNoticeKind;
  approval: Approval;
  /** Who it goes to, with their profile (address, languages); null profile: no agent of that id. */
  recipient: { id: string; agent: Agent | null; email?: string };
  /** The outbox key: one message per key, so a retried change does not send twice. */
  key: string;
  /** For `nudged`: how many times this approver has been reminded. */
  nudges?: number;
  /** For `delegated`: whom the recipient replaces. */
  replaces?: string;
  /** An approver's one-time decision link (no sign-in), when the deployment has one. */
  link?: { url: string; expiresAt: string };
}

const linkLine = (link: ApprovalNotice['link'], locale: Locale) => {
  if (!link) return '';
  const until = `${link.expiresAt.slice(0, 16).replace('T', ' ')} UTC`;
  return locale === 'en'
    ? `\n\nDecide without signing in (the link works once, until ${until}):\n${link.url}`
    : `\n\n无需登录即可审批（链接仅可使用一次，${until} 前有效）：\n${link.url}`;
};

const decisionWords = {
  approved: { zh: '已通过', en: 'approved' },
  rejected: { zh: '已驳回', en: 'rejected' },
  pending: { zh: '审批中', en: 'pending' },
} as const;

function render(n: ApprovalNotice, locale: Locale): { subject: string; body: string } {
  const a = n.approval;
  const stage = `${a.currentStage + 1}/${a.stages.length}`;
  const requester = a.requestedBy.name ?? a.requestedBy.id;
  if (locale === 'en') {
    const head = `Ticket ${a.ticketNumber}: ${a.subject}`;
    switch (n.kind) {
      case 'requested':
        return {
          subject: `[${a.ticketNumber}] Approval requested: ${a.subject}`,
          body: `${requester} asks for your approval (stage ${stage}).\n${head}\nReason: ${a.reason}\n\nApprove or reject it in the console under "My approvals".`,
        };
      case 'nudged':
        return {
          subject: `[${a.ticketNumber}] Reminder: your approval is awaited`,
          body: `${requester} reminds you (reminder ${n.nudges ?? 1}) that approval stage ${stage} is waiting on you.\n${head}\nReason: ${a.reason}`,
        };
      case 'delegated':
        return {
          subject: `[${a.ticketNumber}] You now approve in place of ${n.replaces}`,
          body: `You replace ${n.replaces} as an approver (stage ${stage}).\n${head}\nReason: ${a.reason}`,
        };
      case 'decided':
        return {
          subject: `[${a.ticketNumber}] Approval ${decisionWords[a.status].en}: ${a.subject}`,
          body: `The approval you requested was ${decisionWords[a.status].en}.\n${head}\nReason: ${a.reason}\n${decisionLines(a)}`,
        };
    }
  }
  const head = `工单 ${a.ticketNumber}：${a.subject}`;
  switch (n.kind) {
    case 'requested':
      return {
        subject: `[${a.ticketNumber}] 待您审批：${a.subject}`,
        body: `${requester} 请您审批（第 ${stage} 级）。\n${head}\n事由：${a.reason}\n\n请在控制台「我的审批」中通过或驳回。`,
      };
    case 'nudged':
      return {
        subject: `[${a.ticketNumber}] 催办：审批待您处理`,
        body: `${requester} 催办（第 ${n.nudges ?? 1} 次）：第 ${stage} 级审批正在等您。\n${head}\n事由：${a.reason}`,
      };
    case 'delegated':
      return {
        subject: `[${a.ticketNumber}] 您已代替 ${n.replaces} 审批`,
        body: `您已代替 ${n.replaces} 成为审批人（第 ${stage} 级）。\n${head}\n事由：${a.reason}`,
      };
    case 'decided':
      return {
        subject: `[${a.ticketNumber}] 审批${decisionWords[a.status].zh}：${a.subject}`,
        body: `您发起的审批${decisionWords[a.status].zh}。\n${head}\n事由：${a.reason}\n${decisionLines(a)}`,
      };
  }
}

const decisionLines = (a: Approval) =>
  a.decisions
    .map(
      (d) => `- ${d.actor.name ?? d.approver}: ${d.decision}${d.comment ? ` — ${d.comment}` : ''} (${d.at})`,
    )
    .join('\n');

/**
 * An approval message as an outbox notification (sent by the notifications reaction, once per key), by
 * e-mail to the recipient's profile address; null when there is none (the caller records who could not
 * be reached). An approver's message carries their one-time decision link (`link`) when there is one.
 */
export function approvalNotification(n: ApprovalNotice): OutboxNotification | null {
  const to = n.recipient.agent?.email ?? n.recipient.email;
  if (!to) return null;
  const locale = localeOfAgent(n.recipient.agent);
  const rendered = render(n, locale);
  const subject = rendered.subject;
  const body = n.kind === 'decided' ? rendered.body : rendered.body + linkLine(n.link, locale);
  return {
    key: n.key,
    who: `${n.kind === 'decided' ? 'requester' : 'approver'}:${n.recipient.id}`,
    notification: {
      channel: 'email',
      to,
      subject,
      body,
      ticketId: n.approval.ticketId,
      kind: `approval.${n.kind}`,
    },
  };
}
