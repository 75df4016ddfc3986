import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  JsonPath,
  LogLevel,
  StateMachine,
  Succeed,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { CallAwsService } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { nagRef } from './nag.ts';
import { DeadLetterQueue } from './queue-with-dlq.ts';

/** Key prefix of the daily exports in the audit export bucket. */
export const AUDIT_EXPORT_PREFIX = 'audit-export/';
/** An export of a small append-only table takes minutes; past this the run counts as timed out. */
export const AUDIT_EXPORT_TIMEOUT = Duration.hours(6);
const STATUS_POLL = Duration.minutes(10);

export interface AuditExportProps {
  /** the audit table's and the bucket's key: the export writes objects encrypted with it */
  key: IKey;
  auditTable: ITable;
  bucket: IBucket;
}

/**
 * The daily audit export as a small state machine run by EventBridge Scheduler: start the DynamoDB
 * export, then poll its status until COMPLETED. An export is asynchronous, so a scheduler that only
 * starts it would never see it fail; here a FAILED export fails the execution, and Observability
 * alarms on failed, timed-out and aborted executions of every state machine. A start the scheduler
 * cannot deliver (throttled, role broken) lands in a dead-letter queue, which is alarmed too.
 */
export class AuditExport extends Construct {
  readonly stateMachine: StateMachine;
  readonly scheduleDeadLetterQueue: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: AuditExportProps) {
    super(scope, id);
    const { auditTable, bucket, key } = props;

    const start = new CallAwsService(this, 'Start export', {
      service: 'dynamodb',
      action: 'exportTableToPointInTime',
      parameters: {
        TableArn: auditTable.tableArn,
        S3Bucket: bucket.bucketName,
        S3Prefix: AUDIT_EXPORT_PREFIX,
        S3SseAlgorithm: 'KMS',
        S3SseKmsKeyId: key.keyArn,
        ExportFormat: 'DYNAMODB_JSON',
        // one export per execution even if the task is retried
        ClientToken: JsonPath.stringAt('$$.Execution.Name'),
      },
      iamResources: [auditTable.tableArn],
      iamAction: 'dynamodb:ExportTableToPointInTime',
      resultSelector: { exportArn: JsonPath.stringAt('$.ExportDescription.ExportArn') },
    });
    start.addRetry({ errors: ['States.TaskFailed'], interval: Duration.minutes(1), maxAttempts: 3 });
    const wait = new Wait(this, 'Wait for the export', { time: WaitTime.duration(STATUS_POLL) });
    const check = new CallAwsService(this, 'Check export status', {
      service: 'dynamodb',
      action: 'describeExport',
      parameters: { ExportArn: JsonPath.stringAt('$.exportArn') },
      iamResources: [`${auditTable.tableArn}/export/*`],
      iamAction: 'dynamodb:DescribeExport',
      resultSelector: {
        exportArn: JsonPath.stringAt('$.ExportDescription.ExportArn'),
        status: JsonPath.stringAt('$.ExportDescription.ExportStatus'),
      },
    });
    check.addRetry({ errors: ['States.TaskFailed'], interval: Duration.minutes(1), maxAttempts: 3 });
    start.next(wait).next(check);
    check.next(
      new Choice(this, 'Export finished?')
        .when(Condition.stringEquals('$.status', 'COMPLETED'), new Succeed(this, 'Exported'))
        .when(Condition.stringEquals('$.status', 'IN_PROGRESS'), wait)
        .otherwise(
          new Fail(this, 'Export failed', {
            error: 'AuditExportFailed',
            cause: 'DynamoDB reported the audit export as FAILED; see DescribeExport for the reason',
          }),
        ),
    );

    const logGroup = new LogGroup(this, 'Logs', {
      // Step Functions delivers logs as a vended log source; the documented prefix keeps the log
      // resource policy CloudWatch Logs creates for it small
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-audit-export`,
      retention: RetentionDays.ONE_YEAR,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      comment: 'Traceguard daily audit export: start the DynamoDB export and wait for its outcome',
      definitionBody: DefinitionBody.fromChainable(start),
      timeout: AUDIT_EXPORT_TIMEOUT,
      tracingEnabled: true,
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
    });
    // the export writes with the caller's rights: the documented S3 prerequisites of a DynamoDB
    // export, on the export prefix only, and the key to encrypt the exported objects
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:PutObjectAcl', 's3:AbortMultipartUpload'],
        resources: [bucket.arnForObjects(`${AUDIT_EXPORT_PREFIX}*`)],
      }),
    );
    key.grant(this.stateMachine, 'kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt');
    Validations.of(this.stateMachine.role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray PutTraceSegments and CloudWatch Logs delivery actions for Step Functions only accept "*".',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${nagRef(bucket)}.Arn>/${AUDIT_EXPORT_PREFIX}*]`,
        reason: 'DynamoDB export names its own objects under the audit-export/ prefix.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${nagRef(auditTable)}.Arn>/export/*]`,
        reason: 'Each export has its own ARN under the audit table, known only once it is started.',
      },
    );

    // a redrive starts the export the scheduler could not start
    this.scheduleDeadLetterQueue = new DeadLetterQueue(this, 'ScheduleDlq', {
      key,
      of: { kind: 'schedule', target: this.stateMachine.stateMachineArn, runs: 'state-machine' },
    });
    const stack = Stack.of(this);
    const role = new Role(this, 'SchedulerRole', {
      // only schedules of this account may use the role (confused deputy)
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Lets EventBridge Scheduler start the daily audit export',
    });
    this.stateMachine.grantStartExecution(role);
    // not grantSendMessages: that adds ReEncrypt and wildcard GenerateDataKey, which sending never needs
    role.addToPolicy(
      new PolicyStatement({
        actions: ['sqs:SendMessage'],
        resources: [this.scheduleDeadLetterQueue.queueArn],
      }),
    );
    key.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');

    new CfnSchedule(this, 'Schedule', {
      description: 'Daily full export of the hash-chained audit log to the Object Lock bucket',
      scheduleExpression: 'rate(1 day)',
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: this.stateMachine.stateMachineArn,
        roleArn: role.roleArn,
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
        deadLetterConfig: { arn: this.scheduleDeadLetterQueue.queueArn },
      },
    });
  }
}
