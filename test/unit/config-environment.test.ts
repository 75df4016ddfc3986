import { describe, expect, it } from 'vitest';
import { readReconcileConfig } from '../../shared/aws/reconcile-config.ts';

describe('settings read from the environment', () => {
  it('name every problem at once: an unset variable as "is not set", a bad value with its problem', () => {
    expect(() => readReconcileConfig({ CDR_BUCKET: 'cdr', INGEST_QUEUE_URL: 'not a url' })).toThrow(
      /^reconciliation configuration: MANIFEST_TABLE is not set; INGEST_QUEUE_URL: Invalid URL$/,
    );
    expect(
      readReconcileConfig({ CDR_BUCKET: 'cdr', MANIFEST_TABLE: 'm', INGEST_QUEUE_URL: 'http://q.local/1/q' }),
    ).toMatchObject({ RECONCILE_GRACE_SECONDS: 900 });
  });
});
