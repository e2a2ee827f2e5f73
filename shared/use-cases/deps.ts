import type { Clock, IdGenerator, Logger } from '../domain/ports.ts';
import type { TicketStore } from '../domain/ticket/ticket.store.ts';
import type { EventPublisher } from '../events/catalogue.ts';

/** What the ticket use cases need from the outside world. */
export interface TicketDeps {
  tickets: TicketStore;
  events: EventPublisher;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
}
