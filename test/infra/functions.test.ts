import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/constructs/traceguard-function.ts';
import {
  type CfnResource,
  functionByHandler,
  logicalIdOf,
  resourcesOfType,
  synthTraceguard,
} from './synth.ts';

let synth: ReturnType<typeof synthTraceguard>;
beforeAll(() => {
  synth = synthTraceguard({ policyKey: 'policy/override.json' });
});

/** docs/wiring.md "Environment variables", plus NODE_OPTIONS for source maps. */
const WIRING_ENV = new Set([
  'AGGREGATES_TABLE',
  'MANIFEST_TABLE',
  'CUSTOMERS_TABLE',
  'CASES_TABLE',
  'TRACEBACKS_TABLE',
  'AUDIT_TABLE',
  'IDEMPOTENCY_TABLE',
  'DOSSIERS_TABLE',
  'REVIEW_TOKENS_TABLE',
  'EXECUTIVE_ROLE_NAMES',
  'ALERT_QUIET_HOURS',
  'CDR_BUCKET',
  'REFERENCE_BUCKET',
  'EVENTS_TOPIC_ARN',
  'ONCALL_TOPIC_ARN',
  'ENFORCEMENT_TOPIC_ARN',
  'STATE_MACHINE_ARN',
  'ONBOARDING_STATE_MACHINE_ARN',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POLICY_KEY',
  'NODE_OPTIONS',
  // ingest's continuation of big objects (functions/ingest/config.ts); to be added to docs/wiring.md
  'INGEST_QUEUE_URL',
  // where the deadline watcher sends a not_found request back to be searched again
  'TRACEBACK_QUEUE_URL',
  // the reconciliation sweep's grace period (shared/aws/reconcile-config.ts)
  'RECONCILE_GRACE_SECONDS',
  // how long after a day ends the day review waits for late batches (functions/review-days)
  'REVIEW_GRACE_SECONDS',
]);

const traceguardFunctions = (): [string, CfnResource][] =>
  resourcesOfType(synth.template, 'AWS::Lambda::Function').filter(
    ([, fn]) => fn.Metadata?.['traceguard:entry'],
  );

describe('every Traceguard function', () => {
  it('includes the five this stack wires (and the escalation construct adds its own)', () => {
    const entries = traceguardFunctions().map(([, fn]) => fn.Metadata!['traceguard:entry']);
    expect(entries).toEqual(
      expect.arrayContaining([
        'functions/ingest/handler.ts',
        'functions/notify-oncall/handler.ts',
        'functions/write-audit/handler.ts',
        'functions/traceback-request/handler.ts',
        'functions/traceback-deadline/handler.ts',
      ]),
    );
  });

  it('runs Node 22 or 24 on arm64 with active tracing, a KMS-encrypted environment and its own log group', () => {
    const dataKey = logicalIdOf(synth.template, 'AWS::KMS::Key', 'DataKey');
    for (const [id, fn] of traceguardFunctions()) {
      const props = fn.Properties!;
      expect(['nodejs22.x', 'nodejs24.x'], id).toContain(props.Runtime);
      expect(props.Architectures, id).toEqual(['arm64']);
      expect(props.TracingConfig, id).toEqual({ Mode: 'Active' });
      expect(props.KmsKeyArn, id).toEqual({ 'Fn::GetAtt': [dataKey, 'Arn'] });
      const logGroup = synth.template.toJSON().Resources[props.LoggingConfig.LogGroup.Ref] as CfnResource;
      expect(logGroup.Properties).toMatchObject({
        KmsKeyId: { 'Fn::GetAtt': [dataKey, 'Arn'] },
        RetentionInDays: 90,
      });
    }
  });

  it('has traceguard:entry metadata naming an existing handler file', () => {
    for (const [id, fn] of traceguardFunctions()) {
      const entry = fn.Metadata!['traceguard:entry'];
      expect(entry, id).toMatch(/^functions\/[a-z-]+\/handler\.ts$/);
      expect(existsSync(join(REPO_ROOT, entry)), `${id}: ${entry} does not exist`).toBe(true);
    }
  });

  it('uses only environment variable names from docs/wiring.md', () => {
    for (const [id, fn] of traceguardFunctions()) {
      const names = Object.keys(fn.Properties!.Environment?.Variables ?? {});
      expect(
        names.filter((name) => !WIRING_ENV.has(name)),
        id,
      ).toEqual([]);
    }
  });
});

describe('each function gets exactly the resources it needs, by Ref/GetAtt', () => {
  const ref = (type: string, hint: string | RegExp) => ({ Ref: logicalIdOf(synth.template, type, hint) });
  const table = (name: string) => ref('AWS::DynamoDB::Table', `${name}Table`);
  const bucket = (name: string) => ref('AWS::S3::Bucket', `${name}Bucket`);
  const topic = (name: string) => ref('AWS::SNS::Topic', name);
  const base = {
    POWERTOOLS_SERVICE_NAME: 'traceguard',
    POWERTOOLS_METRICS_NAMESPACE: 'Traceguard',
    NODE_OPTIONS: '--enable-source-maps',
  };

  it.each([
    [
      'ingest',
      () => ({
        AGGREGATES_TABLE: table('Aggregates'),
        MANIFEST_TABLE: table('Manifest'),
        CUSTOMERS_TABLE: table('Customers'),
        TRACEBACKS_TABLE: table('Tracebacks'),
        CDR_BUCKET: bucket('Cdr'),
        REFERENCE_BUCKET: bucket('Reference'),
        EVENTS_TOPIC_ARN: topic('ComplianceEvents'),
        POLICY_KEY: 'policy/override.json',
        INGEST_QUEUE_URL: ref('AWS::SQS::Queue', /IngestQueue[0-9A-F]{8}$/),
      }),
    ],
    [
      'review-days',
      () => ({
        AGGREGATES_TABLE: table('Aggregates'),
        MANIFEST_TABLE: table('Manifest'),
        CUSTOMERS_TABLE: table('Customers'),
        TRACEBACKS_TABLE: table('Tracebacks'),
        REFERENCE_BUCKET: bucket('Reference'),
        EVENTS_TOPIC_ARN: topic('ComplianceEvents'),
        POLICY_KEY: 'policy/override.json',
        REVIEW_GRACE_SECONDS: '7200',
      }),
    ],
    [
      'notify-oncall',
      () => ({
        ONCALL_TOPIC_ARN: topic('OnCallTopic'),
        IDEMPOTENCY_TABLE: table('Idempotency'),
        CASES_TABLE: table('Cases'),
        ALERT_QUIET_HOURS: '24',
      }),
    ],
    ['write-audit', () => ({ AUDIT_TABLE: table('Audit'), IDEMPOTENCY_TABLE: table('Idempotency') })],
    [
      'traceback-request',
      () => ({
        CDR_BUCKET: bucket('Cdr'),
        REFERENCE_BUCKET: bucket('Reference'),
        MANIFEST_TABLE: table('Manifest'),
        TRACEBACKS_TABLE: table('Tracebacks'),
        EVENTS_TOPIC_ARN: topic('ComplianceEvents'),
      }),
    ],
    [
      'traceback-deadline',
      () => ({
        TRACEBACKS_TABLE: table('Tracebacks'),
        MANIFEST_TABLE: table('Manifest'),
        TRACEBACK_QUEUE_URL: ref('AWS::SQS::Queue', /TracebackQueue[0-9A-F]{8}$/),
        ONCALL_TOPIC_ARN: topic('OnCallTopic'),
        EVENTS_TOPIC_ARN: topic('ComplianceEvents'),
      }),
    ],
  ])('%s', (name, expected) => {
    const [, fn] = functionByHandler(synth.template, name);
    expect(fn.Properties!.Environment.Variables).toEqual({ ...base, ...expected() });
  });

  it('sets no POLICY_KEY when none is configured', () => {
    const plain = synthTraceguard();
    const [, fn] = functionByHandler(plain.template, 'ingest');
    expect(fn.Properties!.Environment.Variables.POLICY_KEY).toBeUndefined();
  });
});

describe('triggers', () => {
  const mappingFor = (name: string): CfnResource => {
    const [id] = functionByHandler(synth.template, name);
    const found = resourcesOfType(synth.template, 'AWS::Lambda::EventSourceMapping').filter(
      ([, m]) => m.Properties!.FunctionName.Ref === id,
    );
    expect(found).toHaveLength(1);
    return found[0][1];
  };

  it('ingest: IngestQueue, batch of 1..5, partial batch failures, bounded concurrency, 5 min, 1024 MB', () => {
    const mapping = mappingFor('ingest').Properties!;
    expect(mapping.EventSourceArn['Fn::GetAtt'][0]).toMatch(/IngestQueue[0-9A-F]{8}$/);
    expect(mapping.BatchSize).toBeGreaterThanOrEqual(1);
    expect(mapping.BatchSize).toBeLessThanOrEqual(5);
    expect(mapping.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(mapping.ScalingConfig.MaximumConcurrency).toBeGreaterThanOrEqual(2);
    const [, fn] = functionByHandler(synth.template, 'ingest');
    expect(fn.Properties).toMatchObject({ Timeout: 300, MemorySize: 1024 });
    expect(fn.Metadata!['traceguard:trigger']).toBe('sqs:IngestQueue');
  });

  it.each([
    ['notify-oncall', /AlertQueue[0-9A-F]{8}$/],
    ['write-audit', /AuditQueue[0-9A-F]{8}$/],
    ['traceback-request', /TracebackQueue[0-9A-F]{8}$/],
  ])('%s consumes its queue with partial batch failures', (name, queue) => {
    const mapping = mappingFor(name).Properties!;
    expect(mapping.EventSourceArn['Fn::GetAtt'][0]).toMatch(queue);
    expect(mapping.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('traceback-deadline runs every 15 minutes', () => {
    const [id, fn] = functionByHandler(synth.template, 'traceback-deadline');
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [
        { Arn: { 'Fn::GetAtt': [id, 'Arn'] }, Id: 'Target0', RetryPolicy: { MaximumRetryAttempts: 2 } },
      ],
    });
    expect(fn.Metadata!['traceguard:trigger']).toBe('schedule:rate(15 minutes)');
  });

  it('review-days runs every hour, one run at a time, long enough for thousands of customers', () => {
    const [id, fn] = functionByHandler(synth.template, 'review-days');
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [
        { Arn: { 'Fn::GetAtt': [id, 'Arn'] }, Id: 'Target0', RetryPolicy: { MaximumRetryAttempts: 2 } },
      ],
    });
    expect(fn.Properties).toMatchObject({ Timeout: 900, ReservedConcurrentExecutions: 1 });
    expect(fn.Metadata!['traceguard:trigger']).toBe('schedule:rate(1 hour)');
  });
});

describe('outputs', () => {
  it('exports bucket, queue URLs, topic ARNs, table names and the state machine ARN', () => {
    expect(Object.keys(synth.template.toJSON().Outputs).sort()).toEqual(
      [
        'AggregatesTableName',
        'AlertQueueUrl',
        'AuditQueueUrl',
        'AuditTableName',
        'CasesTableName',
        'CdrBucketName',
        'ComplianceOperatorPolicyArn',
        'CustomersTableName',
        'DossierReviewPolicyArn',
        'DossiersTableName',
        'DecisionsUrl',
        'EscalationQueueUrl',
        'ExecutiveReviewerRoleArn',
        'EventsTopicArn',
        'IdempotencyTableName',
        'IngestQueueUrl',
        'ManifestTableName',
        'OnCallTopicArn',
        'OnboardingStateMachineArn',
        'PipelineOperatorPolicyArn',
        'ReferenceBucketName',
        'ReferenceDataPolicyArn',
        'ReviewerPolicyArn',
        'ReviewerRoleArn',
        'ReviewTokensTableName',
        'StateMachineArn',
        'SwitchUploadPolicyArn',
        'TracebackQueueUrl',
        'TracebacksTableName',
      ].sort(),
    );
    synth.template.hasOutput('StateMachineArn', {
      Value: {
        Ref: logicalIdOf(synth.template, 'AWS::StepFunctions::StateMachine', 'EscalationStateMachine'),
      },
    });
  });
});
