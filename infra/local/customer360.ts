import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import type { ConnectorsConfigInput } from '#shared/domain/customer360/connectors.ts';
import { ConnectorsConfig } from '#shared/domain/customer360/connectors.ts';
import type { ConnectorSecrets } from '#shared/domain/customer360/customer-lookup.ts';
import type { Logger } from '#shared/domain/ports.ts';
import type { Customer360Services } from '#shared/use-cases/customer-360.ts';
import { customerKeys } from '#shared/use-cases/customer-360.ts';
import type { ApiResult, GatewayRoute } from './http-gateway.ts';

/**
 * Customer 360 in the local runtime (docs/integrations.md): connector secrets from a file in the data
 * dir, a demo CRM served by the runtime itself under `/dev/crm/…` (loopback only, like every `/dev`
 * route), and a sample connectors configuration pointing at it.
 */

const SecretsFile = z.record(z.string(), z.string());

/** The secret ref the demo CRM connector names. */
export const demoCrmSecretRef = 'demo-crm';

/** `<data dir>/connectors/secrets.json`: `{ "<secretRef>": "<value>" }`, read on every lookup (edit it live). */
export function localConnectorSecrets(
  dataDir: string,
): ConnectorSecrets & { file: string; demoToken(): string } {
  const dir = join(dataDir, 'connectors');
  const file = join(dir, 'secrets.json');
  const read = (): Record<string, string> =>
    existsSync(file) ? SecretsFile.parse(JSON.parse(readFileSync(file, 'utf8'))) : {};
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(
      file,
      `${JSON.stringify({ [demoCrmSecretRef]: randomBytes(18).toString('base64url') }, null, 2)}\n`,
      {
        mode: 0o600,
      },
    );
  }
  return {
    file,
    read: async (ref) => read()[ref],
    demoToken: () => read()[demoCrmSecretRef] ?? '',
  };
}

/** What the demo CRM knows: contract validity and past repairs of the seeded customers. */
const demoCustomers: Record<string, unknown> = {
  'CRM-10001': {
    id: 'CRM-10001',
    name: '上海华联商厦',
    contract: { number: 'MC-2025-0187', level: 'Gold 7×24', validUntil: '2027-03-31', annualFee: 128000 },
    repairs: [
      { date: '2026-11-18', summary: '3 号客梯 门机皮带更换', engineer: '王工' },
      { date: '2026-08-02', summary: '地下车库 照明回路检修', engineer: '刘工' },
      { date: '2026-03-15', summary: '1 号扶梯 梯级链润滑', engineer: '王工' },
    ],
  },
  'CRM-20417': {
    id: 'CRM-20417',
    name: 'Anna Smith',
    contract: { number: 'SC-2026-0420', level: 'Standard', validUntil: '2026-12-31', annualFee: 2400 },
    repairs: [{ date: '2026-10-09', summary: 'Router replaced under warranty', engineer: 'Chen' }],
  },
  'CRM-30562': {
    id: 'CRM-30562',
    name: '李小姐',
    contract: { number: 'SC-2024-0077', level: 'Standard', validUntil: '2026-06-30', annualFee: 1800 },
    repairs: [],
  },
};

/** A mapping the demo stores, so one customer is found through `PUT /customers/mappings`' items. */
export const demoMappings = [
  { customer: { email: 'li.xiaojie@example.com' }, system: 'crm', externalId: 'CRM-30562' },
];

const json = (statusCode: number, body: unknown): ApiResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

/** `GET /dev/crm/customers/{id}`: the demo CRM, answering only with the bearer token from secrets.json. */
export function demoCrmRoutes(secrets: { demoToken(): string }): GatewayRoute[] {
  return [
    {
      method: 'GET',
      path: '/dev/crm/customers/{id}',
      name: 'dev-crm-customer',
      async invoke(event) {
        const token = secrets.demoToken();
        if (!token || event.headers?.authorization !== `Bearer ${token}`) {
          return json(401, { error: 'unauthorized' });
        }
        const found = demoCustomers[event.pathParameters?.id ?? ''];
        return found ? json(200, found) : json(404, { error: 'no such customer' });
      },
    },
  ];
}

/** The sample configuration: one CRM connector, contract validity and past repairs. */
export function demoConnectorsConfig(runtimeUrl: string): ConnectorsConfigInput {
  return {
    ticketExternalIdSystem: 'crm',
    connectors: [
      {
        name: 'crm',
        title: { zh: '客户关系管理 (演示)', en: 'CRM (demo)' },
        system: 'crm',
        lookup: 'customer',
        baseUrl: `${runtimeUrl}/dev/crm`,
        path: '/customers/{externalId}',
        timeoutMs: 2000,
        retries: 1,
        cacheTtlSeconds: 300,
        auth: { header: 'Authorization', scheme: 'Bearer', secretRef: demoCrmSecretRef },
        fields: [
          { label: { zh: '客户', en: 'Customer' }, path: 'name', format: 'text' },
          { label: { zh: '合同编号', en: 'Contract' }, path: 'contract.number', format: 'text' },
          { label: { zh: '服务等级', en: 'Service level' }, path: 'contract.level', format: 'text' },
          {
            label: { zh: '合同有效期至', en: 'Contract valid until' },
            path: 'contract.validUntil',
            format: 'date',
          },
          {
            label: { zh: '年费', en: 'Annual fee' },
            path: 'contract.annualFee',
            format: 'money',
            currency: 'CNY',
          },
          {
            label: { zh: '历史维修', en: 'Past repairs' },
            path: 'repairs[].[date, summary, engineer]',
            format: 'list',
          },
        ],
      },
    ],
  };
}

/**
 * Stores the sample configuration when none is, and keeps it pointing at this runtime while it is the
 * seed's own (a restart on another port moves it; one an admin changed is left alone). Stores the demo
 * mapping too (an upsert).
 */
export async function seedDemoConnectors(
  services: Customer360Services,
  runtimeUrl: string,
  at: string,
  logger: Logger,
): Promise<void> {
  const current = await services.config.get();
  const demo = demoConnectorsConfig(runtimeUrl);
  const wanted = `${runtimeUrl}/dev/crm`;
  const seededElsewhere =
    current.updatedBy === 'seed' && current.connectors.some((c) => c.name === 'crm' && c.baseUrl !== wanted);
  if (current.version === 0 || seededElsewhere) {
    const next = ConnectorsConfig.parse({
      ...(current.version === 0 ? demo : current),
      ...(seededElsewhere
        ? { connectors: current.connectors.map((c) => (c.name === 'crm' ? { ...c, baseUrl: wanted } : c)) }
        : {}),
      version: current.version + 1,
      updatedAt: at,
      updatedBy: 'seed',
    });
    if (await services.config.put(next, current.version)) {
      logger.info('customer360.demo_config', { version: next.version, baseUrl: wanted });
    }
  }
  if (current.version === 0) {
    await services.mappings.put(
      demoMappings.flatMap((m) =>
        customerKeys(m.customer).map((customerKey) => ({
          customerKey,
          system: m.system,
          externalId: m.externalId,
        })),
      ),
      at,
    );
  }
}
