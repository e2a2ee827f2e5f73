import { staffRoles } from '#shared/domain/actor.ts';
import { defineRoute } from '#shared/http/route.ts';
import {
  ExportQuery,
  exportContentTypes,
  exportFile,
  exportFilename,
  exportTickets,
} from '#shared/use-cases/export-tickets.ts';

/**
 * The ticket list as a file (docs/export.md): the list's filters and `q`, as CSV (with BOM) or XLSX,
 * streamed by the local runtime. In AWS a response is capped at 6 MB (a larger one is a 413): big
 * exports go through `POST /exports`, which writes the file to S3.
 */
export const route = defineRoute({
  name: 'export-tickets',
  method: 'GET',
  path: '/tickets/export',
  // Staff only (a customer's list is their own tickets, in the portal); agents see what their list shows.
  roles: staffRoles,
  query: ExportQuery,
  access: 'read',
  doc: {
    responses: [
      {
        status: 200,
        description: 'The tickets as a CSV (UTF-8 with BOM) or XLSX file, one row per ticket',
        files: [exportContentTypes.csv, exportContentTypes.xlsx],
        headers: { 'content-disposition': 'attachment; filename="tickets-<yyyymmdd-hhmm>.<format>"' },
      },
    ],
  },
  async handle({ query, actor }, deps) {
    const filename = exportFilename(query.format, deps.clock.now());
    return {
      status: 200,
      headers: {
        'content-type': exportContentTypes[query.format],
        'content-disposition': `attachment; filename="${filename}"`,
        'cache-control': 'no-store',
      },
      stream: exportFile(exportTickets(query, actor, deps), query.format, query.locale),
    };
  },
});
