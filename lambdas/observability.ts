import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { METRIC_NAMESPACE, type MetricName } from '../lib/core/metric-names.js';
import type { LogFields, Logger, MetricDimensions, Metrics } from '../lib/ports.js';
import { clipFields } from '../lib/services/logger.js';

/**
 * Logs and metrics on AWS through Powertools for AWS Lambda, behind secrel's own Logger and
 * Metrics ports (local mode keeps its own logger and counts nothing). Every line is JSON with
 * the cold start, the request id and the delivery key or release id as correlation ids; string
 * fields are clipped exactly as the local logger clips them.
 */

/** The ids that tie one invocation's lines together. */
export interface Correlation {
  /** The GitLab delivery being ingested (webhook function). */
  readonly deliveryKey?: string;
  /** The release a step or gate belongs to (actions and gate functions). */
  readonly releaseId?: string;
}

/** A function's logger and metrics, and the wrapper that scopes them to one invocation. */
export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Runs one invocation with the Lambda context and correlation ids on every line; flushes metrics after. */
  invoke<R>(context: Context | undefined, correlation: Correlation, run: () => Promise<R>): Promise<R>;
}

/** Builds the observability of one function, named like its entry point (`webhook`, `gate`, `actions`). */
export function createObservability(functionName: string): Observability {
  const powertools = new PowertoolsLogger({
    serviceName: 'secrel',
    persistentKeys: { function: functionName },
  });
  const emf = new PowertoolsMetrics({ namespace: METRIC_NAMESPACE, serviceName: 'secrel' });
  const logger: Logger = {
    info: (message: string, fields?: LogFields) => powertools.info(message, clipFields(fields)),
    warn: (message: string, fields?: LogFields) => powertools.warn(message, clipFields(fields)),
    error: (message: string, fields?: LogFields) => powertools.error(message, clipFields(fields)),
  };
  const metrics: Metrics = {
    count: (name: MetricName, value = 1, dimensions: MetricDimensions = {}) => {
      if (Object.keys(dimensions).length === 0) {
        emf.addMetric(name, MetricUnit.Count, value);
        return;
      }
      // A metric with its own dimensions is written on its own line, at once.
      const single = emf.singleMetric();
      for (const [dimension, dimensionValue] of Object.entries(dimensions)) {
        single.addDimension(dimension, dimensionValue);
      }
      single.addMetric(name, MetricUnit.Count, value);
    },
    level: (name: MetricName, value: number) => {
      emf.singleMetric().addMetric(name, MetricUnit.Count, value);
    },
  };
  return {
    logger,
    metrics,
    invoke: async (context, correlation, run) => {
      if (context) powertools.addContext(context);
      const ids = clipFields({ deliveryKey: correlation.deliveryKey, releaseId: correlation.releaseId });
      powertools.appendKeys(ids);
      const id = correlation.deliveryKey ?? correlation.releaseId;
      if (id) powertools.setCorrelationId(clipFields({ id }).id);
      try {
        return await run();
      } finally {
        if (emf.hasStoredMetrics()) emf.publishStoredMetrics();
        powertools.resetKeys();
      }
    },
  };
}
