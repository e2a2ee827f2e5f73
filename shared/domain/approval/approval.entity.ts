import * as z from 'zod';
import { Role } from '../actor.ts';
import {
  alreadyDecided,
  approvalClosed,
  approverNotPending,
  notAnApprover,
  replacementInvalid,
} from './approval.errors.ts';
import { ApprovalLink } from './approval-link.ts';

/**
 * Approvals (审批) of a ticket: serial stages, each decided in parallel by its approvers, all-of or
 * any-of. Pure functions over the `Approval` document; the use cases (shared/use-cases/approvals.ts)
 * load it, apply one of these and store it with the ticket's change in one transaction.
 *
 * Rules (docs/collaboration.md, "Approvals"):
 * - Only the current stage's pending approvers decide. An any-of stage passes on its first approve;
 *   an all-of stage passes when every approver approved. Any reject, in either mode, rejects the
 *   whole approval (later stages never start).
 * - When a stage passes the next one starts; the last stage passing approves the approval.
 * - A decided (approved or rejected) approval is closed: nothing decides, nudges or replaces on it.
 */

export const approvalModes = ['all', 'any'] as const;
export const ApprovalMode = z.enum(approvalModes);
export type ApprovalMode = z.infer<typeof ApprovalMode>;

export const approvalStatuses = ['pending', 'approved', 'rejected'] as const;
export const ApprovalStatus = z.enum(approvalStatuses);
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;

/** A stage is `waiting` until the one before it passes. */
export const StageStatus = z.enum(['waiting', 'pending', 'approved', 'rejected']);
export type StageStatus = z.infer<typeof StageStatus>;

/**
 * One approver's place in a stage: `pending` while their word is awaited; `approved` / `rejected` once
 * given; `not_needed` when an any-of stage passed (or the approval was rejected) before they acted;
 * `replaced` when a delegate took their place (`replacedBy`).
 */
export const ApproverStatus = z.enum(['pending', 'approved', 'rejected', 'not_needed', 'replaced']);
export type ApproverStatus = z.infer<typeof ApproverStatus>;

export const Decision = z.enum(['approve', 'reject']);
export type Decision = z.infer<typeof Decision>;

export const ApproverId = z.string().trim().min(1).max(64);

const Person = z.object({ id: z.string(), name: z.string().optional() });

export const StageApprover = z.object({
  agentId: z.string(),
  name: z.string().optional(),
  status: ApproverStatus,
  /** When they became a pending approver (the stage started, or they replaced someone). */
  since: z.string().nullable(),
  decidedAt: z.string().nullable(),
  comment: z.string().nullable(),
  /** The delegate who took over (status `replaced`), or whom this approver replaced. */
  replacedBy: z.string().optional(),
  replaces: z.string().optional(),
});
export type StageApprover = z.infer<typeof StageApprover>;

export const ApprovalStage = z.object({
  mode: ApprovalMode,
  status: StageStatus,
  approvers: z.array(StageApprover),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
});
export type ApprovalStage = z.infer<typeof ApprovalStage>;

/**
 * One decision as the e-signature trail keeps it: who, when, from where (IP, user agent), through which
 * door (`console`/API with a session, or a signed `link` from the approver's e-mail), and what it did.
 */
export const DecisionRecord = z.object({
  id: z.string(),
  stage: z.number().int().nonnegative(),
  approver: z.string(),
  decision: Decision,
  comment: z.string().nullable(),
  at: z.string(),
  actor: z.object({ id: z.string(), name: z.string().optional(), role: Role }),
  via: z.enum(['api', 'link']),
  sourceIp: z.string().nullable(),
  userAgent: z.string().nullable(),
});
export type DecisionRecord = z.infer<typeof DecisionRecord>;

export const NudgeRecord = z.object({
  at: z.string(),
  by: Person,
  /** The approvers reminded (the current stage's pending ones). */
  to: z.array(z.string()),
});
export type NudgeRecord = z.infer<typeof NudgeRecord>;

export const Replacement = z.object({
  stage: z.number().int().nonnegative(),
  from: z.string(),
  to: z.string(),
  reason: z.string(),
  at: z.string(),
  by: Person,
});
export type Replacement = z.infer<typeof Replacement>;

export const Approval = z.object({
  id: z.string(),
  ticketId: z.string(),
  ticketNumber: z.string(),
  /** The ticket's subject when the approval was requested (for "my approvals" and e-mails). */
  subject: z.string(),
  reason: z.string(),
  requestedBy: Person.extend({ email: z.string().optional() }),
  requestedAt: z.string(),
  status: ApprovalStatus,
  /** Index of the stage being decided; the last stage's index once the approval is closed. */
  currentStage: z.number().int().nonnegative(),
  stages: z.array(ApprovalStage).min(1),
  decisions: z.array(DecisionRecord),
  nudges: z.object({
    count: z.number().int().nonnegative(),
    byApprover: z.record(z.string(), z.number().int().nonnegative()),
    lastAt: z.string().nullable(),
    history: z.array(NudgeRecord),
  }),
  replacements: z.array(Replacement),
  /** One-time decision links e-mailed to approvers: only their tokens' hashes (approval-link.ts). */
  links: z.array(ApprovalLink).default([]),
  decidedAt: z.string().nullable(),
  updatedAt: z.string(),
  /** Optimistic version: every change adds one; the store writes on condition it has not moved. */
  version: z.number().int().positive(),
});
export type Approval = z.infer<typeof Approval>;

/** A stage as requested: who approves and how. */
export interface StageRequest {
  approvers: readonly { id: string; name?: string }[];
  mode: ApprovalMode;
}

export interface NewApproval {
  id: string;
  ticket: { id: string; number: string; subject: string };
  reason: string;
  requestedBy: { id: string; name?: string; email?: string };
  stages: readonly StageRequest[];
}

/** A new approval: its first stage pending from `now`, the others waiting. */
export function openApproval(input: NewApproval, now: Date): Approval {
  const at = now.toISOString();
  return {
    id: input.id,
    ticketId: input.ticket.id,
    ticketNumber: input.ticket.number,
    subject: input.ticket.subject,
    reason: input.reason,
    requestedBy: input.requestedBy,
    requestedAt: at,
    status: 'pending',
    currentStage: 0,
    stages: input.stages.map((s, i) => ({
      mode: s.mode,
      status: i === 0 ? 'pending' : 'waiting',
      startedAt: i === 0 ? at : null,
      endedAt: null,
      approvers: s.approvers.map((a) => ({
        agentId: a.id,
        ...(a.name ? { name: a.name } : {}),
        status: 'pending',
        since: i === 0 ? at : null,
        decidedAt: null,
        comment: null,
      })),
    })),
    decisions: [],
    nudges: { count: 0, byApprover: {}, lastAt: null, history: [] },
    replacements: [],
    links: [],
    decidedAt: null,
    updatedAt: at,
    version: 1,
  };
}

/** The stage being decided (the last one once closed). */
export const currentStage = (a: Approval): ApprovalStage => a.stages[a.currentStage]!;

/** Who is awaited now: the current stage's pending approvers (none once the approval is closed). */
export const pendingApprovers = (a: Approval): string[] =>
  a.status === 'pending'
    ? currentStage(a)
        .approvers.filter((x) => x.status === 'pending')
        .map((x) => x.agentId)
    : [];

/** What a decision did: the approval after it, and whether a stage ended, a new one started, or it closed. */
export interface DecisionOutcome {
  approval: Approval;
  record: DecisionRecord;
  /** The stage the decision was made in. */
  stage: number;
  stagePassed: boolean;
  /** The index of a stage that started because of this decision. */
  startedStage: number | null;
  /** Set when the approval closed (approved or rejected). */
  closed: 'approved' | 'rejected' | null;
}

export interface DecideInput {
  approver: string;
  decision: Decision;
  comment: string | null;
  record: Omit<DecisionRecord, 'stage' | 'approver' | 'decision' | 'comment' | 'at'>;
}

/**
 * Applies `approver`'s decision to the current stage (the rules at the top). Refuses: a closed
 * approval (APPROVAL.CLOSED), someone who already decided this stage (APPROVAL.ALREADY_DECIDED),
 * someone who is not a pending approver now (APPROVAL.NOT_PENDING: a later stage, replaced, or not
 * needed any more), and someone who is no approver of it at all (APPROVAL.NOT_APPROVER).
 */
export function decide(approval: Approval, input: DecideInput, now: Date): DecisionOutcome {
  if (approval.status !== 'pending') throw approvalClosed(approval);
  const index = approval.currentStage;
  const stage = currentStage(approval);
  const mine = stage.approvers.find((x) => x.agentId === input.approver && x.status !== 'replaced');
  if (!mine) {
    const anywhere = approval.stages.some((s) => s.approvers.some((x) => x.agentId === input.approver));
    if (!anywhere) throw notAnApprover(approval, input.approver);
    throw approverNotPending(approval, input.approver);
  }
  if (mine.status === 'approved' || mine.status === 'rejected')
    throw alreadyDecided(approval, input.approver);
  if (mine.status !== 'pending') throw approverNotPending(approval, input.approver);

  const at = now.toISOString();
  const record: DecisionRecord = {
    ...input.record,
    stage: index,
    approver: input.approver,
    decision: input.decision,
    comment: input.comment,
    at,
  };
  let approvers = stage.approvers.map((x) =>
    x === mine
      ? {
          ...x,
          status: input.decision === 'approve' ? ('approved' as const) : ('rejected' as const),
          decidedAt: at,
          comment: input.comment,
        }
      : x,
  );
  const rejected = input.decision === 'reject';
  const passed =
    !rejected &&
    (stage.mode === 'any' || approvers.every((x) => x.status === 'approved' || x.status === 'replaced'));
  const ended = rejected || passed;
  if (ended) {
    approvers = approvers.map((x) => (x.status === 'pending' ? { ...x, status: 'not_needed' as const } : x));
  }
  const stages = approval.stages.map((s, i) =>
    i === index
      ? {
          ...s,
          approvers,
          status: rejected ? ('rejected' as const) : passed ? ('approved' as const) : s.status,
          endedAt: ended ? at : null,
        }
      : s,
  );
  const last = index === approval.stages.length - 1;
  const next = passed && !last ? index + 1 : null;
  if (next !== null) stages[next] = startStage(stages[next]!, at);
  const closed = rejected ? 'rejected' : passed && last ? 'approved' : null;
  return {
    approval: {
      ...approval,
      stages,
      currentStage: next ?? index,
      status: closed ?? 'pending',
      decisions: [...approval.decisions, record],
      decidedAt: closed ? at : null,
      updatedAt: at,
      version: approval.version + 1,
    },
    record,
    stage: index,
    stagePassed: passed,
    startedStage: next,
    closed,
  };
}

const startStage = (stage: ApprovalStage, at: string): ApprovalStage => ({
  ...stage,
  status: 'pending',
  startedAt: at,
  approvers: stage.approvers.map((x) => ({ ...x, since: at })),
});

export interface ReplaceInput {
  from: string;
  to: { id: string; name?: string };
  reason: string;
  by: { id: string; name?: string };
}

/**
 * Puts `to` in `from`'s place wherever `from` has not yet decided: in the current stage (pending from
 * now on) and in stages still waiting. Refuses a closed approval, a `from` who has nothing left to
 * decide, and a `to` who already approves in the current stage (APPROVAL.REPLACEMENT_INVALID).
 * Returns the approval and the stages touched.
 */
export function replaceApprover(
  approval: Approval,
  input: ReplaceInput,
  now: Date,
): { approval: Approval; stages: number[] } {
  if (approval.status !== 'pending') throw approvalClosed(approval);
  if (input.from === input.to.id)
    throw replacementInvalid(approval, 'to', 'A delegate replaces someone else');
  const at = now.toISOString();
  const touched: number[] = [];
  const stages = approval.stages.map((s, i) => {
    if (i < approval.currentStage) return s;
    const slot = s.approvers.find((x) => x.agentId === input.from && x.status === 'pending');
    if (!slot) return s;
    if (s.approvers.some((x) => x.agentId === input.to.id && x.status !== 'replaced')) {
      throw replacementInvalid(approval, 'to', `${input.to.id} is already an approver of stage ${i + 1}`);
    }
    touched.push(i);
    const current = i === approval.currentStage;
    const approvers = s.approvers.flatMap((x) =>
      x === slot
        ? [
            { ...x, status: 'replaced' as const, replacedBy: input.to.id, decidedAt: at },
            {
              agentId: input.to.id,
              ...(input.to.name ? { name: input.to.name } : {}),
              status: 'pending' as const,
              since: current ? at : null,
              decidedAt: null,
              comment: null,
              replaces: input.from,
            },
          ]
        : [x],
    );
    return { ...s, approvers };
  });
  if (!touched.length) throw approverNotPending(approval, input.from);
  return {
    approval: {
      ...approval,
      stages,
      replacements: [
        ...approval.replacements,
        ...touched.map((stage) => ({
          stage,
          from: input.from,
          to: input.to.id,
          reason: input.reason,
          at,
          by: input.by,
        })),
      ],
      updatedAt: at,
      version: approval.version + 1,
    },
    stages: touched,
  };
}

/**
 * Records a nudge (催办) of the current stage's pending approvers: one more on the approval and one more
 * on each of them. The cooldown is the use case's (it answers 429 with the time left).
 */
export function nudge(
  approval: Approval,
  by: { id: string; name?: string },
  now: Date,
): { approval: Approval; to: string[] } {
  if (approval.status !== 'pending') throw approvalClosed(approval);
  const to = pendingApprovers(approval);
  const at = now.toISOString();
  const byApprover = { ...approval.nudges.byApprover };
  for (const id of to) byApprover[id] = (Object.hasOwn(byApprover, id) ? byApprover[id]! : 0) + 1;
  return {
    approval: {
      ...approval,
      nudges: {
        count: approval.nudges.count + 1,
        byApprover,
        lastAt: at,
        // The last 50 are kept on the document; the ticket's audit trail keeps every one.
        history: [...approval.nudges.history, { at, by, to }].slice(-50),
      },
      updatedAt: at,
      version: approval.version + 1,
    },
    to,
  };
}

/** Milliseconds until `approval` may be nudged again (0: now). */
export function nudgeWaitMs(approval: Approval, cooldownMs: number, now: Date): number {
  if (!approval.nudges.lastAt) return 0;
  return Math.max(0, Date.parse(approval.nudges.lastAt) + cooldownMs - now.getTime());
}
