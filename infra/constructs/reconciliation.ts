import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { RECONCILE_PK_PREFIX } from '../../shared/aws/reconcile-store.ts';
import { CDR_PREFIX } from '../../shared/ingest/keys.ts';
import { useBucket } from './access.ts';
import { scheduleFunction } from './function-schedule.ts';
import { TraceguardFunction } from './traceguard-function.ts';

export interface ReconciliationProps {
  dataKey: IKey;
  /** the dead-letter queue of its schedule */
  messagingKey: IKey;
  cdrBucket: IBucket;
  manifestTable: ITable;
  ingestQueue: IQueue;
  onCallTopic: ITopic;
}

/** How often the sweep runs; the grace period is longer than a normal ingest takes end to end. */
export const RECONCILE_RATE = Duration.minutes(30);
export const RECONCILE_GRACE = Duration.minutes(15);
/** what the sweep publishes (Powertools, namespace Traceguard, dimension service=traceguard) */
export const MISSING_OBJECTS_METRIC = 'CdrObjectsMissing';

/**
 * The sweep's own writes in the Manifest table: its checkpoint and re-enqueue claims (RECONCILE
 * partition keys), never a batch's items. The same for the scheduled sweep and `traceguard reconcile`.
 */
export function reconcileLedgerWrites(manifestTable: ITable): PolicyStatement {
  return new PolicyStatement({
    actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
    resources: [manifestTable.tableArn],
    conditions: {
      'ForAllValues:StringLike': {
        'dynamodb:LeadingKeys': [RECONCILE_PK_PREFIX, `${RECONCILE_PK_PREFIX}#*`],
      },
    },
  });
}

/**
 * The reconciliation sweep: on a schedule, CDR objects with no manifest entry after the grace period
 * are re-enqueued for ingest, and an alarm pages when two runs in a row found some (one run may
 * catch a batch that the next run sees ingested; two mean something keeps losing or failing them).
 */
export class Reconciliation extends Construct {
  readonly sweepFunction: TraceguardFunction;
  readonly missingAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ReconciliationProps) {
    super(scope, id);
    const sweep = new TraceguardFunction(this, 'ReconcileFunction', {
      entry: 'functions/reconcile-batches/handler.ts',
      description:
        'Re-enqueue CDR objects that never reached the batch manifest; report the ones that keep failing',
      key: props.dataKey,
      timeout: Duration.minutes(5),
      reservedConcurrentExecutions: 1,
      trigger: `schedule:rate(${RECONCILE_RATE.toMinutes()} minutes)`,
      environment: {
        INGEST_QUEUE_URL: props.ingestQueue.queueUrl,
        RECONCILE_GRACE_SECONDS: String(RECONCILE_GRACE.toSeconds()),
      },
    });
    this.sweepFunction = sweep;
    scheduleFunction(this, 'ReconcileSchedule', {
      fn: sweep,
      description: 'Find CDR objects that were never ingested and re-enqueue them',
      schedule: Schedule.rate(RECONCILE_RATE),
      key: props.messagingKey,
    });

    // lists the bucket (the one bucket-level action, which useBucket grants a reader) and reads under cdr/
    useBucket(sweep, 'CDR_BUCKET', props.cdrBucket, props.dataKey, { readPrefix: CDR_PREFIX });
    props.ingestQueue.grantSendMessages(sweep);
    // reads batch items; writes only its own checkpoint and re-enqueue claims (RECONCILE partition keys)
    sweep.addEnvironment('MANIFEST_TABLE', props.manifestTable.tableName);
    sweep.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem'],
        resources: [props.manifestTable.tableArn],
      }),
    );
    sweep.addToRolePolicy(reconcileLedgerWrites(props.manifestTable));
    props.dataKey.grant(sweep, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');

    const missing = new Metric({
      namespace: 'Traceguard',
      metricName: MISSING_OBJECTS_METRIC,
      dimensionsMap: { service: 'traceguard' },
      statistic: 'Maximum',
      period: RECONCILE_RATE,
    });
    this.missingAlarm = new Alarm(this, 'CdrObjectsMissingAlarm', {
      alarmDescription:
        'Two reconciliation runs in a row found CDR objects that were never ingested: see `traceguard reconcile --dry-run` and the dead-letter queues',
      metric: missing,
      threshold: 0,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.missingAlarm.addAlarmAction(new SnsAction(props.onCallTopic));
  }
}
