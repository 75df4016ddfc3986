import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { powertools, withPowertools } from '../../functions/powertools.ts';

/**
 * Every Lambda handler is a middy handler composed with Powertools' logger context, metrics flush and
 * tracer (functions/powertools.ts): a handler exported bare would log without request id and cold
 * start and flush no metrics on failure.
 */
const FUNCTIONS_DIR = join(import.meta.dirname, '../../functions');
const handlers = readdirSync(FUNCTIONS_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

beforeAll(() => {
  const arn = (name: string) => `arn:aws:sns:us-east-1:123456789012:${name}`;
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AGGREGATES_TABLE: 'Aggregates',
    MANIFEST_TABLE: 'Manifest',
    CUSTOMERS_TABLE: 'Customers',
    CASES_TABLE: 'Cases',
    TRACEBACKS_TABLE: 'Tracebacks',
    AUDIT_TABLE: 'Audit',
    IDEMPOTENCY_TABLE: 'Idempotency',
    DOSSIERS_TABLE: 'Dossiers',
    REVIEW_TOKENS_TABLE: 'ReviewTokens',
    EXECUTIVE_ROLE_NAMES: 'Traceguard-ExecutiveReviewer',
    INGEST_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/Ingest',
    TRACEBACK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/Traceback',
    CDR_BUCKET: 'cdr',
    REFERENCE_BUCKET: 'reference',
    EVENTS_TOPIC_ARN: arn('Events'),
    ONCALL_TOPIC_ARN: arn('OnCall'),
    ENFORCEMENT_TOPIC_ARN: arn('Events'),
    STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:Escalation',
    ONBOARDING_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:Onboarding',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
});

describe('Lambda handlers', () => {
  it('are the twelve of the stack', () => {
    expect(handlers.sort()).toEqual(
      [
        'case-step',
        'decide',
        'ingest',
        'notify-oncall',
        'onboarding-step',
        'reconcile-batches',
        'review-days',
        'start-case',
        'traceback-deadline',
        'traceback-request',
        'track-record-review',
        'write-audit',
      ].sort(),
    );
  });

  it.each(handlers)('%s is a middy handler composed by withPowertools', async (name) => {
    const { handler } = await import(join(FUNCTIONS_DIR, name, 'handler.ts'));
    expect(typeof handler.use, `${name} is not composed with middy`).toBe('function');
    const source = readFileSync(join(FUNCTIONS_DIR, name, 'handler.ts'), 'utf8');
    expect(source).toMatch(/export const handler = withPowertools\(/);
  });
});

describe('withPowertools', () => {
  const context = {
    awsRequestId: 'req-1',
    functionName: 'fn',
    getRemainingTimeInMillis: () => 1000,
  } as Context;

  it('adds the Lambda context to the logger and flushes metrics, also when the handler throws', async () => {
    const tools = powertools();
    const addContext = vi.spyOn(tools.logger, 'addContext');
    const flush = vi.spyOn(tools.metrics, 'publishStoredMetrics').mockImplementation(() => tools.metrics);
    const failing = withPowertools(async () => {
      throw new Error('boom');
    }, tools);

    await expect(failing({}, context)).rejects.toThrow('boom');
    expect(addContext).toHaveBeenCalledWith(context);
    expect(flush).toHaveBeenCalledTimes(1);
  });

  it('passes the result and keeps the error name the state machine matches on', async () => {
    const tools = powertools();
    vi.spyOn(tools.metrics, 'publishStoredMetrics').mockImplementation(() => tools.metrics);
    expect(await withPowertools(async (event: { n: number }) => event.n + 1, tools)({ n: 1 }, context)).toBe(
      2,
    );
    const refused = Object.assign(new Error('same person'), { name: 'DecisionRefused' });
    const failing = withPowertools(async () => {
      throw refused;
    }, tools);
    await expect(failing({}, context)).rejects.toMatchObject({ name: 'DecisionRefused' });
  });
});
