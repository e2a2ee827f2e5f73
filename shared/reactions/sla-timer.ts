import { defineReaction } from './reaction.ts';

/**
 * Keeps the ticket's SLA timer in step with the change: stops the version it replaces and starts the
 * new one. Both are idempotent (executions are named per ticket and version), and a timer whose version
 * is no longer the ticket's ends itself at its next step, so a late or repeated run does no harm.
 */
export const slaTimer = defineReaction({
  name: 'sla-timer',
  handles: (record) => record.timer !== null,
  async run(record, deps) {
    const timer = record.timer!;
    if ((timer.plan === 'stop' || timer.plan === 'restart') && timer.previousVersion !== null) {
      await deps.timers.stop(record.ticketId, timer.previousVersion);
    }
    if ((timer.plan === 'start' || timer.plan === 'restart') && timer.version !== null) {
      // The first checkpoint the write path computed: the execution starts waiting for it at once.
      await deps.timers.start(record.ticketId, timer.version, {
        ticketId: record.ticketId,
        version: timer.version,
        checkpointAt: timer.checkpointAt ?? null,
      });
    }
    deps.logger.info('sla.timer', { ticketId: record.ticketId, ...timer });
  },
});
