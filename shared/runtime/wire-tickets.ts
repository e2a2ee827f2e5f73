import { dynamoAgentStore } from '../adapters/dynamo/dynamo-agent-store.ts';
import { dynamoApprovalStore } from '../adapters/dynamo/dynamo-approval-store.ts';
import {
  cachedRoutingConfigStore,
  dynamoRoutingConfigStore,
} from '../adapters/dynamo/dynamo-routing-config-store.ts';
import { cachedSlaConfigStore, dynamoSlaConfigStore } from '../adapters/dynamo/dynamo-sla-config-store.ts';
import { dynamoTicketStore } from '../adapters/dynamo/dynamo-ticket-store.ts';
import type { TicketDeps } from '../use-cases/deps.ts';
import { type EnvSource, env, readEnv } from './env.ts';
import type { Platform } from './platform.ts';

export const ticketsEnv = {
  tableName: env.tableName,
  childTicketMaxDepth: env.childTicketMaxDepth,
  childTicketAutoResolveParent: env.childTicketAutoResolveParent,
  approvalLinkBase: env.approvalLinkBase,
  feedbackLinkValidHours: env.feedbackLinkValidHours,
};

/**
 * The tickets capability: the ticket store (with its outbox), agents and the routing configuration,
 * the SLA configuration (cached per container) — all on the one table (TABLE_NAME). What every
 * function that reads or changes tickets builds on.
 */
export function wireTickets(source: EnvSource, platform: Platform): TicketDeps {
  const {
    tableName,
    childTicketMaxDepth,
    childTicketAutoResolveParent,
    approvalLinkBase,
    feedbackLinkValidHours,
  } = readEnv(ticketsEnv, source);
  const { dynamo, clock } = platform;
  const sla = cachedSlaConfigStore(dynamoSlaConfigStore(dynamo, tableName));
  return {
    tickets: dynamoTicketStore(dynamo, tableName, clock),
    routing: {
      agents: dynamoAgentStore(dynamo, tableName, clock),
      // What new tickets route by is cached per container (30 s); the admin read and changes are not.
      config: cachedRoutingConfigStore(dynamoRoutingConfigStore(dynamo, tableName)),
    },
    sla: { config: sla, store: sla },
    childTickets: { maxDepth: childTicketMaxDepth, autoResolveParent: childTicketAutoResolveParent },
    approvals: dynamoApprovalStore(dynamo, tableName),
    ...(approvalLinkBase ? { approvalLinkBase: approvalLinkBase.replace(/\/+$/, '') } : {}),
    feedbackLinkValidHours,
    clock,
    ids: platform.ids,
    logger: platform.logger,
    metrics: platform.metrics,
  };
}
