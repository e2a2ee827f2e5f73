import { dynamoContactDirectory } from '../adapters/dynamo/dynamo-contact-directory.ts';
import { dynamoInsightStore } from '../adapters/dynamo/dynamo-insight-store.ts';
import type { InsightStore } from '../domain/analytics/insights.ts';
import type { ReportEngine } from '../domain/analytics/lake-records.ts';
import type { TicketDeps } from '../use-cases/deps.ts';
import type { InsightJobDeps } from '../use-cases/insights.ts';
import { type EnvSource, env, readEnv } from './env.ts';
import type { Platform } from './platform.ts';

export const insightStoreEnv = { tableName: env.tableName };

/** Insights, forecasts and the analytics configuration in the ticket table (`INSIGHT`, `FORECAST`, `CONFIG`/`analytics`). */
export function wireInsightStore(source: EnvSource, platform: Platform): InsightStore {
  const c = readEnv(insightStoreEnv, source);
  return dynamoInsightStore(platform.dynamo, c.tableName, platform.clock);
}

/**
 * What the insight jobs read: the table (insights, tickets' subjects, the contact directory, the routing
 * configuration's supervisors), the bus (EVENT_BUS_NAME) for `insight.spike_detected`, e-mail from
 * SLA_NOTIFY_FROM and chat as the SLA messages go, links to the console beside SLA_TICKET_LINK_BASE.
 */
export const insightJobsEnv = {
  tableName: env.tableName,
  eventBusName: env.eventBusName,
  slaNotifyFrom: env.slaNotifyFrom,
  slaTicketLinkBase: env.slaTicketLinkBase,
};

export function wireInsightJobs(
  source: EnvSource,
  platform: Platform,
  deps: Pick<TicketDeps, 'tickets' | 'routing' | 'clock' | 'logger'>,
  engine: ReportEngine,
): InsightJobDeps {
  const c = readEnv(insightJobsEnv, source);
  return {
    engine,
    insights: dynamoInsightStore(platform.dynamo, c.tableName, platform.clock),
    clock: deps.clock,
    logger: deps.logger,
    tickets: deps.tickets,
    events: platform.eventBus(c.eventBusName),
    email: platform.email(c.slaNotifyFrom),
    chat: platform.chat(),
    contacts: dynamoContactDirectory(platform.dynamo, c.tableName),
    routing: deps.routing.config,
    consoleLink: c.slaTicketLinkBase.replace(/\/+$/, '').replace(/\/tickets$/, ''),
  };
}
