import { describe, expect, it } from 'vitest';
import { route as putConnectorsRoute } from '#functions/put-connectors-config/route.ts';
import { route as putMappingsRoute } from '#functions/put-customer-mappings/route.ts';
import {
  dynamoConnectorsConfigStore,
  dynamoCustomerMappingStore,
} from '#shared/adapters/dynamo/dynamo-customer360-store.ts';
import { ConnectorsConfig } from '#shared/domain/customer360/connectors.ts';
import type { CustomerLookup } from '#shared/domain/customer360/customer-lookup.ts';
import { silentLogger } from '#shared/domain/ports.ts';
import { putConnectorsConfig, putCustomerMappings } from '#shared/use-cases/customer-360.ts';
import { freshTable } from '../support/ticket-fixtures.ts';

// biome-ignore lint/suspicious/noExplicitAny: command inputs, read field by field
type Json = any;

const clock = { now: () => new Date('2026-12-07T09:00:00Z') };
const admin = { id: 'u-admin', roles: ['admin'] } as never;
const noProblems: CustomerLookup = { look: () => Promise.reject(new Error('unused')), problems: () => [] };

/** The table with every write command's partition keys recorded, as IAM's LeadingKeys sees them. */
async function recorded() {
  const { client, tableName } = await freshTable();
  const writes: { command: string; pk: string }[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String((context as { commandName?: string }).commandName ?? '');
      const input = args.input as Json;
      if (command.startsWith('Put')) writes.push({ command, pk: input.Item.pk?.S ?? input.Item.pk });
      if (command.startsWith('BatchWrite')) {
        for (const r of Object.values(input.RequestItems).flat() as Json[]) {
          writes.push({ command, pk: r.PutRequest.Item.pk?.S ?? r.PutRequest.Item.pk });
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordWrites' },
  );
  return { client, tableName, writes };
}

describe('Customer 360 in the ticket table', () => {
  it('stores mappings in batches under e-mail and phone, idempotently, writing only CUSTMAP# items', async () => {
    // Prepare
    const { client, tableName, writes } = await recorded();
    const mappings = dynamoCustomerMappingStore(client, tableName);
    const input = {
      mappings: Array.from({ length: 30 }, (_, i) => ({
        customer: { email: `C${i}@Example.com`, phone: `+86 139 0000 ${String(i).padStart(4, '0')}` },
        system: 'crm',
        externalId: `CRM-${i}`,
      })),
    };

    // Act
    const first = await putCustomerMappings(input, {
      customer360: { mappings },
      clock,
      logger: silentLogger,
    });
    const again = await putCustomerMappings(input, {
      customer360: { mappings },
      clock,
      logger: silentLogger,
    });

    // Assess
    expect(first).toEqual({ stored: 30, items: 60 });
    expect(again).toEqual(first);
    expect(await mappings.find(['c7@example.com'])).toEqual({ crm: 'CRM-7' });
    expect(await mappings.find(['tel:+8613900000012'])).toEqual({ crm: 'CRM-12' });
    expect(await mappings.find(['nobody@example.com'])).toEqual({});
    expect(writes.length).toBe(120);
    const scope = putMappingsRoute.writes!;
    expect(
      writes.filter(
        (w) =>
          !scope.actions.includes(w.command.replace(/Command$/, '') as never) ||
          !scope.partitionKeys.some((k) => w.pk.startsWith(k)),
      ),
    ).toEqual([]);
  });

  it('prefers the e-mail mapping over the phone one for the same system', async () => {
    // Prepare
    const { client, tableName } = await freshTable();
    const mappings = dynamoCustomerMappingStore(client, tableName);
    await mappings.put(
      [
        { customerKey: 'a@example.com', system: 'crm', externalId: 'BY-MAIL' },
        { customerKey: 'tel:+8613900000001', system: 'crm', externalId: 'BY-PHONE' },
        { customerKey: 'tel:+8613900000001', system: 'erp', externalId: 'E-1' },
      ],
      clock.now().toISOString(),
    );

    // Act
    const found = await mappings.find(['a@example.com', 'tel:+8613900000001']);

    // Assess
    expect(found).toEqual({ crm: 'BY-MAIL', erp: 'E-1' });
  });

  it('stores the configuration on condition of its version, writing only the CONFIG item', async () => {
    // Prepare
    const { client, tableName, writes } = await recorded();
    const config = dynamoConnectorsConfigStore(client, tableName);
    const deps = { customer360: { config, lookup: noProblems }, clock, logger: silentLogger };
    const input = ConnectorsConfig.parse({}) as never;

    // Act
    const v1 = await putConnectorsConfig(input, admin, undefined, deps);
    const stale = config.put({ ...v1, version: 2 }, 0);
    const v2 = await putConnectorsConfig(input, admin, 1, deps);
    const refused = putConnectorsConfig(input, admin, 1, deps);

    // Assess
    expect(v1).toMatchObject({ version: 1, updatedBy: 'u-admin', updatedAt: '2026-12-07T09:00:00.000Z' });
    expect(await stale).toBe(false);
    expect(v2.version).toBe(2);
    await expect(refused).rejects.toMatchObject({
      code: 'CONFIG.VERSION_MISMATCH',
      kind: 'precondition_failed',
    });
    expect((await config.get()).version).toBe(2);
    expect(new Set(writes.map((w) => `${w.command.replace(/Command$/, '')} ${w.pk}`))).toEqual(
      new Set(
        putConnectorsRoute.writes!.actions.flatMap((a) =>
          putConnectorsRoute.writes!.partitionKeys.map((k) => `${a} ${k}`),
        ),
      ),
    );
  });
});
