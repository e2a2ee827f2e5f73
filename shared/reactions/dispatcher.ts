import { systemActor } from '../domain/actor.ts';
import { auditEvent } from '../domain/audit/audit-event.ts';
import { loggerWith } from '../domain/ports.ts';
import { redactedMessage } from '../domain/redact.ts';
import type {
  DeadLetterQueue,
  FinishedRecord,
  LeasedRecord,
  OutboxRef,
  OutboxStore,
  ReactionState,
} from '../domain/ticket/outbox.store.ts';
import type { OutboxRecord } from '../domain/ticket/ticket-change.ts';
import { agentCapacity } from './agent-capacity.ts';
import { analytics } from './analytics.ts';
import { approvalTimer } from './approval-timer.ts';
import { customerMail } from './customer-mail.ts';
import { notifications } from './notifications.ts';
import { parentRollup } from './parent-rollup.ts';
import { publishEvents } from './publish-events.ts';
import type { Reaction, ReactionDeps } from './reaction.ts';
import { slaTimer } from './sla-timer.ts';
import { watcherNotifications } from './watcher-notifications.ts';

/**
 * Every reaction to a ticket change. This list is the only place that knows them all: a new reaction
 * (parent roll-up, approval gates, analytics) is a module in this folder and a line here.
 */
export const reactions: readonly Reaction[] = [
  publishEvents,
  slaTimer,
  approvalTimer,
  agentCapacity,
  notifications,
  customerMail,
  parentRollup,
  watcherNotifications,
  analytics,
];

export interface DispatcherDeps extends ReactionDeps {
  outbox: OutboxStore;
  deadLetters: DeadLetterQueue;
}

export interface DispatcherOptions {
  /** How long one dispatch holds a record; another dispatcher may take it after. Default 2 minutes. */
  leaseMs?: number;
  /** Attempts per reaction before it is dead-lettered. Default 5. */
  maxAttempts?: number;
  /** The wait before attempt n + 1 after n failed (system-clock ms). Default 30 s · 2ⁿ⁻¹, at most 15 min. */
  backoffMs?: (attempts: number) => number;
  reactions?: readonly Reaction[];
}

export const dispatcherDefaults = {
  leaseMs: 2 * 60_000,
  maxAttempts: 5,
  backoffMs: (attempts: number) => Math.min(15 * 60_000, 30_000 * 2 ** (attempts - 1)),
};

export type DispatchOutcome = 'done' | 'retrying' | 'skipped';

/**
 * What to dispatch: a record as the table's stream delivered it (its first delivery: run as it is), or a
 * record by reference (a retry: leased first, so the sweep and anything else never run it at once).
 */
export type Dispatchable = OutboxRef | { ref: OutboxRef; record: OutboxRecord };

interface Dispatched {
  outcome: DispatchOutcome;
  finished?: FinishedRecord;
}

const refOf = (record: Pick<OutboxRecord, 'ticketId' | 'id'>): OutboxRef => ({
  ticketId: record.ticketId,
  recordId: record.id,
});

/**
 * The "ticket changed" dispatcher: takes outbox records (from the table's stream, the retry sweep, or a
 * restart's recovery) and runs each record's reactions.
 */
export function outboxDispatcher(deps: DispatcherDeps, options: DispatcherOptions = {}) {
  const list = options.reactions ?? reactions;
  const leaseMs = options.leaseMs ?? dispatcherDefaults.leaseMs;
  const maxAttempts = options.maxAttempts ?? dispatcherDefaults.maxAttempts;
  const backoffMs = options.backoffMs ?? dispatcherDefaults.backoffMs;

  async function runReaction(
    reaction: Reaction,
    record: OutboxRecord,
    previous: ReactionState | undefined,
    scoped: DispatcherDeps,
  ): Promise<ReactionState> {
    const attempts = (previous?.attempts ?? 0) + 1;
    let state: ReactionState;
    try {
      await reaction.run(record, scoped);
      state = { status: 'done', attempts, at: deps.clock.now().toISOString() };
    } catch (error) {
      const message = redactedMessage(error);
      const at = deps.clock.now().toISOString();
      const fields = { ticketId: record.ticketId, recordId: record.id, reaction: reaction.name, attempts };
      if (attempts >= maxAttempts) {
        state = { status: 'dead', attempts, at, error: message };
        await deadLetter(reaction, record, state);
        deps.metrics.count('ReactionsDeadLettered', 1, { reaction: reaction.name });
        scoped.logger.error('reaction.dead_lettered', { ...fields, error: message });
      } else {
        state = { status: 'failed', attempts, at, error: message };
        deps.metrics.count('ReactionRetries', 1, { reaction: reaction.name });
        scoped.logger.warn('reaction.failed', { ...fields, error: message });
      }
    }
    return state;
  }

  /** The queue gets the whole record; the ticket's history says what did not happen, so people see it. */
  async function deadLetter(reaction: Reaction, record: OutboxRecord, state: ReactionState) {
    const error = state.error ?? 'unknown';
    await deps.deadLetters.put({
      record,
      reaction: reaction.name,
      attempts: state.attempts,
      error,
      at: state.at,
    });
    await deps.tickets.appendAudit([
      auditEvent(
        deps.ids.next(),
        record.ticketId,
        'reaction.failed',
        systemActor(),
        deps.clock.now(),
        record.version,
        { reaction: reaction.name, recordId: record.id, attempts: state.attempts, error },
      ),
    ]);
  }

  /**
   * Runs the reactions of one record that are not done yet, all at once (each on its own: one failing
   * does not hold up the others). On its first delivery a record that needs nothing again is done with
   * no write at all; a record with a failed reaction is set to be tried again (its outcomes kept); a
   * retried record is leased, and written back finished when nothing is left. (A process killed before
   * the outcome is written runs it again: each reaction is idempotent, and sends are keyed.)
   */
  async function dispatch(item: Dispatchable, options: { force?: boolean } = {}): Promise<Dispatched> {
    const ref = 'ref' in item ? item.ref : item;
    const delivered: LeasedRecord | null = 'record' in item ? { record: item.record, reactions: {} } : null;
    const leased = delivered ?? (await deps.outbox.lease(ref, deps.clock.now(), leaseMs, options));
    if (!leased) return { outcome: 'skipped' };
    const { record } = leased;
    const todo = list.filter((r) => {
      const status = leased.reactions[r.name]?.status;
      return status !== 'done' && status !== 'dead' && r.handles(record);
    });
    // Every line logged for this record carries its id, whatever else the process is dispatching.
    const scoped: DispatcherDeps = {
      ...deps,
      logger: loggerWith(deps.logger, { correlation_id: record.id }),
    };
    const states = await Promise.all(
      todo.map((r) => runReaction(r, record, leased.reactions[r.name], scoped)),
    );
    const reactions = {
      ...leased.reactions,
      ...Object.fromEntries(todo.map((r, i) => [r.name, states[i]!])),
    };
    const failed = states.filter((s) => s.status === 'failed');
    // One line per dispatch: what followed this change (ids and outcomes only), for the operator's trail.
    scoped.logger.info('dispatch.done', {
      ticketId: record.ticketId,
      recordId: record.id,
      version: record.version,
      reactions: Object.fromEntries(todo.map((r, i) => [r.name, states[i]!.status])),
    });
    if (!failed.length)
      return delivered ? { outcome: 'done' } : { outcome: 'done', finished: { record, reactions } };
    const retryAt = new Date(
      deps.clock.now().getTime() + backoffMs(Math.min(...failed.map((s) => s.attempts))),
    );
    await deps.outbox.retryLater(ref, { reactions, retryAt });
    return { outcome: 'retrying' };
  }

  /**
   * Dispatches many records: one ticket's records in the order given (the stream's order), different
   * tickets side by side; the finished ones are written back together. Returns the refs that could not
   * be dispatched (the store failed), with the error, so a stream batch can report them.
   */
  async function dispatchAll(items: readonly Dispatchable[], options: { force?: boolean } = {}) {
    const byTicket = new Map<string, Dispatchable[]>();
    for (const item of items) {
      const ref = 'ref' in item ? item.ref : item;
      byTicket.set(ref.ticketId, [...(byTicket.get(ref.ticketId) ?? []), item]);
    }
    const failed: { ref: OutboxRef; error: unknown }[] = [];
    const finished: FinishedRecord[] = [];
    await Promise.all(
      [...byTicket.values()].map(async (queue) => {
        for (const [i, item] of queue.entries()) {
          const ref = 'ref' in item ? item.ref : item;
          try {
            const result = await dispatch(item, options);
            if (result.finished) finished.push(result.finished);
          } catch (error) {
            // The rest of this ticket's records wait too, so they are not handled before this one.
            for (const rest of queue.slice(i)) failed.push({ ref: 'ref' in rest ? rest.ref : rest, error });
            deps.metrics.count('DispatchFailures', 1, { stage: 'dispatch' });
            deps.logger.error('dispatch.failed', {
              ticketId: ref.ticketId,
              recordId: ref.recordId,
              error: redactedMessage(error),
            });
            return;
          }
        }
      }),
    );
    try {
      await deps.outbox.finish(finished, deps.clock.now());
    } catch (error) {
      // Their reactions ran; a failed write-back only means they run again (idempotently) later.
      for (const f of finished) failed.push({ ref: refOf(f.record), error });
      deps.metrics.count('DispatchFailures', 1, { stage: 'finish' });
      deps.logger.error('dispatch.finish_failed', {
        records: finished.length,
        error: redactedMessage(error),
      });
    }
    return failed;
  }

  return {
    dispatch,
    dispatchAll,
    /** The retry sweep: records whose next attempt is due (and any the stream left), `limit` per run. */
    async retryDue(limit = 100) {
      const refs = await deps.outbox.due(deps.clock.now(), limit);
      await dispatchAll(refs);
      return refs.length;
    },
    /**
     * After a restart: the records a killed process had not finished (`refs`, from wherever that process
     * kept its place: the local runtime's journal), whatever lease it left on them — only one process runs
     * the local dispatcher on a data dir — and every record waiting for a retry, at once.
     */
    async recover(refs: readonly OutboxRef[] = []) {
      const waiting = await deps.outbox.due(deps.clock.now(), 10_000, { all: true });
      const all = [...new Map([...refs, ...waiting].map((r) => [r.recordId, r])).values()];
      await dispatchAll(all, { force: true });
      return all.length;
    },
  };
}

export type OutboxDispatcher = ReturnType<typeof outboxDispatcher>;
