import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IAlarm,
  type IMetric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';
import { MAX_RECEIVE_COUNT, QueueWithDlq } from './queue-with-dlq.ts';
import { TraceguardFunction } from './traceguard-function.ts';

export interface ObservabilityProps {
  onCallTopic: ITopic;
  /** searched for every function, queue pair and state machine, including the escalation construct's */
  root: IConstruct;
  /** work queues whose oldest message must not wait long: a stuck consumer shows here first */
  latencyQueues: { name: string; pair: QueueWithDlq; maxAge: Duration }[];
  dashboardName: string;
}

/**
 * Alarms to on-call for everything that can silently stop: each dead-letter queue holding a message,
 * each function erroring, the CDR and traceback queues backing up. (Failed escalation executions
 * are alarmed by the escalation construct itself.) Found by
 * walking the construct tree, so a function or queue added later is covered without touching this file.
 */
export class Observability extends Construct {
  readonly alarms: IAlarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const onCall = new SnsAction(props.onCallTopic);
    const all = props.root.node.findAll();
    const functions = all.filter((c): c is TraceguardFunction => c instanceof TraceguardFunction);
    const queuePairs = all.filter((c): c is QueueWithDlq => c instanceof QueueWithDlq);

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

    for (const pair of queuePairs) {
      alarm(
        `${readableId(pair)}DlqDepth`,
        `${pair.node.path}: a message failed ${MAX_RECEIVE_COUNT} times and waits in the dead-letter queue; inspect and redrive`,
        pair.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
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
    }
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
            left: queuePairs.map((pair) =>
              pair.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: `${pair.node.id} DLQ` }),
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
