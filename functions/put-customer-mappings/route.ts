import { CustomerMappingsInput } from '#shared/domain/customer360/connectors.ts';
import { type ApiDeps, defineRoute } from '#shared/http/route.ts';
import { type Customer360Services, putCustomerMappings } from '#shared/use-cases/customer-360.ts';

export const route = defineRoute({
  name: 'put-customer-mappings',
  method: 'PUT',
  path: '/customers/mappings',
  roles: ['admin', 'integration'],
  body: CustomerMappingsInput,
  maxBodyBytes: 256 * 1024,
  access: 'write',
  writes: { actions: ['BatchWriteItem'], partitionKeys: ['CUSTMAP#'] },
  doc: {
    responses: [
      {
        status: 200,
        description:
          "Stored: each customer's id in each system, under their e-mail address and phone number (upserts)",
      },
    ],
  },
  async handle({ body }, deps: ApiDeps & { customer360: Customer360Services }) {
    return { status: 200, body: await putCustomerMappings(body, deps) };
  },
});
