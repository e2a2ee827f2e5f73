import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { type EnvSource, observabilityEnv, readEnv } from '../env.ts';

export interface AwsObservability {
  logger: Logger;
  metrics: Metrics;
  tracer: Tracer;
}

let made: AwsObservability | undefined;

/**
 * Powertools Logger, Metrics and Tracer for this container, configured from POWERTOOLS_SERVICE_NAME,
 * POWERTOOLS_LOG_LEVEL (and POWERTOOLS_LOGGER_SAMPLE_RATE, which the Logger reads itself) and
 * POWERTOOLS_METRICS_NAMESPACE. One set per process, whatever composes it.
 */
export function awsObservability(source: EnvSource = process.env): AwsObservability {
  if (made) return made;
  const config = readEnv(observabilityEnv, source);
  made = {
    tracer: new Tracer({ serviceName: config.serviceName }),
    logger: new Logger({
      serviceName: config.serviceName,
      ...(config.logLevel ? { logLevel: config.logLevel as never } : {}),
    }),
    metrics: new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName }),
  };
  return made;
}
