import * as z from 'zod';
import { Job, JobsQuery, listJobs } from '#shared/channels/field-visits.ts';
import { type ApiDeps, defineRoute } from '#shared/http/route.ts';

export const route = defineRoute<undefined, JobsQuery, ApiDeps>({
  name: 'list-field-jobs',
  method: 'GET',
  path: '/field/jobs',
  // The calling engineer's jobs (active tickets with a site, or a visit under way) in visiting order,
  // with the distance from `lat`,`lng` when given.
  roles: ['agent', 'supervisor', 'admin'],
  query: JobsQuery,
  access: 'read',
  doc: {
    responses: [
      {
        status: 200,
        description: "Today's jobs, in visiting order",
        body: z.object({ items: z.array(Job) }),
      },
    ],
  },
  async handle({ query, actor }, deps) {
    return { status: 200, body: await listJobs(query, actor, deps) };
  },
});
