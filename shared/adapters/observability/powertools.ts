import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { Logger, Metrics } from '../../domain/ports.ts';

const correlation = new AsyncLocalStorage<string>();

/**
 * Runs `work` with a correlation id (an API request id, an event id, an outbox record id) that every
 * log line written inside it carries as `correlation_id` — also when many requests share a process,
 * as in the local runtime.
 */
export function withCorrelationId<T>(id: string | undefined, work: () => T): T {
  return id ? correlation.run(id, work) : work();
}

export const currentCorrelationId = () => correlation.getStore();

/** The Logger port over Powertools Logger: its JSON lines (service, level, cold start, X-Ray id) plus ours. */
export function powertoolsLogger(logger: PowertoolsLogger): Logger {
  const extra = (fields?: Record<string, unknown>) => {
    const id = correlation.getStore();
    return id ? { correlation_id: id, ...fields } : { ...fields };
  };
  return {
    info: (message, fields) => logger.info(message, extra(fields)),
    warn: (message, fields) => logger.warn(message, extra(fields)),
    error: (message, fields) => logger.error(message, extra(fields)),
  };
}

/**
 * The Metrics port over Powertools Metrics (CloudWatch embedded metric format): each count is written
 * at once as its own EMF line with its dimensions, so nothing waits for a flush.
 */
export function powertoolsMetrics(metrics: PowertoolsMetrics): Metrics {
  return {
    count(name, value = 1, dimensions = {}) {
      const single = metrics.singleMetric();
      for (const [key, v] of Object.entries(dimensions)) single.addDimension(key, v);
      single.addMetric(name, MetricUnit.Count, value);
    },
  };
}
