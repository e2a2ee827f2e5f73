import * as z from 'zod';
import { addBusinessMinutes, type BusinessCalendar } from '../sla/calendar.ts';
import { freshTimerFailures, timerExecutionName } from '../sla/timer.ts';
import type { Approval } from './approval.entity.ts';

/** What the approval timer's execution carries: the approval and the stage it times. */
export const ApprovalTimerInput = z.object({
  approvalId: z.string().min(1).max(64),
  stage: z.number().int().nonnegative(),
});
export type ApprovalTimerInput = z.infer<typeof ApprovalTimerInput>;

/** One step's answer, the state machine's `$.timer`: wait until `waitUntil`, or end. */
export interface ApprovalTimerStep {
  done: boolean;
  /** When the next approver runs out of time (system time). */
  deadlineAt: string | null;
  /** The Wait state's timestamp (wall time). */
  waitUntil: string | null;
  reason: 'deadline' | 'not_found' | 'closed' | 'stage_moved' | 'nothing_left';
  /** Approvers this step replaced by their delegates. */
  delegated: number;
}

/** Starts an approval stage's timer; starting one already started is success. */
export interface ApprovalTimerStarter {
  start(input: ApprovalTimerInput): Promise<{ executionName: string }>;
}

/** The execution's input: the stage and no failures yet (the definition's CountFailure adds to it). */
export const approvalTimerExecutionInput = (input: ApprovalTimerInput) => ({
  ...ApprovalTimerInput.parse(input),
  failures: freshTimerFailures(),
});

/** `approval-<approvalId>-s<stage>`: one execution per approval stage, so a repeated start is a no-op. */
export const approvalExecutionName = (input: ApprovalTimerInput) =>
  timerExecutionName('approval', input.approvalId, `-s${input.stage}`);

/** A pending approver of the stage and the instant they run out of time. */
export interface ApproverDeadline {
  agentId: string;
  deadline: Date;
}

/**
 * The delegation deadline of each pending approver of `stage`: the time they became pending plus
 * `hours` of working time on `calendar` (a Friday-evening request is not overdue on Monday morning).
 * Empty when the approval is closed or has moved on from that stage.
 */
export function delegationDeadlines(
  approval: Approval,
  stage: number,
  calendar: BusinessCalendar,
  hours: number,
): ApproverDeadline[] {
  if (approval.status !== 'pending' || approval.currentStage !== stage) return [];
  return (approval.stages[stage]?.approvers ?? []).flatMap((a) =>
    a.status === 'pending' && a.since
      ? [{ agentId: a.agentId, deadline: addBusinessMinutes(calendar, new Date(a.since), hours * 60) }]
      : [],
  );
}
