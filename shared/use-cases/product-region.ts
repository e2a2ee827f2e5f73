import { deriveProductRegion, type ModelPrefix, modelPrefixes } from '../domain/ticket/product-region.ts';
import type { Ticket } from '../domain/ticket/ticket.entity.ts';
import type { TicketDeps } from './deps.ts';

/**
 * The model-prefix table new tickets are read with: the routing configuration's `products` section
 * (`current()`, cached where wired so) over the built-in table. A configuration that cannot be read
 * leaves the built-in table: deriving a product never stops a ticket.
 */
export async function productPrefixes(deps: Pick<TicketDeps, 'routing' | 'logger'>): Promise<ModelPrefix[]> {
  try {
    const config = await deps.routing.config.current();
    return modelPrefixes(config?.products);
  } catch (error) {
    deps.logger.warn('products.config_unread', {
      error: error instanceof Error ? error.message : String(error),
    });
    return modelPrefixes();
  }
}

/** `ticket` with the product and region it lacks derived from its own text and address, marked as derived. */
export function withDerivedProductRegion(ticket: Ticket, prefixes: readonly ModelPrefix[]): Ticket {
  const { product, region, derived } = deriveProductRegion(
    ticket,
    { product: ticket.product ?? null, region: ticket.region ?? null },
    prefixes,
  );
  return derived.length ? { ...ticket, product, region, derived } : ticket;
}
