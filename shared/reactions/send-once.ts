import type { IntakeLedger } from '../domain/intake/intake-ledger.ts';

/**
 * Runs `send` unless the ledger says `key` was sent already, then records it. No hold is taken: a
 * reaction runs only under its record's lease, so no other dispatcher sends the same key meanwhile, and
 * a process killed between the send and the record leaves nothing held that would delay the retry.
 * (That window is the one where a provider without idempotency, SES, may send twice; the local outbox
 * keeps one message per key.)
 */
export async function sendOnce(
  ledger: IntakeLedger,
  key: string,
  now: Date,
  send: () => Promise<{ outcome: string; ticketId: string | null }>,
): Promise<'sent' | 'already-sent'> {
  if (await ledger.find(key)) return 'already-sent';
  const record = await send();
  await ledger.complete(key, record, now);
  return 'sent';
}
