import type { OutboxRecord } from './ticket-change.ts';

/** Where an outbox record is: the ticket's partition and the record's id. */
export interface OutboxRef {
  ticketId: string;
  recordId: string;
}

export const refOf = (record: Pick<OutboxRecord, 'ticketId' | 'id'>): OutboxRef => ({
  ticketId: record.ticketId,
  recordId: record.id,
});

/** How one reaction fared on one record. */
export interface ReactionState {
  status: 'done' | 'failed' | 'dead';
  attempts: number;
  at: string;
  /** The last failure's message (never a payload: no addresses, no bodies). */
  error?: string;
}

export interface LeasedRecord {
  record: OutboxRecord;
  reactions: Record<string, ReactionState>;
}

/** A record whose reactions are all done (or dead-lettered), and how each fared. */
export interface FinishedRecord {
  record: OutboxRecord;
  reactions: Record<string, ReactionState>;
}

/**
 * The dispatcher's side of the outbox. A new record belongs to the table's stream for a while (the
 * stream dispatches it without a lease); after that, or to retry, a dispatcher leases it, so the stream
 * and the retry sweep never run a record's reactions at once. A dispatch ends with the record finished
 * (written back in batches) or set to be tried again.
 */
export interface OutboxStore {
  /**
   * Takes the record for `leaseMs` unless another dispatcher holds it or it is finished; `force` takes
   * it whatever lease it has (a restart recovering what a killed process held). Null: leave it.
   */
  lease(
    ref: OutboxRef,
    now: Date,
    leaseMs: number,
    options?: { force?: boolean },
  ): Promise<LeasedRecord | null>;
  /** Some reaction failed: record every outcome so far (all of them), free the lease, wait until `retryAt`. */
  retryLater(
    ref: OutboxRef,
    outcome: { reactions: Record<string, ReactionState>; retryAt: Date },
  ): Promise<void>;
  /** Every reaction done or dead: the records leave the pending index (kept a while for inspection). */
  finish(finished: readonly FinishedRecord[], now: Date): Promise<void>;
  /** Pending records due by `now` (all pending ones with `all`), oldest due first. */
  due(now: Date, limit: number, options?: { all?: boolean }): Promise<OutboxRef[]>;
}

/** A reaction that kept failing, with the whole record, so nothing is lost: SQS in AWS, the table locally. */
export interface DeadLetter {
  record: OutboxRecord;
  reaction: string;
  attempts: number;
  error: string;
  at: string;
}

export interface DeadLetterQueue {
  put(letter: DeadLetter): Promise<void>;
}
