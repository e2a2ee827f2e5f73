import { defineRoute } from '#shared/http/route.ts';
import document from '../../docs/openapi.json' with { type: 'json' };

/**
 * `GET /openapi.json`: the API's OpenAPI 3.1 document. The committed file, not one generated here: it is
 * generated from `apiRoutes`, which holds this route, and so AWS and the local runtime serve the same
 * bytes (`npm run docs:openapi` writes it; test/unit/openapi.test.ts fails when it is stale).
 */
export const route = defineRoute({
  name: 'get-openapi',
  method: 'GET',
  path: '/openapi.json',
  auth: 'public',
  roles: [],
  access: 'read',
  doc: { responses: [{ status: 200, description: 'This document: the API in OpenAPI 3.1' }] },
  async handle() {
    return { status: 200, body: document };
  },
});
