import type { ApprovalTimerInput } from '../domain/approval/delegation.ts';
import type { OutboxRecord } from '../domain/ticket/ticket-change.ts';
import { defineReaction } from './reaction.ts';

/** The approval stages that began with this change: a requested approval's first, a decision's next. */
function stagesStarted(record: OutboxRecord): ApprovalTimerInput[] {
  return record.events.flatMap((event): ApprovalTimerInput[] => {
    const detail = event.detail as {
      approvalId?: string;
      currentStage?: number;
      startedStage?: number | null;
    };
    if (!detail.approvalId) return [];
    if (event.name === 'approval.requested' && detail.currentStage !== undefined)
      return [{ approvalId: detail.approvalId, stage: detail.currentStage }];
    if (event.name === 'approval.decided' && typeof detail.startedStage === 'number')
      return [{ approvalId: detail.approvalId, stage: detail.startedStage }];
    return [];
  });
}

/**
 * Starts the approval timer of each stage that began (docs/collaboration.md, "Delegation"): it waits
 * until the stage's approvers run out of time and hands their place to their delegates. Executions are
 * named per approval and stage, so a repeated run starts nothing twice.
 */
export const approvalTimer = defineReaction({
  name: 'approval-timer',
  handles: (record) => stagesStarted(record).length > 0,
  async run(record, deps) {
    for (const stage of stagesStarted(record)) {
      const { executionName } = await deps.approvalTimers.start(stage);
      deps.logger.info('approval.timer_started', { ticketId: record.ticketId, executionName });
    }
  },
});
