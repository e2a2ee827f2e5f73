import type { ChannelTicketDeps } from '#shared/channels/deps.ts';
import { acceptIntakeEvent, intakeEventPattern } from '#shared/channels/event-intake.ts';
import type { EventPattern } from '#shared/domain/events/event-pattern.ts';
import type { LocalRule } from './event-bus.ts';

/**
 * The channels' bus rules, as the stack's EventBridge rules have them (same patterns, imported from
 * the same definitions), with local targets calling the same code the Lambdas run: events from other
 * systems asking to open or change tickets. (Customer mail follows ticket changes through the outbox.)
 */
export function channelRules(deps: ChannelTicketDeps): LocalRule[] {
  return [
    {
      name: 'intake-events',
      pattern: intakeEventPattern as unknown as EventPattern,
      target: (event) => acceptIntakeEvent(event, deps),
    },
  ];
}
