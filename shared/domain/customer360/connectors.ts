import * as z from 'zod';

/**
 * Customer 360 (docs/integrations.md): the external systems a ticket's customer (or asset) is looked up
 * in, over configured REST endpoints, and which fields of their answers the agent sees. One versioned
 * document, `GET/PUT /config/connectors`, stored as `CONFIG` / `connectors`.
 */

/** A short name: a connector's, or an external system's (`crm`, `erp-contracts`). */
export const SystemName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'Lower-case letters, digits and dashes, starting with a letter');

export const LocalizedText = z.object({
  zh: z.string().trim().min(1).max(80),
  en: z.string().trim().min(1).max(80),
});
export type LocalizedText = z.infer<typeof LocalizedText>;

export const FieldFormat = z.enum(['text', 'date', 'money', 'list']);
export type FieldFormat = z.infer<typeof FieldFormat>;

/** One field shown from a source's answer: where it is in the JSON (a JMESPath expression) and how to show it. */
export const FieldSpec = z.object({
  label: LocalizedText,
  /** JMESPath over the answer, e.g. `contract.validUntil`, `repairs[].[date, summary]`. */
  path: z.string().trim().min(1).max(300),
  format: FieldFormat.default('text'),
  /** For `money`: the ISO 4217 code the amounts are in. */
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'An ISO 4217 code such as CNY')
    .optional(),
  /** A missing value shows as empty instead of marking the answer malformed. */
  optional: z.boolean().default(false),
});
export type FieldSpec = z.infer<typeof FieldSpec>;

/** What a connector looks up: the customer (by their id in `system`) or the ticket's asset. */
export const LookupKind = z.enum(['customer', 'asset']);

/** The placeholders a connector's path may use, by what it looks up. */
export const pathPlaceholders = { customer: ['externalId'], asset: ['serial'] } as const;

const headerName = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,64}$/, 'A header name: letters, digits and dashes')
  .refine(
    (h) => !['host', 'content-length', 'cookie'].includes(h.toLowerCase()),
    'This header cannot be set',
  );

export const Connector = z
  .object({
    name: SystemName,
    title: LocalizedText,
    /** Whose ids the connector takes: the `system` of the customer's mappings (`PUT /customers/mappings`). */
    system: SystemName,
    lookup: LookupKind.default('customer'),
    /** Only URLs under this one are called (https; http to loopback in the local runtime only). */
    baseUrl: z.url().max(300),
    /** Appended to `baseUrl`: `/customers/{externalId}`, `/contracts?customer={externalId}`, `/assets/{serial}`. */
    path: z.string().startsWith('/').max(300),
    timeoutMs: z.int().min(100).max(10_000).default(2000),
    /** Further tries after a 5xx, a timeout or a refused connection (never after a 4xx). */
    retries: z.int().min(0).max(2).default(1),
    /** How long a good answer is kept per customer (0: never), in memory per process / Lambda container. */
    cacheTtlSeconds: z.int().min(0).max(86_400).default(300),
    /** A header carrying a secret read from the secret store, never the secret itself. */
    auth: z
      .object({
        header: headerName.default('Authorization'),
        /** Written before the secret, e.g. `Bearer`. */
        scheme: z
          .string()
          .regex(/^[A-Za-z0-9-]{1,20}$/)
          .optional(),
        secretRef: z.string().trim().min(1).max(512),
      })
      .optional(),
    fields: z.array(FieldSpec).min(1).max(20),
    enabled: z.boolean().default(true),
  })
  .superRefine((c, ctx) => {
    const allowed: readonly string[] = pathPlaceholders[c.lookup];
    const used = [...c.path.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]!);
    for (const name of used) {
      if (!allowed.includes(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['path'],
          message: `Unknown placeholder {${name}}; a ${c.lookup} lookup may use ${allowed.map((a) => `{${a}}`).join(', ')}`,
        });
      }
    }
    if (used.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['path'],
        message: `The path must name what is looked up: ${allowed.map((a) => `{${a}}`).join(' or ')}`,
      });
    }
    for (const [i, field] of c.fields.entries()) {
      if (field.format !== 'money' && field.currency) {
        ctx.addIssue({
          code: 'custom',
          path: ['fields', i, 'currency'],
          message: 'Only money fields have a currency',
        });
      }
    }
  });
export type Connector = z.infer<typeof Connector>;

export const ConnectorsConfigInput = z
  .object({
    /** The system a ticket's own `customer.externalId` belongs to. */
    ticketExternalIdSystem: SystemName.default('crm'),
    connectors: z.array(Connector).max(10).default([]),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    for (const [i, connector] of c.connectors.entries()) {
      if (seen.has(connector.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['connectors', i, 'name'],
          message: `Another connector is already named ${connector.name}`,
        });
      }
      seen.add(connector.name);
    }
  });
export type ConnectorsConfigInput = z.input<typeof ConnectorsConfigInput>;
export type ConnectorsConfigParsed = z.infer<typeof ConnectorsConfigInput>;

export const ConnectorsConfig = z.object({
  ticketExternalIdSystem: SystemName.default('crm'),
  connectors: z.array(Connector).default([]),
  version: z.int().min(0).default(0),
  updatedAt: z.string().optional(),
  updatedBy: z.string().optional(),
});
export type ConnectorsConfig = z.infer<typeof ConnectorsConfig>;

/** No connector: what `GET /config/connectors` answers until one is stored. */
export const emptyConnectorsConfig: ConnectorsConfig = ConnectorsConfig.parse({});

/** The connectors document, written conditionally on its version. */
export interface ConnectorsConfigStore {
  get(): Promise<ConnectorsConfig>;
  /** False when the stored version is no longer `expectedVersion` (0: none stored). */
  put(next: ConnectorsConfig, expectedVersion: number): Promise<boolean>;
}

// --- ID mapping -------------------------------------------------------------------------------------

const CustomerRef = z
  .object({
    email: z.email().max(254).optional(),
    phone: z.string().trim().min(3).max(40).optional(),
  })
  .refine((c) => !!c.email || !!c.phone, {
    message: 'An e-mail address or a phone number is required',
    path: ['email'],
  });

/** One customer's id in one external system. */
export const CustomerMapping = z.object({
  customer: CustomerRef,
  system: SystemName,
  externalId: z.string().trim().min(1).max(120),
});
export type CustomerMapping = z.infer<typeof CustomerMapping>;

/** `PUT /customers/mappings`: up to 500 at once (an export from the CRM, in pages). Each is an upsert. */
export const CustomerMappingsInput = z.object({ mappings: z.array(CustomerMapping).min(1).max(500) });
export type CustomerMappingsInput = z.infer<typeof CustomerMappingsInput>;

/** A customer's ids in other systems, stored under each of their keys (e-mail, `tel:` number). */
export interface CustomerMappingStore {
  /** Upserts, idempotent: the same mapping twice is one. */
  put(mappings: { customerKey: string; system: string; externalId: string }[], at: string): Promise<void>;
  /** The ids of the customer known by any of `customerKeys`, by system (the first key wins). */
  find(customerKeys: string[]): Promise<Record<string, string>>;
}
