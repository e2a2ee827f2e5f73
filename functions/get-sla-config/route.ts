import { configEtag, etagHeader } from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { configView, getSlaConfig } from '#shared/use-cases/sla-config.ts';

export const route = defineRoute({
  name: 'get-sla-config',
  method: 'GET',
  path: '/config/sla',
  roles: ['admin', 'supervisor'],
  access: 'read',
  doc: { responses: [{ status: 200, description: 'The SLA policies', headers: etagHeader }] },
  async handle(_request, deps) {
    const { store } = deps.sla;
    const record = await getSlaConfig('sla', { store });
    return { status: 200, body: await configView(record, store), headers: { etag: configEtag(record) } };
  },
});
