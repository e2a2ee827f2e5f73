import { configEtag, etagHeader } from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { configView, getSlaConfig } from '#shared/use-cases/sla-config.ts';

export const route = defineRoute({
  name: 'get-calendars-config',
  method: 'GET',
  path: '/config/calendars',
  roles: ['admin', 'supervisor'],
  access: 'read',
  doc: { responses: [{ status: 200, description: 'The business calendars', headers: etagHeader }] },
  async handle(_request, deps) {
    const { store } = deps.sla;
    const record = await getSlaConfig('calendars', { store });
    return { status: 200, body: await configView(record, store), headers: { etag: configEtag(record) } };
  },
});
