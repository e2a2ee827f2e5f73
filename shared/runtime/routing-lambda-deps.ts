import type { TicketDeps } from '../use-cases/deps.ts';
import { ticketLambdaDeps } from './ticket-lambda-deps.ts';

/**
 * The routing maintenance Lambda's dependencies (`functions/routing-sweep`), from the environment the
 * `RoutingMaintenance` construct sets: the table (agents, tickets, routing and SLA configuration), the
 * bus (`ticket.assigned` for each sweep assignment) and the SLA timer, which an assignment may restart.
 * Without the API's token verifier, which it would only carry as weight.
 */
export function routingMaintenanceLambdaDeps(): TicketDeps {
  return ticketLambdaDeps();
}
