import * as z from 'zod';
import { type Actor, Channel, isStaff } from '../domain/actor.ts';
import { auditEvent } from '../domain/audit/audit-event.ts';
import type { SlaConfiguration } from '../domain/sla/ticket-mapping.ts';
import { customerKey } from '../domain/ticket/customer-contact.ts';
import { Priority, Status } from '../domain/ticket/lifecycle.ts';
import { type Ticket, Tier, ticketNumberPattern } from '../domain/ticket/ticket.entity.ts';
import { ticketNotFound } from '../domain/ticket/ticket.errors.ts';
import type { TicketFilter } from '../domain/ticket/ticket.store.ts';
import type { TicketDeps } from './deps.ts';
import { presentSla } from './ticket-sla.ts';
import { summarize, ticketView } from './ticket-view.ts';
import { canSee, loadVisible } from './visibility.ts';

/**
 * Returns a ticket the actor may see and records that they viewed it (staff views are part of the
 * audit trail; the view does not change the ticket's version). Its SLA shows the time left as of now.
 */
export async function getTicket(idOrNumber: string, actor: Actor, deps: TicketDeps) {
  const ticket = await loadByIdOrNumber(idOrNumber, actor, deps);
  const now = deps.clock.now();
  await deps.tickets.appendAudit([
    auditEvent(deps.ids.next(), ticket.id, 'viewed', actor, now, ticket.version),
  ]);
  const [live, config] = await Promise.all([presentSla(ticket, deps.sla, now), slaConfiguration(deps)]);
  return ticketView(live, actor, config);
}

/** `GD-000123` (the number people read out) or the ticket's id. */
async function loadByIdOrNumber(ref: string, actor: Actor, deps: TicketDeps): Promise<Ticket> {
  if (!ticketNumberPattern.test(ref)) return loadVisible(ref, actor, deps);
  const ticket = await deps.tickets.getByNumber(ref);
  if (!ticket || !canSee(ticket, actor)) throw ticketNotFound(ref);
  return ticket;
}

/** The SLA policies and calendars, for warning times; none when SLAs are not configured. */
const slaConfiguration = async (deps: TicketDeps): Promise<SlaConfiguration | null> =>
  deps.sla ? deps.sla.config.load() : null;

/** The ticket's audit trail, oldest first. */
export async function getHistory(id: string, actor: Actor, deps: TicketDeps) {
  await loadVisible(id, actor, deps);
  return deps.tickets.history(id);
}

/** The ticket's thread; customers see only public messages. */
export async function getMessages(id: string, actor: Actor, deps: TicketDeps) {
  await loadVisible(id, actor, deps);
  const messages = await deps.tickets.messages(id);
  return isStaff(actor) ? messages : messages.filter((m) => m.public);
}

const flag = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true')
  .optional();

const customerOf = (contact: string) => (contact.includes('@') ? { email: contact } : { phone: contact });

export const ListQuery = z.object({
  status: Status.optional(),
  team: z.string().min(1).max(80).optional(),
  assignee: z.string().min(1).max(80).optional(),
  /** The customer's e-mail address, or the phone number of one known by phone only. */
  customer: z
    .union([z.email(), z.string().regex(/^\+?[\d\s().-]{5,30}$/, 'An e-mail address or a phone number')])
    .optional(),
  priority: Priority.optional(),
  tier: Tier.optional(),
  channel: Channel.optional(),
  intent: z.string().min(1).max(80).optional(),
  /** Product line (`空调`), exact. */
  product: z.string().trim().min(1).max(40).optional(),
  /** Model number (`KFR-35GW`), exact, case-insensitive. */
  model: z.string().trim().min(1).max(60).optional(),
  /** Region or the start of one: `北京市` finds `北京市/朝阳区`. */
  region: z.string().trim().min(1).max(60).optional(),
  /** Tickets an agent watches; `me` for the caller (docs/collaboration.md). */
  watcher: z.string().min(1).max(80).optional(),
  breached: flag,
  /** Only tickets that still need work (new, open, pending): what queues show. */
  active: flag,
  /** Words of the number, subject, description, customer name, e-mail or phone (all must occur). */
  q: z.string().trim().min(1).max(100).optional(),
  /** `created` (newest first) or `due` (nearest SLA due time first: queues). */
  sort: z.enum(['created', 'due']).default('created'),
  /** `summary` (list rows) or `full` (whole tickets). */
  view: z.enum(['summary', 'full']).default('summary'),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2000).optional(),
});
export type ListQuery = z.infer<typeof ListQuery>;

/**
 * Lists tickets, newest first or by the nearest due time; a customer's list is always limited to their
 * own tickets. A ticket number in `q` finds that ticket directly.
 */
export async function listTickets(query: ListQuery, actor: Actor, deps: TicketDeps) {
  const config = query.view === 'summary' ? await slaConfiguration(deps) : null;
  const present = (t: Ticket) => (query.view === 'summary' ? summarize(t, config) : t);
  const customerOnly = !actor.roles.some((r) => r !== 'customer');

  if (query.q && ticketNumberPattern.test(query.q.toUpperCase())) {
    const ticket = await deps.tickets.getByNumber(query.q.toUpperCase());
    const visible = ticket && canSee(ticket, actor) ? [ticket] : [];
    return { items: visible.map(present) };
  }
  if (query.q && !query.cursor) {
    // An imported ticket's legacy number (docs/import.md) finds it directly, however many tickets there are.
    const imported = await deps.tickets.getByExternalRef(query.q);
    if (imported && canSee(imported, actor)) return { items: [present(imported)] };
  }
  const filter: TicketFilter = {
    ...(query.status ? { status: query.status } : {}),
    ...(query.team ? { team: query.team } : {}),
    ...(query.assignee ? { assignee: query.assignee } : {}),
    ...(query.customer ? { customerEmail: customerKey(customerOf(query.customer)) } : {}),
    ...(query.breached !== undefined ? { breached: query.breached } : {}),
    ...(query.active !== undefined ? { active: query.active } : {}),
    ...(query.priority ? { priority: query.priority } : {}),
    ...(query.tier ? { tier: query.tier } : {}),
    ...(query.channel ? { channel: query.channel } : {}),
    ...(query.intent ? { intent: query.intent } : {}),
    ...(query.product ? { product: query.product } : {}),
    ...(query.model ? { model: query.model.toUpperCase() } : {}),
    ...(query.region ? { region: query.region } : {}),
    ...(query.watcher ? { watcher: query.watcher === 'me' ? actor.id : query.watcher } : {}),
    ...(query.q ? { words: searchWords(query.q) } : {}),
  };
  if (customerOnly) filter.customerEmail = actor.email ?? '\u0000';
  const page = await deps.tickets.list(filter, {
    limit: query.limit,
    ...(query.sort === 'due' ? { order: 'due' as const } : {}),
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
  return { items: page.items.map(present), ...(page.cursor ? { cursor: page.cursor } : {}) };
}

/** The words of a search, lower-cased, as the store's search text holds them. */
export const searchWords = (q: string) =>
  [...new Set(q.toLowerCase().split(/\s+/).filter(Boolean))].slice(0, 8);
