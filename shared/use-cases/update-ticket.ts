import * as z from 'zod';
import { type Actor, isStaff, primaryRole } from '../domain/actor.ts';
import { type AuditEvent, auditEvent } from '../domain/audit/audit-event.ts';
import { safeRecord } from '../domain/safe-record.ts';
import { Priority } from '../domain/ticket/lifecycle.ts';
import type { Message } from '../domain/ticket/message.ts';
import { normaliseRegion, Product, RegionName } from '../domain/ticket/product-region.ts';
import { CustomFieldValue, recordReply, type Ticket, touch } from '../domain/ticket/ticket.entity.ts';
import { type IntegrationEvent, makeEvent } from '../events/catalogue.ts';
import { changeTicket, eventBase } from './change-ticket.ts';
import type { TicketDeps } from './deps.ts';

/** Field changes another system may ask for (`ticket.update.requested`), all optional. */
export const FieldChanges = z.object({
  priority: Priority.optional(),
  /** Merged into the ticket's custom fields. */
  customFields: safeRecord(z.string().max(60), CustomFieldValue).optional(),
  tags: z
    .object({
      add: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
      remove: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
    })
    .optional(),
  comment: z
    .object({ body: z.string().trim().min(1).max(50_000), public: z.boolean().default(false) })
    .optional(),
  /** Product line and model; null clears it (docs/analytics.md, "Product and region"). */
  product: Product.nullable().optional(),
  /** `北京市/朝阳区`; a recognised place is normalised, null clears it. */
  region: RegionName.nullable().optional(),
});
export type FieldChanges = z.infer<typeof FieldChanges>;

const maxTags = 20;

/**
 * Changes a ticket's priority, custom fields, tags, product and region, and adds a comment, in one write.
 *
 * 1. Load the ticket the actor may see, at the version they expect.
 * 2. Apply the changes; a comment is a public reply or an internal note by the actor.
 * 3. Write ticket, message and an `updated` audit event naming what changed (old and new priority,
 *    product, region).
 * 4. Publish `ticket.replied` for a comment. (The catalogue has no event for field changes yet: the
 *    audit trail carries them.)
 */
export async function updateTicketFields(
  id: string,
  changes: FieldChanges,
  actor: Actor,
  expectedVersion: number | undefined,
  deps: TicketDeps,
) {
  return changeTicket(id, actor, expectedVersion, deps, (current, now) => {
    let ticket: Ticket = changes.comment
      ? recordReply(current, isStaff(actor), changes.comment.public, now)
      : touch(current, now);
    const changed: Record<string, unknown> = {};
    if (changes.priority && changes.priority !== current.priority) {
      ticket = { ...ticket, priority: changes.priority };
      changed.priority = { from: current.priority, to: changes.priority };
    }
    if (changes.customFields && Object.keys(changes.customFields).length) {
      ticket = { ...ticket, customFields: { ...ticket.customFields, ...changes.customFields } };
      changed.customFields = Object.keys(changes.customFields).sort();
    }
    if (changes.product !== undefined) {
      const from = current.product ?? null;
      const to = changes.product ? { ...changes.product } : null;
      if (JSON.stringify(from) !== JSON.stringify(to)) {
        changed.product = { from, to };
        ticket = { ...ticket, product: to, derived: (ticket.derived ?? []).filter((d) => d !== 'product') };
      }
    }
    if (changes.region !== undefined) {
      const from = current.region ?? null;
      const to = changes.region === null ? null : normaliseRegion(changes.region);
      if (from !== to) {
        changed.region = { from, to };
        ticket = { ...ticket, region: to, derived: (ticket.derived ?? []).filter((d) => d !== 'region') };
      }
    }
    if (changes.tags) {
      const removed = new Set(changes.tags.remove);
      const tags = [...new Set([...ticket.tags.filter((t) => !removed.has(t)), ...changes.tags.add])].slice(
        0,
        maxTags,
      );
      if (tags.join('\n') !== ticket.tags.join('\n')) {
        changed.tags = { from: ticket.tags, to: tags };
        ticket = { ...ticket, tags };
      }
    }

    const audit: AuditEvent[] = [];
    const events: IntegrationEvent[] = [];
    const messages: Message[] = [];
    if (Object.keys(changed).length) {
      audit.push(auditEvent(deps.ids.next(), id, 'updated', actor, now, ticket.version, changed));
    }
    if (changes.comment) {
      const message: Message = {
        id: deps.ids.next(),
        ticketId: id,
        body: changes.comment.body,
        public: changes.comment.public,
        author: { id: actor.id, ...(actor.name ? { name: actor.name } : {}), role: primaryRole(actor) },
        channel: actor.channel,
        at: now.toISOString(),
      };
      messages.push(message);
      audit.push(
        auditEvent(deps.ids.next(), id, message.public ? 'replied' : 'noted', actor, now, ticket.version, {
          messageId: message.id,
          public: message.public,
        }),
      );
      events.push(
        makeEvent(deps.ids.next(), 'ticket.replied', {
          ...eventBase(ticket),
          messageId: message.id,
          public: message.public,
          authorRole: primaryRole(actor),
        }),
      );
    }
    return { ticket, audit, events, messages };
  });
}

/**
 * A monitoring alert fired again for a ticket still being worked: counts it and moves its last-seen
 * time, instead of opening another ticket. The count is taken from the ticket as written (optimistic
 * concurrency retries on the fresh ticket), so concurrent repeats each count once.
 */
export async function recordAlertRepeat(
  id: string,
  repeat: { lastSeenAt: string },
  actor: Actor,
  deps: TicketDeps,
): Promise<{ ticket: Ticket; count: number }> {
  let count = 0;
  const result = await changeTicket(id, actor, undefined, deps, (current, now) => {
    const seen = Number(current.customFields.alertCount);
    count = (Number.isFinite(seen) && seen > 0 ? seen : 1) + 1;
    const previous = String(current.customFields.alertLastSeenAt ?? '');
    const lastSeenAt = previous > repeat.lastSeenAt ? previous : repeat.lastSeenAt;
    const ticket: Ticket = {
      ...touch(current, now),
      customFields: { ...current.customFields, alertCount: count, alertLastSeenAt: lastSeenAt },
    };
    return {
      ticket,
      audit: [
        auditEvent(deps.ids.next(), id, 'updated', actor, now, ticket.version, {
          alertCount: count,
          alertLastSeenAt: lastSeenAt,
          reason: 'alert repeated',
        }),
      ],
      events: [],
    };
  });
  return { ticket: result.ticket, count };
}

/** The monitoring system reported the alert resolved: an internal note on its ticket, for the agent. */
export async function noteAlertCleared(id: string, at: string, actor: Actor, deps: TicketDeps) {
  return updateTicketFields(
    id,
    {
      comment: {
        body: `监控系统报告告警已恢复（${at}）。\nThe monitoring system reported the alert resolved at ${at}.`,
        public: false,
      },
      customFields: { alertClearedAt: at },
    },
    actor,
    undefined,
    deps,
  );
}
