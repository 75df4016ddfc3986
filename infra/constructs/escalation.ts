import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectLockRetention,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  IntegrationPattern,
  JsonPath,
  LogLevel,
  StateMachine,
  Succeed,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { usePublish, useTable } from './access.ts';
import { AuditExport } from './audit-export.ts';
import { EVENT_CONSUMER_MAX_TIMEOUT } from './events.ts';
import { TraceguardFunction } from './traceguard-function.ts';

export interface EscalationProps {
  key: IKey;
  eventsTopic: ITopic;
  onCallTopic: ITopic;
  escalationQueue: IQueue;
  casesTable: ITable;
  /** where the case steps park review task tokens (no reviewer reads it) */
  reviewTokensTable: ITable;
  customersTable: ITable;
  auditTable: ITable;
  tracebacksTable: ITable;
  aggregatesTable: ITable;
  manifestTable: ITable;
  cdrBucket: IBucket;
  /** where S3 server access logs of the audit export bucket go, as the CDR and reference buckets' do */
  accessLogBucket: IBucket;
  auditRetentionYears: number;
  /**
   * Object Lock of the audit export: `compliance` (nobody, not even the account root, can delete or
   * shorten it) by default; `governance` for trial stages, so that data can be removed by an admin
   * with s3:BypassGovernanceRetention. `days` defaults to the audit retention.
   */
  auditLock?: { mode: 'compliance' | 'governance'; days?: number };
}

/** How long a person has for each review before the machine escalates or gives up (never hangs). */
export const REVIEW_TIMEOUTS = {
  analyst: Duration.hours(24),
  escalated: Duration.hours(24),
  executive: Duration.hours(72),
} as const;

/** Errors worth retrying: throttling and service hiccups. Domain refusals are never retried. */
export const TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
  'AuditAppendConflict',
];

/**
 * The escalation workflow. The case starter (EscalationQueue -> one open case per customer
 * -> execution named after the case), the Escalation state machine whose Lambda tasks all run the
 * case-step function, and the audit export bucket (Object Lock) and its daily export.
 */
export class Escalation extends Construct {
  readonly stateMachine: StateMachine;
  readonly caseStep: TraceguardFunction;
  readonly startCase: TraceguardFunction;
  readonly auditExportBucket: Bucket;

  constructor(scope: Construct, id: string, props: EscalationProps) {
    super(scope, id);

    this.caseStep = new TraceguardFunction(this, 'CaseStepFunction', {
      entry: 'functions/case-step/handler.ts',
      description:
        'Escalation state machine steps: evidence, suspension, notices, review tokens, enforcement',
      key: props.key,
      timeout: Duration.seconds(30),
      trigger: 'states:Escalation',
    });
    const caseStep = this.caseStep;
    useTable(caseStep, 'CASES_TABLE', props.casesTable, [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
    ]);
    // tokens parked before they moved to the ReviewTokens table are still read and deleted in CASES_TABLE
    useTable(caseStep, 'REVIEW_TOKENS_TABLE', props.reviewTokensTable, [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
    ]);
    useTable(caseStep, 'CUSTOMERS_TABLE', props.customersTable, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    useTable(caseStep, 'TRACEBACKS_TABLE', props.tracebacksTable, ['dynamodb:Query']);
    // append-only: no UpdateItem or DeleteItem on the audit log for any function
    useTable(caseStep, 'AUDIT_TABLE', props.auditTable, [
      'dynamodb:PutItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
    ]);
    usePublish(caseStep, 'ONCALL_TOPIC_ARN', props.onCallTopic);
    usePublish(caseStep, 'ENFORCEMENT_TOPIC_ARN', props.eventsTopic);
    props.key.grant(caseStep, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');

    this.stateMachine = this.buildStateMachine(props);

    this.startCase = new TraceguardFunction(this, 'StartCaseFunction', {
      entry: 'functions/start-case/handler.ts',
      description:
        'Open one case per customer and start its escalation, or attach the event to the open case',
      key: props.key,
      timeout: EVENT_CONSUMER_MAX_TIMEOUT,
      trigger: 'sqs:EscalationQueue',
      environment: { STATE_MACHINE_ARN: this.stateMachine.stateMachineArn },
    });
    this.startCase.addEventSource(
      new SqsEventSource(props.escalationQueue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: 2,
      }),
    );
    // TransactWriteItems is authorized per item as PutItem / ConditionCheckItem
    useTable(this.startCase, 'CASES_TABLE', props.casesTable, [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:ConditionCheckItem',
    ]);
    useTable(this.startCase, 'AUDIT_TABLE', props.auditTable, [
      'dynamodb:PutItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
    ]);
    // a critical event joining a case already reviewed suspends the customer at once, as the
    // state machine's suspension step does for a case opened critical
    useTable(this.startCase, 'CUSTOMERS_TABLE', props.customersTable, [
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
    ]);
    usePublish(this.startCase, 'ONCALL_TOPIC_ARN', props.onCallTopic);
    usePublish(this.startCase, 'ENFORCEMENT_TOPIC_ARN', props.eventsTopic);
    props.key.grant(this.startCase, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    this.stateMachine.grantStartExecution(this.startCase);

    this.auditExportBucket = this.buildAuditExportBucket(props);
    new AuditExport(this, 'AuditExport', {
      key: props.key,
      auditTable: props.auditTable,
      bucket: this.auditExportBucket,
    });
    // failed, timed-out and aborted executions of both state machines page on-call (Observability)
  }

  private buildStateMachine(props: EscalationProps): StateMachine {
    const step = (name: string, payload: Record<string, unknown>, resultPath: string | null) => {
      const task = new LambdaInvoke(this, name, {
        lambdaFunction: this.caseStep,
        payload: TaskInput.fromObject({ caseId: JsonPath.stringAt('$.caseId'), ...payload }),
        payloadResponseOnly: true,
        resultPath: resultPath ?? JsonPath.DISCARD,
        retryOnServiceExceptions: false,
      });
      task.addRetry({
        errors: TRANSIENT_ERRORS,
        interval: Duration.seconds(2),
        maxAttempts: 4,
        backoffRate: 2,
      });
      return task;
    };
    const review = (name: string, stage: 'analyst' | 'escalated' | 'executive') => {
      const task = new LambdaInvoke(this, name, {
        lambdaFunction: this.caseStep,
        integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: TaskInput.fromObject({
          step: 'recordReviewToken',
          caseId: JsonPath.stringAt('$.caseId'),
          stage,
          token: JsonPath.taskToken,
        }),
        taskTimeout: Timeout.duration(REVIEW_TIMEOUTS[stage]),
        resultPath: '$.review',
        retryOnServiceExceptions: false,
      });
      task.addRetry({
        errors: TRANSIENT_ERRORS,
        interval: Duration.seconds(2),
        maxAttempts: 4,
        backoffRate: 2,
      });
      return task;
    };

    const alertFailure = step(
      'Alert on-call about failed step',
      { step: 'alertFailure', failure: JsonPath.objectAt('$.failure') },
      null,
    );
    alertFailure.next(new Fail(this, 'Case stopped after a failed step', { error: 'CaseStepFailed' }));
    const onFailure = <T extends { addCatch: LambdaInvoke['addCatch'] }>(task: T): T => {
      task.addCatch(alertFailure, { errors: ['States.ALL'], resultPath: '$.failure' });
      return task;
    };

    const gather = onFailure(step('Gather evidence', { step: 'gatherEvidence' }, '$.assessment'));
    const suspendAtOnce = onFailure(step('Suspend at once (critical)', { step: 'suspend' }, null));
    const notifyOnCall = onFailure(step('Notify on-call', { step: 'notify', kind: 'opened' }, null));
    const analystReview = review('Wait for analyst review', 'analyst');
    const escalateOverdue = onFailure(
      step('Escalate overdue review to the executive', { step: 'notify', kind: 'reviewOverdue' }, null),
    );
    const escalatedReview = review('Wait for escalated review', 'escalated');
    const executiveApproval = review('Wait for executive approval of termination', 'executive');
    const enforce = onFailure(step('Enforce decision', { step: 'enforce' }, null));
    const reinstate = onFailure(step('Reinstate customer if suspended', { step: 'reinstate' }, null));
    const close = onFailure(step('Close case', { step: 'close' }, null));
    close.next(new Succeed(this, 'Case closed'));
    enforce.next(close);
    reinstate.next(close);

    const whichDecision = new Choice(this, 'Which decision?')
      .when(Condition.stringEquals('$.decided.route', 'dismiss'), reinstate)
      .when(Condition.stringEquals('$.decided.route', 'executive'), executiveApproval)
      .when(
        Condition.or(
          Condition.stringEquals('$.decided.route', 'warn'),
          Condition.stringEquals('$.decided.route', 'suspend'),
          Condition.stringEquals('$.decided.route', 'terminate'),
        ),
        enforce,
      )
      .otherwise(new Fail(this, 'Unknown decision route', { error: 'UnknownRoute' }));

    // each review: record the decision (validated, same-person rule enforced); a refusal tells the
    // reviewers why and parks the case again in the same review
    const recordDecision = (stageName: string, wait: LambdaInvoke) => {
      const record = step(
        `Record ${stageName} decision`,
        { step: 'recordAudit', decision: JsonPath.objectAt('$.review') },
        '$.decided',
      );
      const refused = onFailure(
        step(
          `Tell reviewers the ${stageName} decision was refused`,
          { step: 'notify', kind: 'decisionRefused' },
          null,
        ),
      );
      record.addCatch(refused, { errors: ['DecisionRefused'], resultPath: '$.refusal' });
      onFailure(record);
      refused.next(wait);
      wait.next(record);
      record.next(whichDecision);
    };
    recordDecision('analyst', analystReview);
    recordDecision('escalated', escalatedReview);
    recordDecision('executive', executiveApproval);

    // a review that times out escalates and re-notifies; the escalated and executive ones alert
    analystReview.addCatch(escalateOverdue, { errors: ['States.Timeout'], resultPath: '$.timeout' });
    onFailure(analystReview);
    escalateOverdue.next(escalatedReview);
    onFailure(escalatedReview);
    onFailure(executiveApproval);

    gather.next(
      new Choice(this, 'Is the case critical?')
        .when(Condition.booleanEquals('$.assessment.critical', true), suspendAtOnce.next(notifyOnCall))
        .otherwise(notifyOnCall),
    );
    notifyOnCall.next(analystReview);

    const logGroup = new LogGroup(this, 'EscalationLogs', {
      // the prefix Step Functions' vended log delivery expects, which keeps the log resource policy small
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-escalation`,
      retention: RetentionDays.ONE_YEAR,
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const machine = new StateMachine(this, 'EscalationStateMachine', {
      comment:
        'Traceguard escalation: evidence, critical suspension, analyst review, executive approval, enforcement',
      definitionBody: DefinitionBody.fromChainable(gather),
      tracingEnabled: true,
      // every review has a timeout; this bounds the whole case (a loop of refusals included) by the
      // 14 days a provider has to report its mitigation to the FCC
      timeout: Duration.days(14),
      // execution data stays out of the logs: review payloads name people, example calls hold numbers
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
    });
    // no KMS grant: the machine reads no encrypted data itself (its log group is written by CloudWatch
    // Logs under the key's own statement, its tasks run in functions with their own roles)
    Validations.of(machine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments and CloudWatch Logs delivery actions for Step Functions only accept "*".',
    });
    Validations.of(machine.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).resolve(Stack.of(this).getLogicalId(this.caseStep.node.defaultChild as never))}.Arn>:*]`,
      reason:
        'Step Functions invokes the case-step function by any version or alias (CDK LambdaInvoke grant).',
    });
    return machine;
  }

  /**
   * The bucket the audit log is exported to every day, under Object Lock: in compliance mode not even
   * the account root can delete or shorten the retention of an exported record.
   */
  private buildAuditExportBucket(props: EscalationProps): Bucket {
    const lockDays = props.auditLock?.days ?? 366 * props.auditRetentionYears;
    const bucket = new Bucket(this, 'AuditExportBucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention:
        props.auditLock?.mode === 'governance'
          ? ObjectLockRetention.governance(Duration.days(lockDays))
          : ObjectLockRetention.compliance(Duration.days(lockDays)),
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      // who read or tried to delete an exported record, kept as long as the audit retention
      serverAccessLogsBucket: props.accessLogBucket,
      serverAccessLogsPrefix: 'audit-export-bucket/',
    });
    return bucket;
  }
}
