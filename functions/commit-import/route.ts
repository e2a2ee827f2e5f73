import * as z from 'zod';
import { type ImportRouteDeps, importId, RunOptionsBody } from '#shared/http/import-upload.ts';
import { defineRoute } from '#shared/http/route.ts';
import { rerunImport } from '#shared/use-cases/import-tickets.ts';

type Body = z.infer<typeof RunOptionsBody>;

export const route = defineRoute<Body, undefined, ImportRouteDeps>({
  name: 'commit-import',
  method: 'POST',
  path: '/imports/{id}/commit',
  // Commit: commit the stored file; rows with errors and rows whose legacy number is already in Gongdan are skipped.
  roles: ['admin'],
  body: RunOptionsBody,
  access: 'write',
  uses: ['imports'],
  doc: {
    responses: [{ status: 202, description: 'The commit started', body: z.object({ importId: z.string() }) }],
  },
  async handle({ params, body }, deps) {
    const id = importId(params);
    await rerunImport(id, 'commit', { options: body ?? {} }, deps.importing);
    return { status: 202, body: { importId: id } };
  },
});
