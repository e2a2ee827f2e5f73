import * as z from 'zod';
import { lambda } from '#shared/runtime/lambda.ts';
import { importDeps } from '#shared/runtime/lambda-imports.ts';
import { failImport, finishImport } from '#shared/use-cases/import-tickets.ts';

const Input = z.object({
  importId: z.string().min(1).max(64),
  phase: z.enum(['check', 'commit']),
  /** Set by the state machine's Catch: the step that failed and its error. */
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});

/** The import state machine's Finish step: totals onto the record and `import.completed`; or the failure. */
export const handler = lambda(
  async (event: { importId?: string }) => {
    const input = Input.parse(event);
    const deps = importDeps();
    if (input.error) await failImport(input.importId, new Error(input.error.Error ?? 'failed'), deps);
    else await finishImport(input.importId, input.phase, deps);
    return { importId: input.importId };
  },
  (event) => (event.importId ? `import-${event.importId}` : undefined),
);
