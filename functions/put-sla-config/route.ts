import { SlaPolicyDocument } from '#shared/domain/sla/sla-config.ts';
import { configEtag, etagHeader, expectedVersion, ifMatchHeader } from '#shared/http/preconditions.ts';
import { defineRoute } from '#shared/http/route.ts';
import { configView, putSlaPolicies } from '#shared/use-cases/sla-config.ts';

export const route = defineRoute({
  name: 'put-sla-config',
  method: 'PUT',
  path: '/config/sla',
  roles: ['admin'],
  body: SlaPolicyDocument,
  maxBodyBytes: 256 * 1024,
  access: 'write',
  doc: {
    headers: [ifMatchHeader],
    responses: [{ status: 200, description: 'The SLA policies, as stored', headers: etagHeader }],
  },
  async handle({ body, headers, actor }, deps) {
    const { store } = deps.sla;
    const record = await putSlaPolicies(body, actor, expectedVersion(headers), { ...deps, store });
    return { status: 200, body: await configView(record, store), headers: { etag: configEtag(record) } };
  },
});
