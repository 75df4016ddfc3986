import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Schedule } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { usePublish, useTable } from './access.ts';
import { scheduleFunction } from './function-schedule.ts';
import { TraceguardFunction } from './traceguard-function.ts';

export interface TrackRecordProps {
  key: IKey;
  /** the dead-letter queue of its schedule */
  messagingKey: IKey;
  onCallTopic: ITopic;
  customersTable: ITable;
  aggregatesTable: ITable;
  tracebacksTable: ITable;
  auditTable: ITable;
  /** renewals for re-verification: the customer's last dossier, and the workflow that reviews it */
  dossiersTable: ITable;
  onboardingStateMachine: IStateMachine;
}

/** The review runs once a day: tiers move in days (90-day probation, a year for trusted). */
export const TRACK_RECORD_RATE = Duration.days(1);

/**
 * The scheduled track-record review: promotes `new` customers after a clean probation, restarts the
 * clock after a high finding or a traceback, proposes `trusted` and asks for re-verification.
 */
export class TrackRecord extends Construct {
  readonly reviewFunction: TraceguardFunction;

  constructor(scope: Construct, id: string, props: TrackRecordProps) {
    super(scope, id);
    const fn = new TraceguardFunction(this, 'TrackRecordReviewFunction', {
      entry: 'functions/track-record-review/handler.ts',
      description:
        'Daily track-record review: tier promotions, clock resets, trusted proposals, re-verification',
      key: props.key,
      timeout: Duration.minutes(15),
      reservedConcurrentExecutions: 1,
      trigger: `schedule:rate(${TRACK_RECORD_RATE.toDays()} day)`,
    });
    this.reviewFunction = fn;
    scheduleFunction(this, 'TrackRecordSchedule', {
      fn,
      description: 'Review every registered customer’s track record once a day',
      schedule: Schedule.rate(TRACK_RECORD_RATE),
      key: props.messagingKey,
    });
    // the roster (Query), each profile (GetItem), promotions and resets (UpdateItem, as onboarding writes them)
    useTable(fn, 'CUSTOMERS_TABLE', props.customersTable, [
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'dynamodb:PutItem',
    ]);
    useTable(fn, 'AGGREGATES_TABLE', props.aggregatesTable, ['dynamodb:Query']);
    useTable(fn, 'TRACEBACKS_TABLE', props.tracebacksTable, ['dynamodb:Query']);
    // append-only, like every other function's use of the audit log
    useTable(fn, 'AUDIT_TABLE', props.auditTable, ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query']);
    usePublish(fn, 'ONCALL_TOPIC_ARN', props.onCallTopic);
    // re-verification: reads the customer's last dossier by key, submits its renewal (a new dossier
    // item and the customer's pointer to it) and starts the onboarding workflow on it
    useTable(fn, 'DOSSIERS_TABLE', props.dossiersTable, ['dynamodb:GetItem', 'dynamodb:PutItem']);
    fn.addEnvironment('ONBOARDING_STATE_MACHINE_ARN', props.onboardingStateMachine.stateMachineArn);
    props.onboardingStateMachine.grantStartExecution(fn);
    props.key.grant(fn, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
  }
}
