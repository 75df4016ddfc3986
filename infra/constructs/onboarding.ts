import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, type ITable, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
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
import { auditPk } from '../../shared/aws/audit-store.ts';
import { APPLICATION_PK_PREFIX, DO_NOT_ONBOARD_PK, ROSTER_PK } from '../../shared/aws/onboarding-store.ts';
import { CUSTOMER_PK_PREFIX, DECLARED_PK } from '../../shared/aws/reference-store.ts';
import { onboardingStream } from '../../shared/kyc/dossier.ts';
import { TRACK_RECORD_STREAM } from '../../shared/kyc/trusted-decision.ts';
import { useBucket, usePublish, useTable } from './access.ts';
import { TRANSIENT_ERRORS } from './escalation.ts';
import { keyThrough } from './key-through.ts';
import { nagRef } from './nag.ts';
import { TraceguardFunction } from './traceguard-function.ts';

export interface OnboardingProps {
  key: IKey;
  onCallTopic: ITopic;
  customersTable: ITable;
  auditTable: ITable;
  /** where the onboarding steps park review task tokens (no reviewer reads it) */
  reviewTokensTable: ITable;
  /** the DNO list and number inventory the number checks read */
  referenceBucket: IBucket;
}

/** How long each reviewer has; an application not reviewed in time is refused, never left hanging. */
export const ONBOARDING_REVIEW_TIMEOUTS = {
  analyst: Duration.days(7),
  executive: Duration.days(7),
} as const;

/**
 * Know your customer: the Dossiers table (applications with ID numbers and addresses, encrypted with
 * the stack's key, readable by the onboarding function and the onboarding reviewer policy only), the
 * onboarding-step function and the Onboarding state machine: checks, analyst review, executive
 * approval when required, activation or refusal.
 */
export class Onboarding extends Construct {
  readonly dossiersTable: Table;
  readonly onboardingStep: TraceguardFunction;
  readonly stateMachine: StateMachine;
  readonly reviewerPolicy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: OnboardingProps) {
    super(scope, id);
    this.dossiersTable = new Table(this, 'DossiersTable', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.onboardingStep = new TraceguardFunction(this, 'OnboardingStepFunction', {
      entry: 'functions/onboarding-step/handler.ts',
      description: 'Onboarding state machine steps: checks, review tokens, decisions, activation, refusal',
      key: props.key,
      timeout: Duration.seconds(30),
      trigger: 'states:Onboarding',
    });
    const fn = this.onboardingStep;
    useTable(fn, 'DOSSIERS_TABLE', this.dossiersTable, [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
    ]);
    // registry rows are written with UpdateItem (the profile and the track-record dates) and PutItem
    // (roster); the checks query the roster (the customers an applicant is compared with) and the
    // declarations partition (read with the number inventory)
    useTable(fn, 'CUSTOMERS_TABLE', props.customersTable, [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:Query',
    ]);
    useTable(fn, 'AUDIT_TABLE', props.auditTable, ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query']);
    useTable(fn, 'REVIEW_TOKENS_TABLE', props.reviewTokensTable, [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
    ]);
    useBucket(fn, 'REFERENCE_BUCKET', props.referenceBucket, props.key, { readPrefix: 'reference/' });
    usePublish(fn, 'ONCALL_TOPIC_ARN', props.onCallTopic);
    props.key.grant(fn, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');

    this.stateMachine = this.buildStateMachine(props);
    this.reviewerPolicy = this.buildReviewerPolicy(props);
  }

  /**
   * Enforcement keeps a terminated or suspended customer on the do-not-onboard list (and takes a
   * reinstated one off it): it reads the customer's dossier (identifiers) and writes and deletes
   * do-not-onboard entries (partition key DNO), nothing else.
   */
  grantEnforcementHook(fn: TraceguardFunction): void {
    fn.addEnvironment('DOSSIERS_TABLE', this.dossiersTable.tableName);
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [this.dossiersTable.tableArn] }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
        resources: [this.dossiersTable.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [DO_NOT_ONBOARD_PK] } },
      }),
    );
    this.dossiersTable.encryptionKey?.grant(fn, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
  }

  private buildStateMachine(props: OnboardingProps): StateMachine {
    const retry = (task: LambdaInvoke) => {
      task.addRetry({
        errors: TRANSIENT_ERRORS,
        interval: Duration.seconds(2),
        maxAttempts: 4,
        backoffRate: 2,
      });
      return task;
    };
    const step = (name: string, payload: Record<string, unknown>, resultPath: string | null) =>
      retry(
        new LambdaInvoke(this, name, {
          lambdaFunction: this.onboardingStep,
          payload: TaskInput.fromObject({ applicationId: JsonPath.stringAt('$.applicationId'), ...payload }),
          payloadResponseOnly: true,
          resultPath: resultPath ?? JsonPath.DISCARD,
          retryOnServiceExceptions: false,
        }),
      );
    const review = (name: string, stage: 'analyst' | 'executive') =>
      retry(
        new LambdaInvoke(this, name, {
          lambdaFunction: this.onboardingStep,
          integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
          payload: TaskInput.fromObject({
            step: 'recordReviewToken',
            applicationId: JsonPath.stringAt('$.applicationId'),
            stage,
            token: JsonPath.taskToken,
          }),
          taskTimeout: Timeout.duration(ONBOARDING_REVIEW_TIMEOUTS[stage]),
          resultPath: '$.review',
          retryOnServiceExceptions: false,
        }),
      );

    const alertFailure = step(
      'Alert on-call about failed onboarding step',
      { step: 'alertFailure', failure: JsonPath.objectAt('$.failure') },
      null,
    );
    alertFailure.next(
      new Fail(this, 'Onboarding stopped after a failed step', { error: 'OnboardingStepFailed' }),
    );
    const onFailure = (task: LambdaInvoke) => {
      task.addCatch(alertFailure, { errors: ['States.ALL'], resultPath: '$.failure' });
      return task;
    };

    const check = onFailure(step('Run onboarding checks', { step: 'check' }, '$.assessment'));
    const analystReview = review('Wait for analyst review of the application', 'analyst');
    const executiveApproval = review('Wait for executive approval of the application', 'executive');
    // a terminated customer (or one suspended since the checks, without an executive's approval) is
    // refused without review; its registry profile is never rewritten
    const refuseBarred = onFailure(
      step('Refuse application: customer under enforcement', { step: 'refuse', barred: true }, null),
    ).next(new Succeed(this, 'Application refused: customer under enforcement'));
    const activate = step('Activate customer as new', { step: 'activate' }, '$.activated');
    // before onFailure's catch-all: catchers are tried in order
    activate.addCatch(refuseBarred, { errors: ['OnboardingBarred'], resultPath: '$.barred' });
    onFailure(activate).next(new Succeed(this, 'Customer activated'));
    const refuse = onFailure(step('Refuse application', { step: 'refuse' }, null));
    refuse.next(new Succeed(this, 'Application refused'));
    const refuseOverdue = (stage: 'analyst' | 'executive') =>
      onFailure(
        step(`Refuse application: ${stage} review overdue`, { step: 'refuse', timedOut: stage }, null),
      ).next(new Succeed(this, `Application refused: ${stage} review overdue`));

    const whichRoute = new Choice(this, 'Which onboarding route?')
      .when(Condition.stringEquals('$.decided.route', 'activate'), activate)
      .when(Condition.stringEquals('$.decided.route', 'executive'), executiveApproval)
      .when(Condition.stringEquals('$.decided.route', 'refuse'), refuse)
      .otherwise(new Fail(this, 'Unknown onboarding route', { error: 'UnknownRoute' }));

    // each review: record the decision (validated, different-person rule enforced); a refused decision
    // is recorded and the application waits in the same review again
    for (const [stage, wait] of [
      ['analyst', analystReview],
      ['executive', executiveApproval],
    ] as const) {
      const record = step(
        `Record ${stage} decision on the application`,
        { step: 'recordDecision', decision: JsonPath.objectAt('$.review') },
        '$.decided',
      );
      record.addCatch(wait, { errors: ['OnboardingDecisionRefused'], resultPath: '$.refusal' });
      onFailure(record);
      wait.next(record);
      record.next(whichRoute);
      wait.addCatch(refuseOverdue(stage), { errors: ['States.Timeout'], resultPath: '$.timeout' });
      onFailure(wait);
    }
    check.next(
      new Choice(this, 'Is the customer terminated?')
        .when(Condition.booleanEquals('$.assessment.barred', true), refuseBarred)
        .otherwise(analystReview),
    );

    const logGroup = new LogGroup(this, 'OnboardingLogs', {
      // the prefix Step Functions' vended log delivery expects, which keeps the log resource policy small
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-onboarding`,
      retention: RetentionDays.ONE_YEAR,
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const machine = new StateMachine(this, 'OnboardingStateMachine', {
      comment: 'Traceguard onboarding: checks, analyst review, executive approval, activation or refusal',
      definitionBody: DefinitionBody.fromChainable(check),
      tracingEnabled: true,
      // both reviews with a refused decision or two; bounds the execution even if a review loops
      timeout: Duration.days(21),
      // execution data stays out of the logs: applications hold ID numbers, addresses and phone numbers
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
    });
    props.key.grant(machine, 'kms:Decrypt', 'kms:GenerateDataKey');
    Validations.of(machine.role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray PutTraceSegments and CloudWatch Logs delivery actions for Step Functions only accept "*".',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${nagRef(this.onboardingStep)}.Arn>:*]`,
        reason:
          'Step Functions invokes the onboarding-step function by any version or alias (CDK LambdaInvoke grant).',
      },
    );
    return machine;
  }

  /**
   * Analysts and executives attach this to submit applications, read dossiers and (executives) answer
   * the track-record review's proposals to trust a customer: the calls of `traceguard customers apply
   * | applications | show | trusted`, nothing else. `customers decide` goes through the decision
   * function (Decisions.allowDeciding).
   */
  private buildReviewerPolicy(props: OnboardingProps): ManagedPolicy {
    const onlyPartitions = (keys: string[]) => ({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': keys },
    });
    const policy = new ManagedPolicy(this, 'DossierReviewPolicy', {
      description:
        'Traceguard: a reviewer submits onboarding applications, reads and decides them, and answers proposals to trust a customer',
      statements: [
        new PolicyStatement({
          // show reads one dossier, applications them all; apply reads the stored one when the
          // application was submitted before. Review task tokens are in the ReviewTokens table
          sid: 'ReadDossiers',
          actions: ['dynamodb:GetItem', 'dynamodb:Scan'],
          resources: [this.dossiersTable.tableArn],
        }),
        new PolicyStatement({
          // apply stores a new dossier and points its customer at it. Not the do-not-onboard list or RMD
          sid: 'SubmitDossiersAndRecordRefusals',
          actions: ['dynamodb:PutItem'],
          resources: [this.dossiersTable.tableArn],
          conditions: onlyPartitions([`${APPLICATION_PK_PREFIX}*`, `${CUSTOMER_PK_PREFIX}*`]),
        }),
        new PolicyStatement({
          // each application's stream and the track-record stream: read (show, trusted) and appended to
          // after their head (submitted, a trusted decision), no other stream
          sid: 'AppendToOnboardingStreams',
          actions: ['dynamodb:Query', 'dynamodb:PutItem'],
          resources: [props.auditTable.tableArn],
          conditions: onlyPartitions([auditPk(onboardingStream('*')), auditPk(TRACK_RECORD_STREAM)]),
        }),
        new PolicyStatement({
          // trusted reads the customer's registry row and status
          sid: 'ReadCustomerProfiles',
          actions: ['dynamodb:GetItem'],
          resources: [props.customersTable.tableArn],
          conditions: onlyPartitions([`${CUSTOMER_PK_PREFIX}*`]),
        }),
        new PolicyStatement({
          // an approved customer's registry row is written as onboarding writes it: the profile and its
          // declarations updated, the declarations and the roster entry put
          sid: 'RegisterTrustedCustomers',
          actions: ['dynamodb:UpdateItem'],
          resources: [props.customersTable.tableArn],
          conditions: onlyPartitions([`${CUSTOMER_PK_PREFIX}*`, DECLARED_PK]),
        }),
        new PolicyStatement({
          sid: 'RegisterTrustedCustomersDeclarationsAndRoster',
          actions: ['dynamodb:PutItem'],
          resources: [props.customersTable.tableArn],
          conditions: onlyPartitions([DECLARED_PK, ROSTER_PK]),
        }),
        new PolicyStatement({
          sid: 'StartOnboarding',
          actions: ['states:StartExecution'],
          resources: [this.stateMachine.stateMachineArn],
        }),
        keyThrough(props.key, ['dynamodb'], ['kms:Decrypt', 'kms:GenerateDataKey'], 'DataKeyThroughDynamoDB'),
      ],
    });
    return policy;
  }
}
