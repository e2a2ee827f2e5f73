import type { ApprovalStore } from '../domain/approval/approval.store.ts';
import type { Clock, IdGenerator, Logger, Metrics } from '../domain/ports.ts';
import type { AgentStore } from '../domain/routing/agent.store.ts';
import type { RoutingConfigStore } from '../domain/routing/routing-config.store.ts';
import type { SlaConfigStore } from '../domain/sla/sla-config.ts';
import type { SlaConfig } from '../domain/sla/timer-steps.ts';
import type { ChildTicketPolicy } from '../domain/ticket/child-tickets.ts';
import type { TicketStore } from '../domain/ticket/ticket.store.ts';

/** What the ticket use cases need from the outside world; every function that changes tickets has all of it. */
export interface TicketDeps {
  tickets: TicketStore;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  metrics: Metrics;
  /** SLA policies and calendars: every change keeps `ticket.sla` right and plans its timer. */
  sla: SlaServices;
  /**
   * Agents and the routing configuration: a new ticket is routed as it is created. With no
   * configuration stored, routing is off and tickets stay unrouted until one is.
   */
  routing: RoutingServices;
  /** How child tickets nest and roll up (`defaultChildTicketPolicy` when absent). */
  childTickets?: ChildTicketPolicy;
  /** Approvals and their policy: the approval gate asks them before a ticket resolves. */
  approvals: ApprovalStore;
  /** The API's URL, under which approvers' e-mailed one-time links decide; without it, no links. */
  approvalLinkBase?: string;
  /** How long a closing report's rating link works (docs/closing-report.md); 720 hours when absent. */
  feedbackLinkValidHours?: number;
}

export interface SlaServices {
  /** What the clock computes with (cached in functions). */
  config: SlaConfig;
  /** Where `GET/PUT /config/{sla,calendars}` read and write. */
  store: SlaConfigStore;
}

export interface RoutingServices {
  agents: AgentStore;
  config: RoutingConfigStore;
}
