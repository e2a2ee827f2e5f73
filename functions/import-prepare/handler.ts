import * as z from 'zod';
import { lambda } from '#shared/runtime/lambda.ts';
import { importDeps } from '#shared/runtime/lambda-imports.ts';
import { prepareRun } from '#shared/use-cases/import-tickets.ts';

const Input = z.object({ importId: z.string().min(1).max(64), phase: z.enum(['check', 'commit']) });

/** The import state machine's Prepare step: check the file; for a commit, write the chunk manifest. */
export const handler = lambda(
  async (event: { importId?: string }) => {
    const { importId, phase } = Input.parse(event);
    return prepareRun(importId, phase, importDeps());
  },
  (event) => (event.importId ? `import-${event.importId}` : undefined),
);
