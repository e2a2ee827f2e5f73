import { systemActor } from '../domain/actor.ts';
import { type AuditEvent, auditEvent } from '../domain/audit/audit-event.ts';
import { isNotFound } from '../domain/errors.ts';
import type { ContactDirectory } from '../domain/sla/contacts.ts';
import { renderSlaMessage } from '../domain/sla/notification-templates.ts';
import { slaPriorities } from '../domain/sla/policy.ts';
import type { ResolvedRecipient, SlaAction, SlaSnapshot } from '../domain/sla/sla-clock.ts';
import { slaEventNames } from '../domain/sla/sla-events.ts';
import { sentKeysOf, slaKeyField, slaTicketOf, timelineOf } from '../domain/sla/ticket-mapping.ts';
import type { TimerWall } from '../domain/sla/timer.ts';
import type { SlaActionSink, SlaSubjects, SlaTimerDeps } from '../domain/sla/timer-steps.ts';
import { type Ticket, touch } from '../domain/ticket/ticket.entity.ts';
import type { OutboxNotification } from '../domain/ticket/ticket-change.ts';
import { type IntegrationEvent, makeEvent } from '../events/catalogue.ts';
import { changeTicketIf, eventBase } from './change-ticket.ts';
import type { TicketDeps } from './deps.ts';
import { deliveriesFor } from './sla-recipients.ts';

/** The timer's view of real tickets: the ticket, its history as the SLA timeline and as the sent-key ledger. */
export function ticketSlaSubjects(deps: Pick<TicketDeps, 'tickets'>): SlaSubjects {
  return {
    async load(ticketId) {
      const [ticket, history] = await Promise.all([
        deps.tickets.get(ticketId),
        deps.tickets.history(ticketId),
      ]);
      if (!ticket) return null;
      return {
        ticket: slaTicketOf(ticket),
        timeline: timelineOf(history),
        timerVersion: ticket.sla.timerVersion ?? null,
        sent: sentKeysOf(history),
      };
    },
  };
}

export interface SlaSinkDeps extends TicketDeps {
  contacts: ContactDirectory;
  /** Where a message's link points for a ticket. */
  ticketLink(ticket: Ticket): string;
  /** The zone due times are shown in when the policy's calendar is plain UTC (24×7). @default Asia/Shanghai */
  displayTimeZone?: string;
}

const rank = (p: string) => slaPriorities.indexOf(p as (typeof slaPriorities)[number]);

const describeRecipient = (r: ResolvedRecipient) =>
  'address' in r ? `${r.channel}:address` : `${r.channel}:${r.role}`;

/**
 * What one action writes: its audit event (carrying the action key, the ledger entry) and its
 * integration event; a raise or reassignment also changes the ticket.
 */
function record(
  action: SlaAction,
  ticket: Ticket,
  policy: string,
  deps: Pick<TicketDeps, 'ids'>,
  now: Date,
): { ticket: Ticket; audit: AuditEvent; event?: IntegrationEvent } {
  const actor = systemActor();
  const common = {
    [slaKeyField]: action.key,
    policy,
    target: action.target,
    cycle: action.cycle,
    dueAt: action.dueAt,
  };
  const audit = (type: AuditEvent['type'], data: Record<string, unknown>) =>
    auditEvent(deps.ids.next(), ticket.id, type, actor, now, ticket.version, { ...common, ...data });
  const event = <N extends 'sla.warning' | 'sla.breached' | 'sla.escalated'>(
    name: N,
    fields: Record<string, unknown>,
  ) =>
    makeEvent(deps.ids.next(), name, {
      ...eventBase(ticket),
      key: action.key,
      policy,
      target: action.target,
      cycle: action.cycle,
      dueAt: action.dueAt,
      ...fields,
    } as never);

  switch (action.kind) {
    case 'warning':
      return {
        ticket,
        audit: audit('sla.warning', {
          event: slaEventNames.warning,
          percent: action.percent,
          remainingMinutes: action.remainingMinutes,
          recipients: action.recipients.map(describeRecipient),
        }),
        event: event('sla.warning', { percent: action.percent, remainingMinutes: action.remainingMinutes }),
      };
    case 'breach':
      return {
        ticket,
        audit: audit('sla.breached', { event: slaEventNames.breach }),
        event: event('sla.breached', {}),
      };
    case 'escalation':
      return {
        ticket,
        audit: audit('escalated', {
          event: slaEventNames.escalation,
          level: action.level,
          overdueMinutes: action.overdueMinutes,
          recipients: action.recipients.map(describeRecipient),
        }),
        event: event('sla.escalated', {
          level: action.level,
          overdueMinutes: action.overdueMinutes,
          team: ticket.team,
          assignee: ticket.assignee,
        }),
      };
    case 'raise_priority': {
      // Never lowers: another change may have raised it further since the clock looked.
      const raised = rank(action.to) > rank(ticket.priority);
      const next = raised ? { ...ticket, priority: action.to } : ticket;
      return {
        ticket: next,
        audit: audit('updated', {
          field: 'priority',
          from: ticket.priority,
          to: next.priority,
          level: action.level,
          reason: `SLA escalation level ${action.level}`,
        }),
      };
    }
    case 'reassign': {
      const next = { ...ticket, team: action.team, assignee: action.assignee };
      const reason = `SLA escalation level ${action.level}`;
      return {
        ticket: next,
        audit: audit(action.team !== ticket.team ? 'transferred' : 'assigned', {
          from: { team: ticket.team, assignee: ticket.assignee },
          to: { team: action.team, assignee: action.assignee },
          level: action.level,
          reason,
        }),
        event: makeEvent(deps.ids.next(), 'ticket.assigned', {
          ...eventBase(next),
          team: next.team,
          assignee: next.assignee,
          reason,
        }),
      };
    }
  }
}

const counted = { warning: 'SlaWarnings', breach: 'SlaBreaches', escalation: 'SlaEscalations' } as const;

/**
 * Carries out the SLA timer's actions on the ticket (the `SlaActionSink` of both task Lambdas and the
 * local runtime), through the one write path like any other change.
 *
 * 1. Drop the actions whose key the ticket's history already holds (another evaluation applied them).
 * 2. Write one audit event per action (`sla.warning`, `sla.breached`, `escalated`, and `updated` /
 *    `assigned` / `transferred` for raises and reassignments) with the ticket's new `sla`; on a lost race,
 *    start again from 1 — so each key is applied exactly once.
 * 3. With it, the record of what follows: `sla.warning` / `sla.breached` / `sla.escalated` (and
 *    `ticket.assigned`) to publish, and each warning and escalation rendered for its recipients, in
 *    their language, to send; a reassignment's agent capacity is settled like any reassignment's.
 */
export function ticketSlaSink(deps: SlaSinkDeps): SlaActionSink {
  return {
    async apply(ticketId, actions, context) {
      let applied: readonly SlaAction[] = [];
      const committed = await changeTicketIf(
        ticketId,
        systemActor(),
        undefined,
        deps,
        async (current, now, { history }) => {
          const sent = new Set(sentKeysOf(history));
          const todo = actions.filter((a) => !sent.has(a.key));
          if (todo.length === 0) return null;
          let next = touch(current, now);
          const audit: AuditEvent[] = [];
          const events: IntegrationEvent[] = [];
          for (const action of todo) {
            const done = record(action, next, context.snapshot.policy, deps, now);
            next = done.ticket;
            audit.push(done.audit);
            if (done.event) events.push(done.event);
          }
          applied = todo;
          const notifications = await notificationsFor(next, todo, context.snapshot, deps);
          return { ticket: next, audit, events, notifications };
        },
        { fromTimer: true },
      ).catch((error: unknown) => {
        // The ticket is gone: nothing to apply (the timer ends at its next load).
        if (isNotFound(error)) return null;
        throw error;
      });
      if (!committed) return { reload: false };
      for (const action of applied) {
        if (action.kind in counted) deps.metrics.count(counted[action.kind as keyof typeof counted]);
      }
      return { reload: committed.sla.reload };
    },
  };
}

/** Each warning and escalation as messages to its recipients, in their language, keyed for sending once. */
async function notificationsFor(
  ticket: Ticket,
  actions: readonly SlaAction[],
  snapshot: SlaSnapshot,
  deps: SlaSinkDeps,
): Promise<OutboxNotification[]> {
  const timeZone = await calendarZone(snapshot.calendar, deps);
  const out: OutboxNotification[] = [];
  for (const action of actions) {
    if (action.kind !== 'warning' && action.kind !== 'escalation') continue;
    const { deliveries, unreachable } = await deliveriesFor(action.recipients, deps.contacts);
    if (unreachable.length > 0) {
      deps.logger.warn('sla.recipient_unreachable', { ticketId: ticket.id, key: action.key, unreachable });
    }
    const kind = action.kind === 'warning' ? 'sla.warning' : 'sla.escalation';
    const context = {
      kind: action.kind,
      ticket,
      target: action.target,
      dueAt: action.dueAt,
      minutes: action.kind === 'warning' ? action.remainingMinutes : action.overdueMinutes,
      ...(action.kind === 'warning' ? { percent: action.percent } : { level: action.level }),
      link: deps.ticketLink(ticket),
      timeZone,
    };
    deliveries.forEach((delivery, i) => {
      const message = renderSlaMessage(context, delivery.locale, delivery.channel);
      out.push({
        key: `sla:${ticket.id}:${action.key}:${i}`,
        who: delivery.who,
        notification: {
          channel: delivery.channel,
          to: delivery.to,
          subject: message.subject,
          body: message.body,
          ticketId: ticket.id,
          kind,
        },
      });
    });
  }
  return out;
}

async function calendarZone(calendarId: string, deps: SlaSinkDeps) {
  const { calendars } = await deps.sla.config.load();
  const zone = calendars.find((c) => c.id === calendarId)?.timeZone;
  return zone && zone !== 'UTC' ? zone : (deps.displayTimeZone ?? 'Asia/Shanghai');
}

/**
 * The dependencies of the timer's two task steps over real tickets: the subjects and the sink above,
 * the configured policies. The deployed Lambdas, the local runtime and the bench build them here.
 */
export function slaTimerDeps(deps: SlaSinkDeps, wall: TimerWall = {}): SlaTimerDeps {
  return {
    subjects: ticketSlaSubjects(deps),
    config: deps.sla.config,
    actions: ticketSlaSink(deps),
    clock: deps.clock,
    logger: deps.logger,
    ...wall,
  };
}
