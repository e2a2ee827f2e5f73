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

/**
 * The dispatcher's side of the outbox: records are leased one at a time (so the stream and the retry
 * sweep never run the same record's reactions at once), each reaction's outcome is kept on the record,
 * and a record is finished (done, or waiting for its next attempt).
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
  /** Records one reaction's outcome on the record. */
  setReaction(ref: OutboxRef, reaction: string, state: ReactionState): Promise<void>;
  /**
   * Ends this lease: with `retryAt`, the record waits for that time (some reaction failed); without, it
   * is finished and leaves the pending index.
   */
  finish(ref: OutboxRef, outcome: { retryAt: Date | null }, now: Date): Promise<void>;
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
