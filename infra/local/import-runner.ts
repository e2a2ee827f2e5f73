import type { ImportRunner } from '#shared/domain/import-job/import.ports.ts';
import type { Logger } from '#shared/domain/ports.ts';
import { type ImportDeps, runImport } from '#shared/use-cases/import-tickets.ts';

export interface LocalImportRunner {
  runner: ImportRunner;
  /** Imports a killed run left `checking` or `committing`: run again, a commit from its checkpoint. */
  resume(): Promise<number>;
  /** Resolves once no import is running. */
  idle(): Promise<void>;
  /** Stops between chunks (the import stays `committing`, to be resumed by the next start). */
  stop(): Promise<void>;
}

/**
 * The local runtime's stand-in for the import state machine: each run goes on in this process after the
 * request that started it has been answered, one import at a time (what DynamoDB Local on two cores
 * takes); `resume` at start-up picks up what a killed process left, as the SLA timers are resumed.
 */
export function localImportRunner(deps: () => ImportDeps, logger: Logger): LocalImportRunner {
  const stopping = new AbortController();
  let tail: Promise<void> = Promise.resolve();
  const queued = new Set<string>();
  const start = (importId: string, phase: 'check' | 'commit') => {
    const key = `${importId}:${phase}`;
    if (queued.has(key)) return;
    queued.add(key);
    tail = tail.then(async () => {
      queued.delete(key);
      if (stopping.signal.aborted) return;
      try {
        await runImport(importId, phase, deps(), stopping.signal);
      } catch (error) {
        logger.error('import.run_failed', {
          importId,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    });
  };
  return {
    runner: {
      async start(importId, phase) {
        start(importId, phase);
      },
    },
    async resume() {
      const open = (await deps().imports.list(200)).filter(
        (r) => r.status === 'checking' || r.status === 'committing',
      );
      for (const record of open.reverse())
        start(record.id, record.status === 'committing' ? 'commit' : 'check');
      if (open.length) logger.info('import.resumed', { imports: open.length });
      return open.length;
    },
    idle: () => tail,
    async stop() {
      stopping.abort();
      await Promise.race([tail, new Promise((done) => setTimeout(done, 3000).unref())]);
    },
  };
}
