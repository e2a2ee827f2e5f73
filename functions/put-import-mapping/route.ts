import * as z from 'zod';
import { validationError } from '#shared/domain/errors.ts';
import { importFields } from '#shared/domain/import/import-fields.ts';
import { ImportMapping } from '#shared/domain/import-job/import-job.ts';
import type { ImportRouteDeps } from '#shared/http/import-upload.ts';
import { defineRoute } from '#shared/http/route.ts';
import { saveMapping } from '#shared/use-cases/import-records.ts';

const MappingBody = z.object({ mapping: ImportMapping }).strict();
type MappingBody = z.infer<typeof MappingBody>;
const namePattern = /^[\p{L}\p{N} _.-]{1,80}$/u;

export const route = defineRoute<MappingBody, undefined, ImportRouteDeps>({
  name: 'put-import-mapping',
  method: 'PUT',
  path: '/imports/mappings/{name}',
  // A saved mapping (header → field) for repeated imports: POST /imports?mappingName= uses it.
  roles: ['admin'],
  body: MappingBody,
  access: 'write',
  uses: ['imports'],
  doc: {
    responses: [
      {
        status: 200,
        description: 'The saved mapping',
        body: z.object({ name: z.string(), mapping: z.record(z.string(), z.string().nullable()) }),
      },
    ],
  },
  async handle({ params, body }, deps) {
    const name = decodeURIComponent(params.name ?? '');
    if (!namePattern.test(name))
      throw validationError('A mapping name is 1–80 letters, digits, spaces, _ . -', [
        { path: 'name', message: 'Invalid name', code: 'invalid' },
      ]);
    const unknown = Object.entries(body.mapping).filter(
      ([, field]) => field !== null && !(importFields as readonly string[]).includes(field),
    );
    if (unknown.length)
      throw validationError(
        `Unknown field ${unknown.map(([, f]) => `"${f}"`).join(', ')}; the fields are ${importFields.join(', ')}`,
        unknown.map(([header, field]) => ({
          path: `mapping.${header}`,
          message: `Unknown field "${field}"`,
          code: 'IMPORT.UNKNOWN_FIELD',
        })),
      );
    return { status: 200, body: await saveMapping(name, body.mapping, deps.importing) };
  },
});
