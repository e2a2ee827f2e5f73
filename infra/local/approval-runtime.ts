import { approvalDeadlineHandler } from '#functions/approval-deadline/task.ts';
import { approvalDelegateHandler } from '#functions/approval-delegate/task.ts';
import type { ApprovalTimerStarter } from '#shared/domain/approval/delegation.ts';
import { approvalExecutionName, approvalTimerExecutionInput } from '#shared/domain/approval/delegation.ts';
import type { Logger } from '#shared/domain/ports.ts';
import type { ApprovalTimerDeps } from '#shared/use-cases/approval-delegation.ts';
import type { TicketDeps } from '#shared/use-cases/deps.ts';
import { approvalTimerStates } from '#workflows/approval-timer.ts';
import { ExecutionAlreadyExists, type LocalTimer, localTimer } from '#workflows/checkpoint-timer.local.ts';
import type { AslDefinition } from '#workflows/checkpoint-timer.ts';
import { localWall } from './sla-runtime.ts';
import type { VirtualClock } from './virtual-clock.ts';

export interface LocalApprovalTimer {
  timer: LocalTimer;
  /** What the dispatcher's approval-timer reaction starts stages with (a used name is success). */
  starter: ApprovalTimerStarter;
  /** Starts the timers of pending approvals' current stages (timers live in memory). */
  resume(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The approval timer in the local runtime: the CDK-synthesized definition on aws-local-stepfunctions,
 * its two tasks bound to the same handlers the Lambdas run, over the runtime's ticket deps; waits end
 * at the wall instant the virtual clock maps each deadline to (so `--time-scale` shortens them).
 */
export function localApprovalTimer(options: {
  definition: AslDefinition;
  deps: TicketDeps;
  clock: VirtualClock;
  logger: Logger;
}): LocalApprovalTimer {
  const steps: ApprovalTimerDeps = { ...options.deps, ...localWall(options.clock) };
  const timer = localTimer({
    definition: options.definition,
    states: approvalTimerStates,
    handlers: {
      checkpoint: approvalDeadlineHandler(steps),
      evaluate: approvalDelegateHandler(steps),
      alert: async (input) => {
        options.logger.error('approval.timer_failed', { alert: input });
        return {};
      },
    },
    waitMs: { backoff: Math.max(10, Math.round((5 * 60_000) / options.clock.timeScale)) },
  });
  const starter: ApprovalTimerStarter = {
    async start(input) {
      const name = approvalExecutionName(input);
      try {
        return await timer.start(name, input.approvalId, input.stage, approvalTimerExecutionInput(input));
      } catch (error) {
        // As the Step Functions adapter does: a name already used means this stage was started.
        if (!(error instanceof ExecutionAlreadyExists)) throw error;
        return { executionName: name };
      }
    },
  };
  return {
    timer,
    starter,
    async resume() {
      const seen = new Set<string>();
      for (const agent of await options.deps.routing.agents.list()) {
        for (const pending of await options.deps.approvals.pendingFor(agent.id)) {
          if (seen.has(pending.approvalId)) continue;
          seen.add(pending.approvalId);
          await starter.start({ approvalId: pending.approvalId, stage: pending.stage });
        }
      }
      return seen.size;
    },
    async stop() {
      for (const execution of timer.executions) {
        if (execution.status === 'running') await timer.stop(execution.key);
      }
    },
  };
}
