import * as z from 'zod';
import { importTemplate } from '#shared/domain/import/check-import.ts';
import { type ImportRouteDeps, xlsxType } from '#shared/http/import-upload.ts';
import { defineRoute } from '#shared/http/route.ts';

const TemplateQuery = z.object({
  format: z.enum(['csv', 'xlsx']).default('csv'),
  locale: z.enum(['zh', 'en']).default('zh'),
});
type TemplateQuery = z.infer<typeof TemplateQuery>;

export const route = defineRoute<undefined, TemplateQuery, ImportRouteDeps>({
  name: 'get-import-template',
  method: 'GET',
  path: '/imports/template',
  roles: ['admin'],
  query: TemplateQuery,
  access: 'read',
  uses: ['imports'],
  doc: {
    responses: [
      { status: 200, description: 'The header row and one example row', files: ['text/csv', xlsxType] },
    ],
  },
  async handle({ query }) {
    const bytes = Buffer.from(await importTemplate(query.format, query.locale));
    return {
      status: 200,
      bytes,
      headers: {
        'content-type': query.format === 'csv' ? 'text/csv; charset=utf-8' : xlsxType,
        'content-disposition': `attachment; filename="gongdan-import-template-${query.locale}.${query.format}"`,
      },
    };
  },
});
