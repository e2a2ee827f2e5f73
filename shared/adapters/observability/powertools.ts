import type { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { Logger, Metrics } from '../../domain/ports.ts';

/**
 * The Logger port over Powertools Logger: its JSON lines (service, level, cold start, X-Ray id) plus
 * ours. `child` adds fields (a request's `correlation_id`) to every line of the logger it returns, so
 * requests that share a process (the local runtime, a stream batch's records) keep theirs apart.
 */
export function powertoolsLogger(logger: PowertoolsLogger, base: Record<string, unknown> = {}): Logger {
  const extra = (fields?: Record<string, unknown>) => ({ ...base, ...fields });
  return {
    info: (message, fields) => logger.info(message, extra(fields)),
    warn: (message, fields) => logger.warn(message, extra(fields)),
    error: (message, fields) => logger.error(message, extra(fields)),
    child: (fields) => powertoolsLogger(logger, { ...base, ...fields }),
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
