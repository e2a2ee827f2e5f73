import * as z from 'zod';
import { type ImportRouteDeps, importId, RunOptionsBody } from '#shared/http/import-upload.ts';
import { defineRoute } from '#shared/http/route.ts';
import { rerunImport } from '#shared/use-cases/import-tickets.ts';

type Body = z.infer<typeof RunOptionsBody>;

export const route = defineRoute<Body, undefined, ImportRouteDeps>({
  name: 'check-import',
  method: 'POST',
  path: '/imports/{id}/check',
  // Check: check the stored file again with new options (apply fixes, change the mapping), or the file just uploaded to S3.
  roles: ['admin'],
  body: RunOptionsBody,
  access: 'write',
  uses: ['imports'],
  doc: {
    responses: [{ status: 202, description: 'The check started', body: z.object({ importId: z.string() }) }],
  },
  async handle({ params, body }, deps) {
    const id = importId(params);
    await rerunImport(id, 'check', { options: body ?? {} }, deps.importing);
    return { status: 202, body: { importId: id } };
  },
});
