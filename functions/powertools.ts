import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

/**
 * Powertools for one function: the logger, metrics and tracer its handler uses. Service name and
 * metrics namespace come from POWERTOOLS_SERVICE_NAME and POWERTOOLS_METRICS_NAMESPACE (set by the
 * infrastructure on every function).
 */
export interface Powertools {
  logger: Logger;
  metrics: Metrics;
  tracer: Tracer;
}

export function powertools(): Powertools {
  return {
    logger: new Logger(),
    metrics: new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Traceguard' }),
    tracer: new Tracer(),
  };
}

/**
 * Every Traceguard handler composed the same way with middy: each log line carries the request id and
 * cold start, metrics are flushed after every invocation (thrown errors included), and the whole
 * invocation is one traced segment. Responses are not added to the trace: some (case evidence,
 * traceback answers) hold phone numbers.
 */
export function withPowertools<TEvent, TResult>(
  handler: (event: TEvent, context: Context) => Promise<TResult>,
  { logger, metrics, tracer }: Powertools,
) {
  return middy(handler)
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(captureLambdaHandler(tracer, { captureResponse: false }));
}
