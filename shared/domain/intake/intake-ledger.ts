import { createHash } from 'node:crypto';
import { intakeInProgress } from './intake.errors.ts';

/** What an intake delivery did, kept under its idempotency key so a redelivery can answer the same. */
export interface LedgerRecord {
  outcome: string;
  ticketId: string | null;
}

export type LedgerClaim = { kind: 'claimed' } | { kind: 'held' } | { kind: 'done'; record: LedgerRecord };

/**
 * Idempotency for intake deliveries that may not create a ticket (a reply appended, an alert counted,
 * a bounce noted), where `createTicket`'s claim does not reach. A DynamoDB implementation is a GetItem
 * for `find` and one conditional write for each other call: `claim` puts `{key, status: held, heldUntil}` if the key is absent or its
 * hold has expired (a worker that crashed), `complete` sets `status: done` with the record and a TTL,
 * `release` deletes a held key so a retry can proceed at once.
 */
export interface IntakeLedger {
  /** The record of a key that is done, or null (absent or still held). */
  find(key: string): Promise<LedgerRecord | null>;
  claim(key: string, now: Date, holdSeconds: number): Promise<LedgerClaim>;
  complete(key: string, record: LedgerRecord, now: Date): Promise<void>;
  release(key: string): Promise<void>;
}

export type ClaimedRun<T extends LedgerRecord> =
  | { duplicate: false; result: T }
  | { duplicate: true; record: LedgerRecord };

/**
 * Runs `work` at most once per key: a key already done returns its record (`duplicate: true`), a key
 * another worker holds is INTAKE.IN_PROGRESS (retry later), and a failure releases the key.
 */
export async function runOnce<T extends LedgerRecord>(
  ledger: IntakeLedger,
  key: string,
  now: Date,
  holdSeconds: number,
  work: () => Promise<T>,
): Promise<ClaimedRun<T>> {
  const claim = await ledger.claim(key, now, holdSeconds);
  if (claim.kind === 'done') return { duplicate: true, record: claim.record };
  if (claim.kind === 'held') throw intakeInProgress(key);
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await ledger.release(key);
    throw error;
  }
  await ledger.complete(key, { outcome: result.outcome, ticketId: result.ticketId }, now);
  return { duplicate: false, result };
}

/** A ledger in memory: for tests and a single process. */
export function inMemoryIntakeLedger(): IntakeLedger & { records: Map<string, LedgerRecord> } {
  const held = new Map<string, number>();
  const records = new Map<string, LedgerRecord>();
  return {
    records,
    async find(key) {
      return records.get(key) ?? null;
    },
    async claim(key, now, holdSeconds) {
      const record = records.get(key);
      if (record) return { kind: 'done', record };
      const until = held.get(key);
      if (until !== undefined && until > now.getTime()) return { kind: 'held' };
      held.set(key, now.getTime() + holdSeconds * 1000);
      return { kind: 'claimed' };
    },
    async complete(key, record) {
      held.delete(key);
      records.set(key, record);
    },
    async release(key) {
      held.delete(key);
    },
  };
}

/** Keys longer than this are hashed, so any key fits a DynamoDB key attribute comfortably. */
const maxKeyLength = 200;

/** `prefix:value`, or `prefix:sha256:<hex>` when the value is long or has characters keys should not. */
export function ledgerKey(prefix: string, value: string): string {
  const plain = `${prefix}:${value}`;
  if (plain.length <= maxKeyLength && /^[\x21-\x7e]+$/.test(value)) return plain;
  return `${prefix}:sha256:${createHash('sha256').update(value).digest('hex')}`;
}
