import { staffRoles } from '#shared/domain/actor.ts';
import type { ExportDeps } from '#shared/domain/export/export.ports.ts';
import { type ApiDeps, defineRoute } from '#shared/http/route.ts';
import { ExportView, getExport } from '#shared/use-cases/export-jobs.ts';

/** Where an export stands, with a download link once its file is written (docs/export.md). */
export const route = defineRoute<undefined, undefined, ApiDeps & { exporting: ExportDeps }>({
  name: 'get-export',
  method: 'GET',
  path: '/exports/{id}',
  roles: staffRoles,
  access: 'read',
  uses: ['exports'],
  doc: {
    responses: [
      {
        status: 200,
        description: 'The export: running, done (with a link valid for 15 minutes) or failed',
        body: ExportView,
      },
    ],
  },
  async handle({ params, actor }, deps) {
    return { status: 200, body: await getExport(params.id ?? '', actor, deps) };
  },
});
