import * as z from 'zod';
import { staffRoles } from '#shared/domain/actor.ts';
import type { ExportDeps } from '#shared/domain/export/export.ports.ts';
import { type ApiDeps, defineRoute } from '#shared/http/route.ts';
import { StartExportBody, startExport } from '#shared/use-cases/export-jobs.ts';

/** Starts an export written to a file (docs/export.md): for lists larger than a response may be. */
export const route = defineRoute<StartExportBody, undefined, ApiDeps & { exporting: ExportDeps }>({
  name: 'start-export',
  method: 'POST',
  path: '/exports',
  roles: staffRoles,
  body: StartExportBody,
  access: 'read',
  uses: ['exports'],
  doc: {
    responses: [
      {
        status: 202,
        description: 'The export has started; `GET /exports/{id}` tells how it stands',
        body: z.object({ exportId: z.string() }),
      },
    ],
  },
  async handle({ body, actor }, deps) {
    return { status: 202, body: await startExport(body, actor, deps) };
  },
});
