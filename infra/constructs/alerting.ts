import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { usePublish, useTable } from './access.ts';
import { EVENT_CONSUMER_MAX_TIMEOUT } from './events.ts';
import { TraceguardFunction } from './traceguard-function.ts';

export interface AlertingProps {
  key: IKey;
  alertQueue: IQueue;
  auditQueue: IQueue;
  onCallTopic: ITopic;
  auditTable: ITable;
  /** alert episodes live beside the open-case markers the notifier reads */
  casesTable: ITable;
  /** hours without an alert after which a customer's same severity pages again */
  alertQuietHours: number;
  /** Powertools idempotency records: a redelivered or duplicated event is handled once */
  idempotencyTable: ITable;
}

/** What Powertools' DynamoDB persistence layer does with its records (it deletes one whose handling failed). */
const IDEMPOTENCY_ACTIONS: `dynamodb:${string}`[] = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
];

/** The two plain ComplianceEvents consumers: the on-call notifier and the append-only audit writer. */
export class Alerting extends Construct {
  readonly notifyOnCall: TraceguardFunction;
  readonly writeAudit: TraceguardFunction;

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);

    this.notifyOnCall = new TraceguardFunction(this, 'NotifyOnCallFunction', {
      entry: 'functions/notify-oncall/handler.ts',
      description: 'Format a human alert from a finding or case event and publish it to on-call',
      key: props.key,
      timeout: EVENT_CONSUMER_MAX_TIMEOUT,
      trigger: 'sqs:AlertQueue',
    });
    this.notifyOnCall.addEventSource(
      new SqsEventSource(props.alertQueue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: 5,
      }),
    );
    usePublish(this.notifyOnCall, 'ONCALL_TOPIC_ARN', props.onCallTopic);
    // One alert per customer episode: it reads the open-case marker and its episode item, and
    // writes the episode only with a condition (PutItem, UpdateItem). Nothing else in the table.
    this.notifyOnCall.addEnvironment('ALERT_QUIET_HOURS', String(props.alertQuietHours));
    useTable(this.notifyOnCall, 'CASES_TABLE', props.casesTable, [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    useTable(this.notifyOnCall, 'IDEMPOTENCY_TABLE', props.idempotencyTable, IDEMPOTENCY_ACTIONS);
    props.key.grant(this.notifyOnCall, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');

    this.writeAudit = new TraceguardFunction(this, 'WriteAuditFunction', {
      entry: 'functions/write-audit/handler.ts',
      description: 'Append every ComplianceEvents message to the hash-chained audit log',
      key: props.key,
      timeout: EVENT_CONSUMER_MAX_TIMEOUT,
      trigger: 'sqs:AuditQueue',
    });
    this.writeAudit.addEventSource(
      new SqsEventSource(props.auditQueue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        // appends to one chain race on the next sequence number; few writers keep retries rare
        maxConcurrency: 2,
      }),
    );
    // Append-only: it reads the chain head (GetItem/Query) and adds records with a condition
    // (PutItem). No UpdateItem, no DeleteItem: the audit log cannot be rewritten by the pipeline.
    useTable(this.writeAudit, 'AUDIT_TABLE', props.auditTable, [
      'dynamodb:PutItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
    ]);
    useTable(this.writeAudit, 'IDEMPOTENCY_TABLE', props.idempotencyTable, IDEMPOTENCY_ACTIONS);
    // table.grant() with explicit actions grants no KMS use; writing an encrypted item needs it
    props.key.grant(this.writeAudit, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
  }
}
