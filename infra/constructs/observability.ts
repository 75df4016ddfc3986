import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IAlarm,
  type IMetric,
  Metric,
  SingleValueWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import { MAX_RECEIVE_COUNT } from '../../shared/config/deliveries.ts';
import { DeadLetterQueue, QueueWithDlq } from './queue-with-dlq.ts';
import { METRICS_NAMESPACE, SERVICE_NAME, TraceguardFunction } from './traceguard-function.ts';

export interface ObservabilityProps {
  onCallTopic: ITopic;
  /** searched for every function, queue pair and state machine, including the escalation construct's */
  root: IConstruct;
  /** work queues whose oldest message must not wait long: a stuck consumer shows here first */
  latencyQueues: { name: string; pair: QueueWithDlq; maxAge: Duration }[];
  /** topics with SQS subscriptions: a delivery SNS gives up on is alarmed (it went to a DLQ) */
  deliveryTopics: ITopic[];
  dashboardName: string;
}

/** A metric the functions emit through Powertools (namespace and `service` dimension as they set them). */
export function traceguardMetric(
  metricName: string,
  statistic: string,
  period = Duration.minutes(5),
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: SERVICE_NAME },
    statistic,
    period,
  });
}

/**
 * Alarms to on-call for everything that can silently stop: each dead-letter queue holding a message,
 * each function erroring or throttled, work queues backing up, a state machine execution failing,
 * timing out or aborted, SNS giving up on a delivery, a traceback near or past its 24-hour deadline,
 * calls from customer ids the registry does not hold, a re-upload refused for changing a counted batch.
 * Found by walking the construct tree, so a function, queue or state machine added later is covered
 * without touching this file. The dashboard shows the same plus the pipeline's business metrics.
 */
export class Observability extends Construct {
  readonly alarms: IAlarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const onCall = new SnsAction(props.onCallTopic);
    const all = props.root.node.findAll();
    const functions = all.filter((c): c is TraceguardFunction => c instanceof TraceguardFunction);
    const queuePairs = all.filter((c): c is QueueWithDlq => c instanceof QueueWithDlq);
    const deadLetterQueues = all.filter((c): c is DeadLetterQueue => c instanceof DeadLetterQueue);
    const stateMachines = all.filter((c): c is StateMachine => c instanceof StateMachine);

    const alarm = (alarmId: string, description: string, metric: IMetric, threshold: number) => {
      const created = new Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(onCall);
      this.alarms.push(created);
    };

    for (const dlq of deadLetterQueues) {
      alarm(
        `${readableId(dlq)}Depth`,
        `${dlq.node.path}: a message waits in a dead-letter queue (failed ${MAX_RECEIVE_COUNT} times, or could not be delivered); inspect and redrive`,
        dlq.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        1,
      );
    }
    for (const fn of functions) {
      alarm(
        `${readableId(fn)}Errors`,
        `${fn.node.path}: the function threw (see its log group); SQS messages are retried, then dead-lettered`,
        fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        1,
      );
      alarm(
        `${readableId(fn)}Throttles`,
        `${fn.node.path}: invocations were throttled (account concurrency or reserved concurrency); work is delayed`,
        fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
        1,
      );
    }
    for (const machine of stateMachines) {
      const executions = [
        ['Failed', machine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' })],
        ['TimedOut', machine.metricTimedOut({ period: Duration.minutes(5), statistic: 'Sum' })],
        ['Aborted', machine.metricAborted({ period: Duration.minutes(5), statistic: 'Sum' })],
      ] as const;
      for (const [outcome, metric] of executions) {
        alarm(
          `${readableId(machine)}Executions${outcome}`,
          `${machine.node.path}: an execution ${outcome.toLowerCase()}; see its execution history (a case or an export needs a person)`,
          metric,
          1,
        );
      }
    }
    for (const topic of props.deliveryTopics) {
      alarm(
        `${readableId(topic)}DeliveryFailed`,
        `${topic.node.path}: SNS gave up delivering a message to a subscription (kept in its dead-letter queue)`,
        topic.metricNumberOfNotificationsFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
        1,
      );
    }
    // traceback-deadline publishes these every check; an answer is due 24 h after the request
    alarm(
      'TracebackNearDeadline',
      'A traceback request is close to its 24-hour answer deadline and still open: answer it now',
      traceguardMetric('TracebacksNearDeadline', 'Maximum', Duration.minutes(15)),
      1,
    );
    alarm(
      'TracebackDeadlineMissed',
      'A traceback request passed its 24-hour answer deadline unanswered',
      traceguardMetric('TracebacksBreached', 'Maximum', Duration.minutes(15)),
      1,
    );
    // ingest publishes it per batch part: traffic of an account nobody vetted, or an id the switch
    // writes otherwise than the registry (the ingest log's warning names the ids)
    alarm(
      'UnregisteredCustomerTraffic',
      'Calls came from customer ids the registry does not hold and were judged as new customers: onboard the customer, or correct the id its switch writes (accountcode, trunk map); the ingest log names the ids',
      traceguardMetric('UnregisteredCustomerCalls', 'Sum', Duration.hours(1)),
      1,
    );
    // ingest publishes it per refused batch: a switch sent a changed version of a batch already counted
    // under its key; its calls count nowhere until sent under a new key (the ingest log names the batch)
    alarm(
      'ReuploadRefused',
      'A batch re-uploaded under the key of a batch already counted changed it instead of extending it and was refused, counted nowhere: have the switch send the changed or missing calls under a new key; the ingest log names the batch',
      traceguardMetric('RefusedReuploads', 'Sum', Duration.hours(1)),
      1,
    );
    for (const queue of props.latencyQueues) {
      alarm(
        `${queue.name}OldestMessageAge`,
        `${queue.name}: oldest message waited over ${queue.maxAge.toMinutes()} min; consumer stuck or throttled`,
        queue.pair.queue.metricApproximateAgeOfOldestMessage({
          period: Duration.minutes(5),
          statistic: 'Maximum',
        }),
        queue.maxAge.toSeconds(),
      );
    }

    new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      widgets: [
        [
          new GraphWidget({
            title: 'CDR rows, quarantined rows, calls of unregistered customers',
            left: [
              traceguardMetric('Rows', 'Sum'),
              traceguardMetric('QuarantinedRows', 'Sum'),
              traceguardMetric('UnattributedRows', 'Sum'),
              traceguardMetric('UnregisteredCustomerCalls', 'Sum'),
            ],
            width: 8,
          }),
          new GraphWidget({
            title: 'Findings published',
            left: [traceguardMetric('FindingsPublished', 'Sum')],
            width: 8,
          }),
          new SingleValueWidget({
            title: 'Tracebacks: open, near deadline, breached',
            metrics: [
              traceguardMetric('TracebacksOpen', 'Maximum', Duration.minutes(15)),
              traceguardMetric('TracebacksNearDeadline', 'Maximum', Duration.minutes(15)),
              traceguardMetric('TracebacksBreached', 'Maximum', Duration.minutes(15)),
            ],
            width: 8,
          }),
        ],
        [
          new GraphWidget({
            title: 'Function errors',
            left: functions.map((fn) => fn.metricErrors({ period: Duration.minutes(5), label: fn.node.id })),
            width: 12,
          }),
          new GraphWidget({
            title: 'Function duration (p99)',
            left: functions.map((fn) =>
              fn.metricDuration({ period: Duration.minutes(5), statistic: 'p99', label: fn.node.id }),
            ),
            width: 12,
          }),
        ],
        [
          new GraphWidget({
            title: 'Queue backlog',
            left: queuePairs.map((pair) =>
              pair.queue.metricApproximateNumberOfMessagesVisible({ label: pair.node.id }),
            ),
            width: 12,
          }),
          new GraphWidget({
            title: 'Dead-letter queues',
            left: deadLetterQueues.map((dlq) =>
              dlq.metricApproximateNumberOfMessagesVisible({ label: readableId(dlq) }),
            ),
            width: 12,
          }),
        ],
      ],
    });
  }
}

/** `Traceguard-dev/Stateless/Ingest/IngestQueue` -> `StatelessIngestIngestQueue`: stable and readable ids. */
function readableId(construct: IConstruct): string {
  return construct.node.path
    .split('/')
    .slice(1)
    .join('')
    .replace(/[^A-Za-z0-9]/g, '');
}
