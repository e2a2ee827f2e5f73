import { describe, expect, it } from 'vitest';
import { demoConnectorsConfig, seedDemoConnectors } from '#infra/local/customer360.ts';
import { type ConnectorsConfig, ConnectorsConfig as Schema } from '#shared/domain/customer360/connectors.ts';
import { silentLogger } from '#shared/domain/ports.ts';
import type { Customer360Services } from '#shared/use-cases/customer-360.ts';

/** The two stores in memory, with the same version condition as the DynamoDB ones. */
function memoryServices() {
  let stored: ConnectorsConfig = Schema.parse({});
  const mapped: { customerKey: string; system: string; externalId: string }[] = [];
  const services: Customer360Services = {
    config: {
      get: async () => stored,
      put: async (next, expected) => {
        if (stored.version !== expected) return false;
        stored = next;
        return true;
      },
    },
    mappings: { put: async (m) => void mapped.push(...m), find: async () => ({}) },
    lookup: { look: () => Promise.reject(new Error('unused')), problems: () => [] },
  };
  return { services, mapped, stored: () => stored };
}

describe('seedDemoConnectors()', () => {
  it('stores the demo CRM connector and the demo mapping on a fresh data dir', async () => {
    // Prepare
    const world = memoryServices();

    // Act
    await seedDemoConnectors(world.services, 'http://127.0.0.1:3000', '2026-12-07T00:00:00Z', silentLogger);

    // Assess
    expect(world.stored()).toMatchObject({ version: 1, updatedBy: 'seed' });
    expect(world.stored().connectors[0]!.baseUrl).toBe('http://127.0.0.1:3000/dev/crm');
    expect(world.mapped).toEqual([
      { customerKey: 'li.xiaojie@example.com', system: 'crm', externalId: 'CRM-30562' },
    ]);
  });

  it("moves the seed's own configuration to the runtime's new port, and leaves an admin's alone", async () => {
    // Prepare
    const world = memoryServices();
    await seedDemoConnectors(world.services, 'http://127.0.0.1:3000', '2026-12-07T00:00:00Z', silentLogger);

    // Act
    await seedDemoConnectors(world.services, 'http://127.0.0.1:4100', '2026-12-07T01:00:00Z', silentLogger);
    const moved = world.stored();
    await world.services.config.put(
      Schema.parse({ ...demoConnectorsConfig('http://127.0.0.1:4100'), version: 3, updatedBy: 'u-admin' }),
      2,
    );
    await seedDemoConnectors(world.services, 'http://127.0.0.1:5200', '2026-12-07T02:00:00Z', silentLogger);

    // Assess
    expect(moved).toMatchObject({ version: 2, updatedBy: 'seed' });
    expect(moved.connectors[0]!.baseUrl).toBe('http://127.0.0.1:4100/dev/crm');
    expect(world.stored()).toMatchObject({ version: 3, updatedBy: 'u-admin' });
    expect(world.mapped).toHaveLength(1);
  });
});
