import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { sfnImportRunner } from '../adapters/sfn/sfn-import-runner.ts';
import { s3ImportFiles } from '../adapters/storage/s3-import-files.ts';
import type { ApiDeps } from '../http/route.ts';
import type { ImportDeps } from '../use-cases/import-tickets.ts';
import { reactionEdges } from './aws/reaction-edges.ts';
import { apiDeps, once, platformWith } from './lambda.ts';
import { wireImports } from './wire-imports.ts';
import { wireTickets } from './wire-tickets.ts';

// Only the bus edge: `import.completed` (the reactions' EventBridge publisher).
const platform = /* @__PURE__ */ once(() => platformWith({ eventBus: reactionEdges.eventBus }));

/** The import functions' deps (the API routes and the state machine's steps), once per container. */
export const importDeps = /* @__PURE__ */ once((): ImportDeps => {
  const p = platform();
  return wireImports(process.env, p, wireTickets(process.env, p), {
    files: (bucket) => s3ImportFiles(new S3Client({}), bucket),
    runner: (arn) => sfnImportRunner(new SFNClient({}), arn, () => p.clock.now()),
  });
});

/** The import routes' deps: the API's (sign-in) and the imports' (`importing`). */
export const importApiDeps = /* @__PURE__ */ once((): ApiDeps & { importing: ImportDeps } => ({
  ...apiDeps(),
  importing: importDeps(),
}));
