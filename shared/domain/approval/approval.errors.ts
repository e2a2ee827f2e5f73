import { DomainError, validationError } from '../errors.ts';

/** What an error names of an approval (typed by shape: approval.entity.ts imports these errors). */
interface Approval {
  id: string;
  status: string;
  currentStage: number;
  nudges: { lastAt: string | null };
}

const ref = (a: Pick<Approval, 'id' | 'status'>) => ({ approvalId: a.id, status: a.status });

export const approvalNotFound = (id: string) =>
  new DomainError('not_found', 'APPROVAL.NOT_FOUND', `Approval ${id} not found`, { approvalId: id });

export const approvalClosed = (a: Approval) =>
  new DomainError('conflict', 'APPROVAL.CLOSED', `Approval ${a.id} is already ${a.status}`, ref(a));

export const alreadyDecided = (a: Approval, approver: string) =>
  new DomainError(
    'conflict',
    'APPROVAL.ALREADY_DECIDED',
    `${approver} has already decided stage ${a.currentStage + 1} of approval ${a.id}`,
    { ...ref(a), approver, stage: a.currentStage },
  );

export const approverNotPending = (a: Approval, approver: string) =>
  new DomainError(
    'conflict',
    'APPROVAL.NOT_PENDING',
    `${approver} has nothing to decide on approval ${a.id} now (stage ${a.currentStage + 1})`,
    { ...ref(a), approver, stage: a.currentStage },
  );

export const notAnApprover = (a: Approval, who: string) =>
  new DomainError('forbidden', 'APPROVAL.NOT_APPROVER', `${who} is not an approver of approval ${a.id}`, {
    ...ref(a),
    approver: who,
  });

export const nudgeForbidden = (a: Approval) =>
  new DomainError(
    'forbidden',
    'APPROVAL.NUDGE_FORBIDDEN',
    `Only the requester or a supervisor nudges approval ${a.id}`,
    ref(a),
  );

export const nudgeTooSoon = (a: Approval, retryAfterSeconds: number) =>
  new DomainError(
    'rate_limited',
    'APPROVAL.NUDGE_TOO_SOON',
    `Approval ${a.id} was nudged at ${a.nudges.lastAt}; nudge again in ${retryAfterSeconds} s`,
    { ...ref(a), retryAfterSeconds, lastNudgedAt: a.nudges.lastAt },
  );

export const replacementInvalid = (a: Approval, path: string, message: string) =>
  new DomainError('conflict', 'APPROVAL.REPLACEMENT_INVALID', message, { ...ref(a), field: path });

/** Approver ids that name no agent: a 400 with one field issue per id. */
export const unknownApprovers = (issues: { path: string; id: string }[]) =>
  validationError(
    'Some approvers are not agents',
    issues.map((i) => ({ path: i.path, message: `No agent ${i.id}`, code: 'unknown_agent' })),
  );

/** A one-time decision link that cannot decide: unknown (404), or expired or used already (410). */
export const linkRefused = (approvalId: string, why: 'invalid' | 'expired' | 'used') =>
  why === 'invalid'
    ? new DomainError('not_found', 'APPROVAL.LINK_INVALID', 'This decision link is not valid', { approvalId })
    : new DomainError(
        'gone',
        why === 'expired' ? 'APPROVAL.LINK_EXPIRED' : 'APPROVAL.LINK_USED',
        why === 'expired' ? 'This decision link has expired' : 'This decision link has been used already',
        { approvalId },
      );
