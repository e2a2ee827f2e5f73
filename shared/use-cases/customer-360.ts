import type { Actor } from '../domain/actor.ts';
import {
  type Connector,
  ConnectorsConfig,
  type ConnectorsConfigParsed,
  type ConnectorsConfigStore,
  type CustomerMappingStore,
  type CustomerMappingsInput,
  type LocalizedText,
} from '../domain/customer360/connectors.ts';
import type { CustomerLookup, LookupKeys, SourceAnswer } from '../domain/customer360/customer-lookup.ts';
import { DomainError, validationError } from '../domain/errors.ts';
import type { Clock, Logger } from '../domain/ports.ts';
import { customerKey } from '../domain/ticket/customer-contact.ts';
import type { Ticket } from '../domain/ticket/ticket.entity.ts';
import type { TicketStore } from '../domain/ticket/ticket.store.ts';
import { loadVisible } from './visibility.ts';

/** What Customer 360 needs: the connectors' configuration, the id mappings and the connector port. */
export interface Customer360Services {
  config: ConnectorsConfigStore;
  mappings: CustomerMappingStore;
  lookup: CustomerLookup;
}

export interface Customer360Deps {
  customer360: Customer360Services;
  tickets: TicketStore;
  clock: Clock;
  logger: Logger;
}

export interface Customer360Source extends SourceAnswer {
  name: string;
  title: LocalizedText;
}

export interface Customer360View {
  customer: {
    name?: string;
    email?: string;
    phone?: string;
    tier: string;
    /** The customer's ids by system: the ticket's own and the stored mappings. */
    externalIds: Record<string, string>;
  };
  sources: Customer360Source[];
}

/** Every key a customer may be mapped under: the e-mail address and the phone number, each on its own. */
export const customerKeys = (customer: Pick<Ticket['customer'], 'email' | 'phone'>): string[] =>
  [
    customer.email ? customerKey({ email: customer.email }) : undefined,
    customer.phone ? customerKey({ phone: customer.phone }) : undefined,
  ].filter((k): k is string => !!k);

function keysFor(connector: Connector, ticket: Ticket, ids: Record<string, string>): LookupKeys | null {
  if (connector.lookup === 'customer') {
    const externalId = ids[connector.system];
    return externalId ? { externalId } : null;
  }
  const keys: LookupKeys = {};
  const serial = ticket.classification?.facts?.assets?.[0];
  if (serial) keys.serial = serial;
  const needed = [...connector.path.matchAll(/\{([^}]*)\}/g)].map((m) => m[1] as keyof LookupKeys);
  return needed.every((k) => keys[k]) ? keys : null;
}

/**
 * `GET /tickets/{id}/customer-360`: what the other systems know of the ticket's customer.
 *
 * 1. Load the ticket (staff only, as the route says) and the connectors' configuration.
 * 2. Collect the customer's ids: the ticket's own `externalId` (in `ticketExternalIdSystem`), then the
 *    stored mappings for their e-mail address and phone number.
 * 3. Ask every enabled connector at once; one without an id for the customer is `not_mapped`, and one
 *    that fails is that source's status, never the panel's.
 */
export async function customer360(
  ticketId: string,
  actor: Actor,
  options: { refresh: boolean },
  deps: Customer360Deps,
): Promise<Customer360View> {
  const ticket = await loadVisible(ticketId, actor, deps);
  const [config, mapped] = await Promise.all([
    deps.customer360.config.get(),
    deps.customer360.mappings.find(customerKeys(ticket.customer)),
  ]);
  const ids: Record<string, string> = { ...mapped };
  if (ticket.customer.externalId) ids[config.ticketExternalIdSystem] = ticket.customer.externalId;

  const now = () => deps.clock.now().toISOString();
  const sources = await Promise.all(
    config.connectors
      .filter((c) => c.enabled)
      .map(async (connector): Promise<Customer360Source> => {
        const head = { name: connector.name, title: connector.title };
        const keys = keysFor(connector, ticket, ids);
        if (!keys) {
          return {
            ...head,
            status: 'not_mapped',
            fields: [],
            fetchedAt: now(),
            cached: false,
            message:
              connector.lookup === 'customer'
                ? `The customer has no id in ${connector.system}: map one with PUT /customers/mappings`
                : 'The ticket names no asset serial number to look up',
          };
        }
        try {
          const answer = await deps.customer360.lookup.look(connector, keys, {
            refresh: options.refresh,
            configVersion: config.version,
          });
          return { ...head, ...answer };
        } catch (error) {
          // The port reports what the other system did; a throw is our own fault, kept to this source.
          deps.logger.error('customer360.lookup_failed', {
            connector: connector.name,
            error: error instanceof Error ? error.message : String(error),
          });
          return {
            ...head,
            status: 'error',
            fields: [],
            fetchedAt: now(),
            cached: false,
            message: 'The lookup failed',
          };
        }
      }),
  );
  deps.logger.info('customer360.looked_up', {
    ticketId: ticket.id,
    sources: sources.map((s) => `${s.name}:${s.status}${s.cached ? ':cached' : ''}`).join(','),
  });
  const { name, email, phone, tier } = ticket.customer;
  return {
    customer: {
      ...(name ? { name } : {}),
      ...(email ? { email } : {}),
      ...(phone ? { phone } : {}),
      tier,
      externalIds: ids,
    },
    sources,
  };
}

/** `GET /config/connectors`: the stored configuration, or none (version 0). */
export const getConnectorsConfig = (deps: { customer360: Pick<Customer360Services, 'config'> }) =>
  deps.customer360.config.get();

const mismatch = (message: string, detail: Record<string, unknown>) =>
  new DomainError('precondition_failed', 'CONFIG.VERSION_MISMATCH', message, detail);

/**
 * `PUT /config/connectors`: the whole configuration, checked by its schema and then by what this
 * runtime will call (URLs, JMESPath, secret refs), conditional on the version it revises.
 */
export async function putConnectorsConfig(
  input: ConnectorsConfigParsed,
  actor: Actor,
  expectedVersion: number | undefined,
  deps: { customer360: Pick<Customer360Services, 'config' | 'lookup'>; clock: Clock; logger: Logger },
) {
  const parsed = input;
  const problems = deps.customer360.lookup.problems(parsed);
  if (problems.length) throw validationError('The connectors configuration has invalid fields', problems);
  const store = deps.customer360.config;
  const current = await store.get();
  if (expectedVersion !== undefined && expectedVersion !== current.version) {
    throw mismatch(`The connectors configuration is at version ${current.version}, not ${expectedVersion}`, {
      expected: expectedVersion,
      actual: current.version,
    });
  }
  const next = ConnectorsConfig.parse({
    ...parsed,
    version: current.version + 1,
    updatedAt: deps.clock.now().toISOString(),
    updatedBy: actor.id,
  });
  if (!(await store.put(next, current.version))) {
    throw mismatch('The connectors configuration changed meanwhile', { expected: current.version });
  }
  deps.logger.info('customer360.config_changed', {
    version: next.version,
    connectors: next.connectors.length,
  });
  return next;
}

/**
 * `PUT /customers/mappings`: upserts each mapping under every key of its customer (e-mail and phone),
 * so a ticket from either finds it. Idempotent; a repeat of the same list changes nothing.
 */
export async function putCustomerMappings(
  input: CustomerMappingsInput,
  deps: { customer360: Pick<Customer360Services, 'mappings'>; clock: Clock; logger: Logger },
) {
  const items = input.mappings.flatMap((m) =>
    customerKeys(m.customer).map((key) => ({ customerKey: key, system: m.system, externalId: m.externalId })),
  );
  // One item per key and system: the last mapping in the list wins, as if they were sent one by one.
  const unique = [...new Map(items.map((i) => [`${i.customerKey}|${i.system}`, i])).values()];
  await deps.customer360.mappings.put(unique, deps.clock.now().toISOString());
  deps.logger.info('customer360.mappings_stored', { mappings: input.mappings.length, items: unique.length });
  return { stored: input.mappings.length, items: unique.length };
}
