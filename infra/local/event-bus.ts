import { randomUUID } from 'node:crypto';
import { type EventPattern, matchesPattern } from '#shared/domain/events/event-pattern.ts';
import type { Logger } from '#shared/domain/ports.ts';
import { type EventPublisher, eventSource, type IntegrationEvent } from '#shared/events/catalogue.ts';
import type { VirtualClock } from './virtual-clock.ts';

/** An event as EventBridge delivers it to a rule's target. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** A rule of the in-process bus: the same pattern as the stack's EventBridge rule, a local target. */
export interface LocalRule {
  name: string;
  pattern: EventPattern;
  target(event: BusEvent): Promise<void>;
}

/** What `GET /dev/events` shows of each published event. */
export interface RecordedEvent {
  id: string;
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  time: string;
}

export interface LocalEventBus extends EventPublisher {
  /** The most recent events, oldest first. */
  recent(): RecordedEvent[];
  /** Adds a rule; returns a function that removes it. */
  subscribe(rule: LocalRule): () => void;
  /**
   * Puts events from another source (`PutEvents` by an external system, e.g. `ticket.create.requested`
   * from `erp.orders`): recorded and delivered to matching rules like our own. Returns their ids.
   */
  putEvents(
    entries: readonly { source: string; detailType: string; detail: Record<string, unknown>; id?: string }[],
  ): string[];
  /** Resolves when every delivery started so far has finished. */
  idle(): Promise<void>;
}

/**
 * The in-process stand-in for the EventBridge bus. Publishing returns once events are recorded;
 * deliveries to matching rules run afterwards, as with EventBridge, and a failing target is logged,
 * never surfaced to the publisher.
 */
export function localEventBus(options: {
  clock: VirtualClock;
  logger: Logger;
  rules?: readonly LocalRule[];
  /** How many events `recent()` keeps. */
  keep?: number;
}): LocalEventBus {
  const keep = options.keep ?? 1000;
  const rules = new Set<LocalRule>(options.rules ?? []);
  const recorded: RecordedEvent[] = [];
  const inFlight = new Set<Promise<void>>();

  const deliver = (rule: LocalRule, event: BusEvent) => {
    // Started on a later tick, so the publisher never waits for (or sees) a target.
    const delivery: Promise<void> = Promise.resolve()
      .then(() => rule.target(event))
      .catch((error: unknown) => {
        options.logger.error('bus.delivery_failed', {
          rule: rule.name,
          eventId: event.id,
          detailType: event['detail-type'],
          error: error instanceof Error ? error.message : String(error),
        });
      })
      .finally(() => inFlight.delete(delivery));
    inFlight.add(delivery);
  };

  const ruleMatches = (rule: LocalRule, event: BusEvent) => {
    try {
      return matchesPattern(rule.pattern, event);
    } catch (error) {
      // A malformed pattern is the rule's fault: it must not fail the publisher (EventBridge rejects it at put-rule).
      options.logger.error('bus.invalid_pattern', {
        rule: rule.name,
        error: error instanceof Error ? error.message : String(error),
      });
      return false;
    }
  };

  return {
    async publish(events: IntegrationEvent[]) {
      for (const e of events) {
        // The same detail the EventBridge publisher sends: the catalogue detail plus the event id.
        const detail = { ...e.detail, eventId: e.id } as Record<string, unknown>;
        const time = options.clock.now().toISOString();
        const busEvent: BusEvent = {
          version: '0',
          id: e.id,
          'detail-type': e.name,
          source: eventSource,
          account: '000000000000',
          time,
          region: 'local',
          resources: [],
          detail,
        };
        recorded.push({ id: e.id, source: eventSource, detailType: e.name, detail, time });
        if (recorded.length > keep) recorded.splice(0, recorded.length - keep);
        for (const rule of rules) {
          if (ruleMatches(rule, busEvent)) deliver(rule, busEvent);
        }
      }
    },
    putEvents(entries) {
      return entries.map((entry) => {
        const time = options.clock.now().toISOString();
        const id = entry.id ?? randomUUID();
        const busEvent: BusEvent = {
          version: '0',
          id,
          'detail-type': entry.detailType,
          source: entry.source,
          account: '000000000000',
          time,
          region: 'local',
          resources: [],
          detail: entry.detail,
        };
        recorded.push({ id, source: entry.source, detailType: entry.detailType, detail: entry.detail, time });
        if (recorded.length > keep) recorded.splice(0, recorded.length - keep);
        for (const rule of rules) {
          if (ruleMatches(rule, busEvent)) deliver(rule, busEvent);
        }
        return id;
      });
    },
    recent: () => [...recorded],
    subscribe(rule) {
      rules.add(rule);
      return () => rules.delete(rule);
    },
    async idle() {
      // Deliveries may publish in turn: wait until none is left.
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
  };
}
