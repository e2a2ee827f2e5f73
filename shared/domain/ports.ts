/** Ports the use cases need; adapters in `shared/adapters` implement them with AWS SDK clients. */

export interface Clock {
  /** Now, on the system's clock (virtual and scaled in the local runtime, real in AWS). */
  now(): Date;
}

export interface IdGenerator {
  /** A new unique, time-sortable id. */
  next(): string;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` to every line (a request's correlation id); without, this one is used. */
  child?(fields: Record<string, unknown>): Logger;
}

/** `logger` with `fields` on every line, where the logger can; itself otherwise. */
export const loggerWith = (logger: Logger, fields: Record<string, unknown>): Logger =>
  logger.child ? logger.child(fields) : logger;

/** The business figures Gongdan counts (CloudWatch EMF in AWS, the same lines locally). */
export const metricNames = [
  'TicketsCreated',
  'TicketsRouted',
  'TicketsQueued',
  'SlaWarnings',
  'SlaBreaches',
  'SlaEscalations',
  'NotificationsSent',
  'NotificationsFailed',
  'ReactionRetries',
  'ReactionsDeadLettered',
  /** A record the dispatcher could not dispatch or write back (the store failed): retried, but counted. */
  'DispatchFailures',
  /** SLA timers the reconciler started again (missing or gave up). */
  'SlaTimersRestored',
  /** SLA timers that gave up after repeated failed steps. */
  'SlaTimersDegraded',
  /** Outbound webhooks (docs/integrations.md): answered 2xx, attempts that failed, dead letters, breakers opened. */
  'WebhookDeliveries',
  'WebhookDeliveryFailures',
  'WebhookDeliveriesDeadLettered',
  'WebhookCircuitsOpened',
] as const;
export type MetricName = (typeof metricNames)[number];

export interface Metrics {
  /** Adds `value` (default 1) to a count, optionally per dimension values (e.g. `{ channel: 'email' }`). */
  count(name: MetricName, value?: number, dimensions?: Record<string, string>): void;
}

/** Metrics that go nowhere (tests, tools). */
export const noMetrics: Metrics = { count() {} };

/** A logger that drops everything (tests, benches, tools). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
