import { dynamoContactDirectory } from '../adapters/dynamo/dynamo-contact-directory.ts';
import { awsTimerWall, type TimerWall } from '../domain/sla/timer.ts';
import type { SlaTimerDeps } from '../domain/sla/timer-steps.ts';
import type { TicketDeps } from '../use-cases/deps.ts';
import { slaTimerDeps, ticketSlaSubjects } from '../use-cases/sla-actions.ts';
import type { SlaReconcileDeps } from '../use-cases/sla-timer-health.ts';
import { type EnvSource, env, readEnv } from './env.ts';
import type { Platform } from './platform.ts';

export const slaEvaluateEnv = {
  tableName: env.tableName,
  linkBase: env.slaTicketLinkBase,
  onCallEmail: env.slaOnCallEmail,
  onCallPhone: env.slaOnCallPhone,
  displayTimeZone: env.slaDisplayTimeZone,
};

/**
 * ComputeCheckpoint reads the ticket, its history and the configuration, and applies nothing. `wall`
 * maps the system clock to the Wait state's (the local runtime's virtual clock; identity in AWS).
 */
export function wireSlaCheckpoint(
  deps: Pick<TicketDeps, 'tickets' | 'sla' | 'clock' | 'logger'>,
  wall: TimerWall = awsTimerWall,
): SlaTimerDeps {
  return {
    subjects: ticketSlaSubjects(deps),
    config: deps.sla.config,
    actions: { apply: () => Promise.reject(new Error('ComputeCheckpoint applies no actions')) },
    clock: deps.clock,
    logger: deps.logger,
    ...wall,
  };
}

/**
 * The SLA timer's EvaluateCheckpoint: its actions change the ticket through the one write path, with
 * the messages they call for rendered for the people they go to (the contact directory on the table,
 * SLA_ON_CALL_* for a fixed on-call line, links under SLA_TICKET_LINK_BASE, times shown in
 * SLA_DISPLAY_TIME_ZONE). Sending them is the dispatcher's.
 */
export function wireSlaEvaluate(
  source: EnvSource,
  platform: Platform,
  deps: TicketDeps,
  wall: TimerWall = awsTimerWall,
  contactsTtlMs?: number,
): SlaTimerDeps {
  const c = readEnv(slaEvaluateEnv, source);
  const onCall =
    c.onCallEmail || c.onCallPhone
      ? {
          name: 'On call',
          ...(c.onCallEmail ? { email: c.onCallEmail } : {}),
          ...(c.onCallPhone ? { phone: c.onCallPhone } : {}),
          locale: 'zh' as const,
        }
      : null;
  return slaTimerDeps(
    {
      ...deps,
      contacts: dynamoContactDirectory(platform.dynamo, c.tableName, {
        onCall,
        ...(contactsTtlMs !== undefined ? { ttlMs: contactsTtlMs } : {}),
      }),
      ticketLink: (ticket) => `${c.linkBase.replace(/\/+$/, '')}/${ticket.id}`,
      ...(c.displayTimeZone ? { displayTimeZone: c.displayTimeZone } : {}),
    },
    wall,
  );
}

export const slaReconcileEnv = { tableName: env.tableName, slaTimerArn: env.slaTimerArn };

/**
 * The SLA timer reconciler (`functions/sla-reconcile`): the tickets, the timer's running executions
 * (SLA_TIMER_ARN) and ComputeCheckpoint's view, to tell a missing timer from one with nothing left.
 */
export function wireSlaReconcile(
  source: EnvSource,
  platform: Platform,
  deps: TicketDeps,
  wall: TimerWall = awsTimerWall,
): SlaReconcileDeps {
  const c = readEnv(slaReconcileEnv, source);
  return { ...deps, timers: platform.stateMachine(c.slaTimerArn), checkpoint: wireSlaCheckpoint(deps, wall) };
}
