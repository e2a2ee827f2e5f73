import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { OutboxRef } from '#shared/domain/ticket/outbox.store.ts';

/** Lines kept before a journal with nothing open is emptied. */
const compactAfter = 10_000;

export interface OutboxJournal {
  /** Before a ticket write: its outbox record may be committed and must then be dispatched. */
  intend(ref: OutboxRef): void;
  /** Dispatched, or never committed: nothing to recover for these. */
  settle(refs: readonly OutboxRef[]): void;
  /** What a previous process intended and did not settle (oldest record first). */
  open(): OutboxRef[];
  /** Forgets everything (after a restart has recovered `open()`). */
  clear(): void;
  /** Closes the file; safe to call twice. */
  close(): void;
}

/**
 * Where the local runtime keeps its place in the stream of committed changes, as Lambda's event source
 * mapping keeps its checkpoint: `<data dir>/outbox/journal.log`, one line per record intended (`+`,
 * written before the ticket write) and per record settled (`-`, dispatched or not committed). A process
 * killed at any point leaves every committed, undispatched record open, and the next start dispatches
 * them (one that was not committed after all is found missing and skipped).
 */
export function outboxJournal(dataDir: string): OutboxJournal {
  const dir = join(dataDir, 'outbox');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'journal.log');
  const open = new Map<string, OutboxRef>();
  let lines = 0;
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [sign, recordId, ticketId] = line.split(' ');
      if (!recordId) continue;
      lines++;
      if (sign === '+' && ticketId) open.set(recordId, { ticketId, recordId });
      else if (sign === '-') open.delete(recordId);
    }
  }
  // One descriptor for the process, in append mode: each line is one write(2), no open/close per record.
  let fd: number | undefined = openSync(file, 'a', 0o600);
  const append = (text: string) => {
    if (fd !== undefined) writeSync(fd, text);
  };
  const truncate = () => {
    if (fd !== undefined) ftruncateSync(fd, 0);
    lines = 0;
  };
  return {
    intend(ref) {
      append(`+ ${ref.recordId} ${ref.ticketId}\n`);
      open.set(ref.recordId, ref);
      lines++;
    },
    settle(refs) {
      if (!refs.length) return;
      for (const ref of refs) open.delete(ref.recordId);
      if (open.size === 0 && lines + refs.length > compactAfter) {
        truncate();
        return;
      }
      append(refs.map((r) => `- ${r.recordId}\n`).join(''));
      lines += refs.length;
    },
    open: () => [...open.values()].sort((a, b) => (a.recordId < b.recordId ? -1 : 1)),
    clear() {
      open.clear();
      truncate();
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
