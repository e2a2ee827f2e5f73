import { systemActor } from '../domain/actor.ts';
import { auditEvent } from '../domain/audit/audit-event.ts';
import { redactedMessage } from '../domain/redact.ts';
import type {
  DeadLetterQueue,
  OutboxRef,
  OutboxStore,
  ReactionState,
} from '../domain/ticket/outbox.store.ts';
import type { OutboxRecord } from '../domain/ticket/ticket-change.ts';
import { agentCapacity } from './agent-capacity.ts';
import { customerMail } from './customer-mail.ts';
import { notifications } from './notifications.ts';
import { publishEvents } from './publish-events.ts';
import type { Reaction, ReactionDeps } from './reaction.ts';
import { slaTimer } from './sla-timer.ts';

/**
 * Every reaction to a ticket change. This list is the only place that knows them all: a new reaction
 * (parent roll-up, approval gates, analytics) is a module in this folder and a line here.
 */
export const reactions: readonly Reaction[] = [
  publishEvents,
  slaTimer,
  agentCapacity,
  notifications,
  customerMail,
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
    ref: OutboxRef,
    previous: ReactionState | undefined,
  ): Promise<ReactionState> {
    const attempts = (previous?.attempts ?? 0) + 1;
    let state: ReactionState;
    try {
      await reaction.run(record, deps);
      state = { status: 'done', attempts, at: deps.clock.now().toISOString() };
    } catch (error) {
      const message = redactedMessage(error);
      const at = deps.clock.now().toISOString();
      const fields = { ticketId: record.ticketId, recordId: record.id, reaction: reaction.name, attempts };
      if (attempts >= maxAttempts) {
        state = { status: 'dead', attempts, at, error: message };
        await deadLetter(reaction, record, state);
        deps.metrics.count('ReactionsDeadLettered', 1, { reaction: reaction.name });
        deps.logger.error('reaction.dead_lettered', { ...fields, error: message });
      } else {
        state = { status: 'failed', attempts, at, error: message };
        deps.metrics.count('ReactionRetries', 1, { reaction: reaction.name });
        deps.logger.warn('reaction.failed', { ...fields, error: message });
      }
    }
    await deps.outbox.setReaction(ref, reaction.name, state);
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
   * does not hold up the others), then finishes the record or sets when to try the failed ones again.
   */
  async function dispatch(ref: OutboxRef, options: { force?: boolean } = {}): Promise<DispatchOutcome> {
    const leased = await deps.outbox.lease(ref, deps.clock.now(), leaseMs, options);
    if (!leased) return 'skipped';
    const { record } = leased;
    const todo = list.filter((r) => {
      const status = leased.reactions[r.name]?.status;
      return status !== 'done' && status !== 'dead' && r.handles(record);
    });
    const states = await Promise.all(todo.map((r) => runReaction(r, record, ref, leased.reactions[r.name])));
    const failed = states.filter((s) => s.status === 'failed');
    const retryAt = failed.length
      ? new Date(deps.clock.now().getTime() + backoffMs(Math.min(...failed.map((s) => s.attempts))))
      : null;
    await deps.outbox.finish(ref, { retryAt }, deps.clock.now());
    return retryAt ? 'retrying' : 'done';
  }

  /**
   * Dispatches many records: one ticket's records in the order given (the stream's order), different
   * tickets side by side. Returns the refs that could not be dispatched (the store failed), with the
   * first error, so a stream batch can report them.
   */
  async function dispatchAll(refs: readonly OutboxRef[], options: { force?: boolean } = {}) {
    const byTicket = new Map<string, OutboxRef[]>();
    for (const ref of refs) byTicket.set(ref.ticketId, [...(byTicket.get(ref.ticketId) ?? []), ref]);
    const failed: { ref: OutboxRef; error: unknown }[] = [];
    await Promise.all(
      [...byTicket.values()].map(async (queue) => {
        for (const [i, ref] of queue.entries()) {
          try {
            await dispatch(ref, options);
          } catch (error) {
            // The rest of this ticket's records wait too, so they are not handled before this one.
            for (const rest of queue.slice(i)) failed.push({ ref: rest, error });
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
     * After a restart: every pending record, whatever lease a killed process left on it (only one
     * process runs the local dispatcher on a data dir), so nothing waits for its lease or grace.
     */
    async recover(limit = 10_000) {
      const refs = await deps.outbox.due(deps.clock.now(), limit, { all: true });
      await dispatchAll(refs, { force: true });
      return refs.length;
    },
  };
}

export type OutboxDispatcher = ReturnType<typeof outboxDispatcher>;
