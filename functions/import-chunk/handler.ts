import * as z from 'zod';
import { lambda } from '#shared/runtime/lambda.ts';
import { importDeps } from '#shared/runtime/lambda-imports.ts';
import { commitStoredChunk } from '#shared/use-cases/import-tickets.ts';

const Item = z.object({ importId: z.string().min(1).max(64), chunkKey: z.string().min(1).max(1024) });

/** One Distributed Map item: commit one chunk of rows (the same chunk handler the local runner runs). */
export const handler = lambda(
  async (event: { importId?: string }) => commitStoredChunk(Item.parse(event), importDeps()),
  (event) => (event.importId ? `import-${event.importId}` : undefined),
);
