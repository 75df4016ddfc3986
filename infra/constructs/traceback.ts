import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Schedule } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { useBucket, usePublish, useTable } from './access.ts';
import { scheduleFunction } from './function-schedule.ts';
import { CDR_PREFIX } from './ingest.ts';
import { QueueWithDlq } from './queue-with-dlq.ts';
import { TraceguardFunction } from './traceguard-function.ts';

/** Searching a few archived batches (streamed, pruned by the manifest) fits well inside this. */
export const TRACEBACK_REQUEST_TIMEOUT = Duration.minutes(2);
export const DEADLINE_CHECK_RATE = Duration.minutes(15);

export interface TracebackProps {
  /** function environments and logs; the CDR bucket's objects */
  dataKey: IKey;
  /** the work queue */
  messagingKey: IKey;
  cdrBucket: IBucket;
  /** reference/switches.csv: how each switch's batches are read */
  referenceBucket: IBucket;
  manifestTable: ITable;
  tracebacksTable: ITable;
  eventsTopic: ITopic;
  onCallTopic: ITopic;
}

/** Traceback requests (24-hour answer deadline) and the watcher that warns before the deadline passes. */
export class Traceback extends Construct {
  readonly tracebackQueue: QueueWithDlq;
  readonly requestFunction: TraceguardFunction;
  readonly deadlineFunction: TraceguardFunction;

  constructor(scope: Construct, id: string, props: TracebackProps) {
    super(scope, id);
    this.tracebackQueue = new QueueWithDlq(this, 'TracebackQueue', {
      key: props.messagingKey,
      visibilityTimeout: Duration.seconds(6 * TRACEBACK_REQUEST_TIMEOUT.toSeconds()),
    });

    const request = new TraceguardFunction(this, 'TracebackRequestFunction', {
      entry: 'functions/traceback-request/handler.ts',
      description: 'Answer a traceback request: find the calls via the batch manifest, store and publish',
      key: props.dataKey,
      timeout: TRACEBACK_REQUEST_TIMEOUT,
      memorySize: 1024,
      trigger: 'sqs:TracebackQueue',
    });
    this.requestFunction = request;
    request.addEventSource(
      new SqsEventSource(this.tracebackQueue.queue, {
        batchSize: 1,
        reportBatchItemFailures: true,
        maxConcurrency: 5,
      }),
    );
    useBucket(request, 'CDR_BUCKET', props.cdrBucket, props.dataKey, { readPrefix: CDR_PREFIX });
    useBucket(request, 'REFERENCE_BUCKET', props.referenceBucket, props.dataKey, {
      readPrefix: 'reference/',
    });
    useTable(request, 'MANIFEST_TABLE', props.manifestTable, 'read');
    // stores the request and its answer (no deletes, no scans)
    useTable(request, 'TRACEBACKS_TABLE', props.tracebacksTable, [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:Query',
    ]);
    props.dataKey.grant(request, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    usePublish(request, 'EVENTS_TOPIC_ARN', props.eventsTopic);

    const deadline = new TraceguardFunction(this, 'TracebackDeadlineFunction', {
      entry: 'functions/traceback-deadline/handler.ts',
      description:
        'Warn on-call before and at a traceback answer deadline, publish the SLA metric, search not-found answers again after late batches',
      key: props.dataKey,
      timeout: Duration.minutes(1),
      trigger: `schedule:rate(${DEADLINE_CHECK_RATE.toMinutes()} minutes)`,
    });
    this.deadlineFunction = deadline;
    scheduleFunction(this, 'DeadlineSchedule', {
      fn: deadline,
      description: 'Check open traceback requests against their 24-hour answer deadline',
      schedule: Schedule.rate(DEADLINE_CHECK_RATE),
      key: props.messagingKey,
    });
    // a not_found answer whose time gained late batches goes back on the traceback queue to be searched
    // again: the manifest's hour items say whether it did
    useTable(deadline, 'MANIFEST_TABLE', props.manifestTable, 'read');
    deadline.addEnvironment('TRACEBACK_QUEUE_URL', this.tracebackQueue.queue.queueUrl);
    this.tracebackQueue.queue.grantSendMessages(deadline);
    // reads open requests by status/deadline and marks the ones already warned about (no deletes)
    useTable(deadline, 'TRACEBACKS_TABLE', props.tracebacksTable, [
      'dynamodb:Query',
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
    ]);
    props.dataKey.grant(deadline, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    usePublish(deadline, 'ONCALL_TOPIC_ARN', props.onCallTopic);
    usePublish(deadline, 'EVENTS_TOPIC_ARN', props.eventsTopic);
  }
}
