import * as z from 'zod';
import { staffRoles } from '#shared/domain/actor.ts';
import { ticketIdParam } from '#shared/http/preconditions.ts';
import { type ApiDeps, defineRoute } from '#shared/http/route.ts';
import { type Customer360Services, customer360 } from '#shared/use-cases/customer-360.ts';

const Query = z.object({
  /** `true`: ask every source again instead of showing kept answers (the panel's refresh). */
  refresh: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});

export const route = defineRoute({
  name: 'get-customer-360',
  method: 'GET',
  path: '/tickets/{id}/customer-360',
  roles: staffRoles,
  query: Query,
  access: 'read',
  uses: ['connector-secrets'],
  doc: {
    responses: [
      {
        status: 200,
        description:
          "What the configured external systems know of the ticket's customer: each source's status " +
          "('ok', 'timeout', 'error', 'malformed', 'not_mapped') and fields",
      },
    ],
  },
  async handle({ params, query, actor }, deps: ApiDeps & { customer360: Customer360Services }) {
    const view = await customer360(ticketIdParam(params), actor, { refresh: query.refresh ?? false }, deps);
    return { status: 200, body: view, headers: { 'cache-control': 'no-store' } };
  },
});
