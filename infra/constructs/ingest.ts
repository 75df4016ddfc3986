import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { REVIEW_PK_PREFIX } from '../../shared/ingest/keys.ts';
import { useBucket, usePublish, useTable } from './access.ts';
import { scheduleFunction } from './function-schedule.ts';
import { QueueWithDlq } from './queue-with-dlq.ts';
import { TraceguardFunction } from './traceguard-function.ts';

/** Switches drop batches under `cdr/<switch_id>/` (docs/input-contract.md); only those start an ingest. */
export const CDR_PREFIX = 'cdr/';
/** Rejected rows go here (never beside the batch under `cdr/`, which would trigger another ingest). */
export const QUARANTINE_PREFIX = 'quarantine/';
export const INGEST_TIMEOUT = Duration.minutes(5);
/** how often the day review looks for days that are over, and how long after a day ends it waits for late batches */
export const DAY_REVIEW_RATE = Duration.hours(1);
export const DAY_REVIEW_GRACE = Duration.hours(2);

export interface IngestProps {
  /** function environments and logs; the CDR bucket's objects */
  dataKey: IKey;
  /** the work queue */
  messagingKey: IKey;
  cdrBucket: IBucket;
  referenceBucket: IBucket;
  aggregatesTable: ITable;
  manifestTable: ITable;
  customersTable: ITable;
  tracebacksTable: ITable;
  eventsTopic: ITopic;
  policyKey?: string;
}

/** `actions` on the Aggregates table's day review notes only (keys.ts REVIEW_PK_PREFIX partitions). */
export function onReviewNotes(table: ITable, actions: string[]): PolicyStatement {
  return new PolicyStatement({
    actions,
    resources: [table.tableArn],
    conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${REVIEW_PK_PREFIX}*`] } },
  });
}

/**
 * CdrBucket ObjectCreated under `cdr/` -> IngestQueue -> ingest function -> ComplianceEvents, and the
 * hourly day review, which judges each customer's day once it is over from what ingest stored.
 */
export class Ingest extends Construct {
  readonly ingestQueue: QueueWithDlq;
  readonly ingestFunction: TraceguardFunction;
  readonly dayReviewFunction: TraceguardFunction;

  constructor(scope: Construct, id: string, props: IngestProps) {
    super(scope, id);
    this.ingestQueue = new QueueWithDlq(this, 'IngestQueue', {
      key: props.messagingKey,
      // six times the function timeout: a batch still being read is never handed to a second invocation
      visibilityTimeout: Duration.seconds(6 * INGEST_TIMEOUT.toSeconds()),
    });
    props.cdrBucket.addEventNotification(
      EventType.OBJECT_CREATED,
      new SqsDestination(this.ingestQueue.queue),
      {
        prefix: CDR_PREFIX,
      },
    );

    const fn = new TraceguardFunction(this, 'IngestFunction', {
      entry: 'functions/ingest/handler.ts',
      description: 'Parse a CDR batch, quarantine bad rows, merge aggregates exactly once, score, publish',
      key: props.dataKey,
      timeout: INGEST_TIMEOUT,
      memorySize: 1024,
      trigger: 'sqs:IngestQueue',
    });
    this.ingestFunction = fn;
    fn.addEventSource(
      new SqsEventSource(this.ingestQueue.queue, {
        // one batch file per invocation: a large file gets the whole timeout and fails alone
        batchSize: 1,
        reportBatchItemFailures: true,
        // merges are exactly-once under concurrency; the cap protects DynamoDB and downstream alerting
        maxConcurrency: 10,
      }),
    );

    useBucket(fn, 'CDR_BUCKET', props.cdrBucket, props.dataKey, {
      readPrefix: CDR_PREFIX,
      writePrefix: QUARANTINE_PREFIX,
    });
    useBucket(fn, 'REFERENCE_BUCKET', props.referenceBucket, props.dataKey, { readPrefix: '' });
    // exactly the calls ingest makes: merges are transactions of a marker Put and a versioned Update
    // (authorized per item as PutItem/UpdateItem); nothing is ever deleted or scanned
    useTable(fn, 'AGGREGATES_TABLE', props.aggregatesTable, [
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    // the notes of the days it wrote to, for the day review: plain puts, 25 to a request, and only
    // in the review's partitions (BatchWriteItem could delete too)
    fn.addToRolePolicy(onReviewNotes(props.aggregatesTable, ['dynamodb:BatchWriteItem']));
    useTable(fn, 'MANIFEST_TABLE', props.manifestTable, [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    // table.grant() with explicit actions grants no KMS use; reading and writing encrypted items needs it
    props.dataKey.grant(fn, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    useTable(fn, 'CUSTOMERS_TABLE', props.customersTable, 'read');
    // TRACEBACK_HISTORY scoring reads the customer's traceback history (pk CUSTTB#<customer>)
    useTable(fn, 'TRACEBACKS_TABLE', props.tracebacksTable, 'read');
    usePublish(fn, 'EVENTS_TOPIC_ARN', props.eventsTopic);
    if (props.policyKey) fn.addEnvironment('POLICY_KEY', props.policyKey);
    // A batch too big for one invocation is continued: ingest sends the rest of the object back to
    // its own queue (functions/ingest/config.ts INGEST_QUEUE_URL; not yet listed in docs/wiring.md).
    fn.addEnvironment('INGEST_QUEUE_URL', this.ingestQueue.queue.queueUrl);
    this.ingestQueue.queue.grantSendMessages(fn);
    this.dayReviewFunction = this.dayReview(props);
  }

  private dayReview(props: IngestProps): TraceguardFunction {
    const schedule = Schedule.rate(DAY_REVIEW_RATE);
    const fn = new TraceguardFunction(this, 'DayReviewFunction', {
      entry: 'functions/review-days/handler.ts',
      description: "Judge each customer's UTC day as a whole once it is over; publish the day findings",
      key: props.dataKey,
      timeout: Duration.minutes(15),
      memorySize: 512,
      // one run at a time: two would judge the same days (harmless, as claims decide, but wasted)
      reservedConcurrentExecutions: 1,
      trigger: `schedule:${schedule.expressionString}`,
      environment: { REVIEW_GRACE_SECONDS: String(DAY_REVIEW_GRACE.toSeconds()) },
    });
    scheduleFunction(this, 'DayReviewSchedule', {
      fn,
      description: "Judge each customer's day once it is over and its late batches are in",
      schedule,
      key: props.messagingKey,
    });
    // reads the notes and the customers' hours, claims a day's severity (UpdateItem); forgets the
    // notes it reviewed, and may delete nothing else
    useTable(fn, 'AGGREGATES_TABLE', props.aggregatesTable, ['dynamodb:Query', 'dynamodb:UpdateItem']);
    fn.addToRolePolicy(onReviewNotes(props.aggregatesTable, ['dynamodb:DeleteItem']));
    props.dataKey.grant(fn, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    useTable(fn, 'CUSTOMERS_TABLE', props.customersTable, 'read');
    useTable(fn, 'TRACEBACKS_TABLE', props.tracebacksTable, 'read');
    // which batches begun since a day started are not done yet (BEGUN#<hour> items, then the batches'):
    // a day waits for them
    useTable(fn, 'MANIFEST_TABLE', props.manifestTable, ['dynamodb:Query', 'dynamodb:BatchGetItem']);
    useBucket(fn, 'REFERENCE_BUCKET', props.referenceBucket, props.dataKey, { readPrefix: '' });
    usePublish(fn, 'EVENTS_TOPIC_ARN', props.eventsTopic);
    if (props.policyKey) fn.addEnvironment('POLICY_KEY', props.policyKey);
    return fn;
  }
}
