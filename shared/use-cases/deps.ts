import type { Clock, IdGenerator, Logger } from '../domain/ports.ts';
import type { AgentStore } from '../domain/routing/agent.store.ts';
import type { RoutingConfigStore } from '../domain/routing/routing-config.store.ts';
import type { TicketStore } from '../domain/ticket/ticket.store.ts';
import type { EventPublisher } from '../events/catalogue.ts';
import type { TicketSlaDeps } from './ticket-sla.ts';

/** What the ticket use cases need from the outside world. */
export interface TicketDeps {
  tickets: TicketStore;
  events: EventPublisher;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  /** SLA policies, calendars and the timer: with them every change keeps `ticket.sla` and its timer right. */
  sla?: TicketSlaDeps;
  /**
   * Agents and the routing configuration: with them a new ticket is routed as it is created and agents'
   * load follows their tickets; without them (tools, tests of other features) tickets stay unrouted.
   */
  routing?: RoutingServices;
}

export interface RoutingServices {
  agents: AgentStore;
  config: RoutingConfigStore;
}
