import { systemActor } from '../domain/actor.ts';
import { type AuditEvent, auditEvent } from '../domain/audit/audit-event.ts';
import { DomainError } from '../domain/errors.ts';
import type { ChildSummary } from '../domain/ticket/child-summary.ts';
import {
  type ChildOutcome,
  defaultChildTicketPolicy,
  openChildren,
  rollupKey,
  rollupNoteBody,
} from '../domain/ticket/child-tickets.ts';
import { activeStatuses, findRule } from '../domain/ticket/lifecycle.ts';
import type { Message } from '../domain/ticket/message.ts';
import { type Ticket, touch, transition } from '../domain/ticket/ticket.entity.ts';
import type {
  CustomerMailRequest,
  OutboxNotification,
  OutboxRecord,
} from '../domain/ticket/ticket-change.ts';
import { type IntegrationEvent, makeEvent } from '../events/catalogue.ts';
import { changeTicketIf, eventBase } from '../use-cases/change-ticket.ts';
import { withResolution } from '../use-cases/resolution.ts';
import { checkTransitionGates } from '../use-cases/transition-gates.ts';
import { defineReaction, type ReactionDeps } from './reaction.ts';

/** A child moved out of work (resolved, or closed) with this change. */
const childFinished = (record: OutboxRecord) =>
  record.after.parentId !== null &&
  record.before !== null &&
  activeStatuses.includes(record.before.status) &&
  !activeStatuses.includes(record.after.status);

/**
 * What each finished child came to: the resolution summary (or the reason) given when it was resolved,
 * else its latest message.
 */
async function outcomesOf(children: readonly ChildSummary[], deps: ReactionDeps): Promise<ChildOutcome[]> {
  const teams = (await deps.routing.config.get())?.teams ?? [];
  return Promise.all(
    children.map(async (child) => {
      const [history, messages] = await Promise.all([
        deps.tickets.history(child.id),
        deps.tickets.messages(child.id),
      ]);
      const finished = history
        .filter(
          (e) =>
            e.type === 'transitioned' &&
            (e.data.to === 'resolved' || e.data.to === 'closed') &&
            (e.data.summary || e.data.reason),
        )
        .at(-1);
      const resolution = finished
        ? String(finished.data.summary ?? finished.data.reason)
        : (messages.at(-1)?.body ?? null);
      const team = teams.find((t) => t.id === child.team);
      return { child, resolution, ...(team ? { teamName: team.name } : {}) };
    }),
  );
}

/**
 * Parent roll-up: when a child ticket is finished and no child of its parent is still open, the parent
 * gets an internal note listing each child's number, team and resolution, and its assignee is told by
 * e-mail (through the outbox, once per roll-up). With `CHILD_TICKET_AUTO_RESOLVE_PARENT` the parent is
 * resolved as well, by the system, when its lifecycle and gates allow.
 *
 * Idempotent: the note's key is derived from the children and when each finished (`rollupKey`), and the
 * parent's history is checked for it in the same optimistic write, so a redelivered record — or the
 * last two children finishing at once — notes it once.
 */
export const parentRollup = defineReaction({
  name: 'parent-rollup',
  handles: childFinished,
  async run(record, deps) {
    const parentId = record.after.parentId!;
    const parent = await deps.tickets.get(parentId);
    if (!parent?.children.length || openChildren(parent.children).length) return;
    const outcomes = await outcomesOf(parent.children, deps);
    const policy = deps.childTickets ?? defaultChildTicketPolicy;
    const assignee = parent.assignee ? await deps.routing.agents.get(parent.assignee) : null;

    const committed = await changeTicketIf(
      parentId,
      systemActor(),
      undefined,
      deps,
      async (current, now, { history }) => {
        if (openChildren(current.children).length || !current.children.length) return null;
        const key = rollupKey(current.children);
        if (history.some((e) => e.data.rollupKey === key)) return null;
        const byId = new Map(outcomes.map((o) => [o.child.id, o]));
        const note = rollupNoteBody(
          current.children.map((c) => ({
            ...byId.get(c.id),
            child: c,
            resolution: byId.get(c.id)?.resolution ?? null,
          })),
        );
        const actor = systemActor();
        const at = now.toISOString();

        let ticket: Ticket = touch(current, now);
        const mail: CustomerMailRequest[] = [];
        const events: IntegrationEvent[] = [];
        const audit: AuditEvent[] = [];
        if (policy.autoResolveParent && findRule(current.status, 'resolved')) {
          const summary = rollupSummary(current.children, byId);
          const resolved = await autoResolve(current, now, deps, summary);
          if (resolved) {
            ticket = resolved.ticket;
            mail.push(...resolved.mail);
            events.push(...resolved.events);
            audit.push(resolved.audit(key));
          }
        }
        const message: Message = {
          id: deps.ids.next(),
          ticketId: current.id,
          body: note,
          public: false,
          author: { id: actor.id, name: actor.name!, role: 'admin' },
          channel: actor.channel,
          at,
        };
        audit.unshift(
          auditEvent(deps.ids.next(), current.id, 'noted', actor, now, ticket.version, {
            messageId: message.id,
            public: false,
            rollupKey: key,
            children: current.children.map((c) => ({
              id: c.id,
              number: c.number,
              team: c.team,
              status: c.status,
            })),
          }),
        );
        events.unshift(
          makeEvent(deps.ids.next(), 'ticket.replied', {
            ...eventBase(ticket),
            messageId: message.id,
            public: false,
            authorRole: 'admin',
          }),
        );
        const notifications: OutboxNotification[] = [];
        if (assignee?.email && assignee.id === current.assignee) {
          const done = ticket.status === 'resolved' && current.status !== 'resolved';
          notifications.push({
            key: `${key}:${current.id}:assignee`,
            who: `assignee:${assignee.id}`,
            notification: {
              channel: 'email',
              to: assignee.email,
              subject: done
                ? `[${current.number}] 子工单已全部完成，工单已自动解决 / All child tickets done, ticket resolved`
                : `[${current.number}] 子工单已全部完成 / All child tickets are done`,
              body: `${current.number} ${current.subject}\n\n${note}`,
              ticketId: current.id,
              kind: 'child.rollup',
            },
          });
        }
        return { ticket, audit, events, messages: [message], notifications, mail };
      },
    );
    if (committed) {
      deps.logger.info('child.rolled_up', {
        ticketId: parentId,
        children: committed.ticket.children.length,
        status: committed.ticket.status,
        recordId: record.id,
      });
    }
  },
});

/** The resolution summary of an auto-resolved parent: what each child came to, one line each. */
function rollupSummary(children: readonly ChildSummary[], outcomes: Map<string, ChildOutcome>): string {
  const lines = children.map((c) => {
    const what = outcomes.get(c.id)?.resolution?.replace(/\s+/g, ' ').trim().slice(0, 300);
    return `${c.number} ${c.subject}${what ? `: ${what}` : ''}`;
  });
  return ['所有子工单均已完成 / All the work on this request is done:', ...lines].join('\n').slice(0, 4000);
}

/** The parent resolved by the system, if its gates (a pending approval, say) let it. */
async function autoResolve(current: Ticket, now: Date, deps: ReactionDeps, summary: string) {
  const actor = systemActor();
  const reason = 'All child tickets are done (auto-resolve policy)';
  try {
    await checkTransitionGates({ current, to: 'resolved', actor, reason }, deps);
  } catch (error) {
    if (error instanceof DomainError) {
      deps.logger.info('child.rollup_not_resolved', { ticketId: current.id, code: error.code });
      return null;
    }
    throw error;
  }
  const moved = transition(current, 'resolved', actor, now);
  const { rule } = moved;
  // The closing report goes to the customer as for any resolve (docs/closing-report.md).
  const { ticket, mail } = withResolution(moved.ticket, summary, actor, now, deps);
  const base = eventBase(ticket);
  return {
    ticket,
    mail,
    audit: (key: string) =>
      auditEvent(deps.ids.next(), current.id, 'transitioned', actor, now, ticket.version, {
        from: current.status,
        to: ticket.status,
        action: rule.action,
        reason,
        summary,
        rollupKey: `${key}:resolved`,
      }),
    events: [
      makeEvent(deps.ids.next(), 'ticket.status_changed', {
        ...base,
        from: current.status,
        to: ticket.status,
        action: rule.action,
        reason,
      }),
      makeEvent(deps.ids.next(), 'ticket.resolved', { ...base, resolvedAt: ticket.resolvedAt! }),
    ],
  };
}
