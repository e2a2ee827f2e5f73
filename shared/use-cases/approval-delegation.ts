import { systemActor } from '../domain/actor.ts';
import type { Approval } from '../domain/approval/approval.entity.ts';
import {
  type ApprovalTimerInput,
  type ApprovalTimerStep,
  delegationDeadlines,
} from '../domain/approval/delegation.ts';
import { DomainError } from '../domain/errors.ts';
import { replaceApprover } from './approvals.ts';
import type { TicketDeps } from './deps.ts';

/** What the approval timer's two steps need: the ticket deps, and how waits map to wall time. */
export interface ApprovalTimerDeps extends TicketDeps {
  /** System time → wall time for the Wait state (the local runtime's virtual clock); identity in AWS. */
  toWall?: (at: Date) => Date;
  /** Wait timestamps are rounded up to this many ms (Step Functions keeps whole seconds). Default 1000. */
  waitPrecisionMs?: number;
}

/** Why a delegation deadline passes without a replacement: recorded in the step's log, not an error. */
const settled = ['APPROVAL.CLOSED', 'APPROVAL.NOT_PENDING', 'APPROVAL.REPLACEMENT_INVALID'];

const ended = (reason: ApprovalTimerStep['reason'], delegated = 0): ApprovalTimerStep => ({
  done: true,
  deadlineAt: null,
  waitUntil: null,
  reason,
  delegated,
});

type Loaded =
  | { ok: true; approval: Approval; deadlines: { agentId: string; deadline: Date }[] }
  | { ok: false; step: ApprovalTimerStep };

async function load(input: ApprovalTimerInput, deps: ApprovalTimerDeps): Promise<Loaded> {
  const approval = await deps.approvals.get(input.approvalId);
  if (!approval) return { ok: false, step: ended('not_found') };
  if (approval.status !== 'pending') return { ok: false, step: ended('closed') };
  if (approval.currentStage !== input.stage) return { ok: false, step: ended('stage_moved') };
  const policy = await deps.approvals.policy();
  const { calendars } = await deps.sla.config.load();
  const calendar = calendars.find((c) => c.id === policy.delegationCalendar);
  if (!calendar) {
    // A configuration fault: fail the step so the workflow alerts (and retries once it is fixed).
    throw new DomainError(
      'unprocessable',
      'APPROVAL.UNKNOWN_CALENDAR',
      `The approvals policy names unknown calendar ${policy.delegationCalendar}`,
    );
  }
  const deadlines = delegationDeadlines(approval, input.stage, calendar, policy.delegateAfterHours);
  return { ok: true, approval, deadlines };
}

/** The delegate who would take `agentId`'s place now, if they have one who exists. */
async function delegateOf(agentId: string, deps: TicketDeps): Promise<string | null> {
  const agent = await deps.routing.agents.get(agentId);
  if (!agent?.delegate) return null;
  return (await deps.routing.agents.get(agent.delegate)) ? agent.delegate : null;
}

async function nextStep(
  loaded: Loaded,
  deps: ApprovalTimerDeps,
  delegated: number,
): Promise<ApprovalTimerStep> {
  if (!loaded.ok) return { ...loaded.step, delegated };
  const now = deps.clock.now().getTime();
  let next: number | null = null;
  for (const { agentId, deadline } of loaded.deadlines) {
    const at = deadline.getTime();
    // Past the deadline with nobody to hand over to: nothing more to wait for on their account.
    if (at <= now && !(await delegateOf(agentId, deps))) continue;
    next = Math.min(next ?? Number.POSITIVE_INFINITY, Math.max(at, now));
  }
  if (next === null) return ended('nothing_left', delegated);
  const at = new Date(next);
  const wall = deps.toWall ? deps.toWall(at) : at;
  const precision = deps.waitPrecisionMs ?? 1000;
  return {
    done: false,
    deadlineAt: at.toISOString(),
    waitUntil: new Date(Math.ceil(wall.getTime() / precision) * precision).toISOString(),
    reason: 'deadline',
    delegated,
  };
}

/**
 * The approval timer's first step: when does the next pending approver of the stage run out of time?
 * The timer ends when the stage is decided, the approval closed, or every pending approver is past
 * their deadline with no delegate (a delegate named before the deadline is honoured at it).
 */
export async function computeDelegationDeadline(
  input: ApprovalTimerInput,
  deps: ApprovalTimerDeps,
): Promise<ApprovalTimerStep> {
  return nextStep(await load(input, deps), deps, 0);
}

/**
 * The approval timer's wake-up: every pending approver of the stage past their deadline who has a
 * delegate is replaced by them (`replaceApprover`, by the system, reason `delegation_timeout`: audited
 * on the ticket, `approval.delegated` published, the delegate e-mailed); the delegate's own deadline
 * runs from now. Idempotent: an approver already replaced is no longer pending and is skipped.
 */
export async function delegateOverdueApprovers(
  input: ApprovalTimerInput,
  deps: ApprovalTimerDeps,
): Promise<ApprovalTimerStep> {
  const loaded = await load(input, deps);
  if (!loaded.ok) return loaded.step;
  const now = deps.clock.now().getTime();
  let delegated = 0;
  for (const { agentId, deadline } of loaded.deadlines) {
    if (deadline.getTime() > now) continue;
    const delegate = await delegateOf(agentId, deps);
    if (!delegate) continue;
    try {
      await replaceApprover(input.approvalId, agentId, delegate, 'delegation_timeout', systemActor(), deps);
      delegated++;
      deps.logger.info('approval.delegated', {
        approvalId: input.approvalId,
        stage: input.stage,
        from: agentId,
        to: delegate,
      });
    } catch (error) {
      if (!(error instanceof DomainError && settled.includes(error.code))) throw error;
      deps.logger.info('approval.delegation_skipped', {
        approvalId: input.approvalId,
        from: agentId,
        code: error.code,
      });
    }
  }
  return nextStep(await load(input, deps), deps, delegated);
}
