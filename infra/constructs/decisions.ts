import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { AccountPrincipal, type ManagedPolicy, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type FunctionUrl, FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { useTable } from './access.ts';
import { TraceguardFunction } from './traceguard-function.ts';

export interface DecisionsProps {
  key: IKey;
  casesTable: ITable;
  dossiersTable: ITable;
  auditTable: ITable;
  reviewTokensTable: ITable;
}

/**
 * Reviewers' decisions, case and onboarding alike, go through one function behind a function URL
 * with IAM auth: IAM verifies who calls, the function takes the decider from that (never from the
 * request), enforces the review rules and alone reads the task tokens and answers the parked tasks.
 *
 * Who is an executive is IAM's too: the stack creates two roles, ReviewerRole (analysts) and
 * ExecutiveReviewerRole, and the function lets only sessions of the executive role take an executive
 * step. Both trust IAM users of this account whose session name is their own user name, so the
 * person a decision is recorded under is the user who assumed the role; who may assume which role
 * is the carrier's to grant (`sts:AssumeRole` on the role's ARN).
 */
export class Decisions extends Construct {
  readonly decideFunction: TraceguardFunction;
  readonly url: FunctionUrl;
  readonly reviewerRole: Role;
  readonly executiveRole: Role;

  constructor(scope: Construct, id: string, props: DecisionsProps) {
    super(scope, id);
    const reviewerRole = (roleId: string, description: string) =>
      new Role(this, roleId, {
        description,
        maxSessionDuration: Duration.hours(1),
        // the session name is the person the decision is recorded under: pinned to the IAM user name
        assumedBy: new AccountPrincipal(Stack.of(this).account).withConditions({
          // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not JavaScript
          StringEquals: { 'sts:RoleSessionName': '${aws:username}' },
        }),
      });
    this.reviewerRole = reviewerRole(
      'ReviewerRole',
      'Traceguard: an analyst reviews cases and applications (session name = IAM user name)',
    );
    this.executiveRole = reviewerRole(
      'ExecutiveReviewerRole',
      'Traceguard: an executive approves terminations and risky applications (session name = IAM user name)',
    );

    this.decideFunction = new TraceguardFunction(this, 'DecideFunction', {
      entry: 'functions/decide/handler.ts',
      description: 'Reviewers’ decisions on cases and applications, from the IAM-verified caller',
      key: props.key,
      timeout: Duration.seconds(15),
      trigger: 'url:Decisions',
      environment: { EXECUTIVE_ROLE_NAMES: this.executiveRole.roleName },
    });
    const fn = this.decideFunction;
    // the case, a refusal on it (refusals only), a token parked there before tokens moved
    useTable(fn, 'CASES_TABLE', props.casesTable, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    // the dossier, a refusal saved on it (and its customer pointer, as every dossier save writes)
    useTable(fn, 'DOSSIERS_TABLE', props.dossiersTable, ['dynamodb:GetItem', 'dynamodb:PutItem']);
    useTable(fn, 'AUDIT_TABLE', props.auditTable, ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem']);
    useTable(fn, 'REVIEW_TOKENS_TABLE', props.reviewTokensTable, ['dynamodb:GetItem']);
    props.key.grant(fn, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    fn.addToRolePolicy(
      new PolicyStatement({
        // the task token is the capability; IAM cannot scope tokens of service-integration tasks
        actions: ['states:SendTaskSuccess'],
        resources: ['*'],
      }),
    );
    Validations.of(fn.role ?? fn).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'states:SendTaskSuccess for callback task tokens accepts no resource-level scope; only this function holds the tokens.',
    });

    this.url = fn.addFunctionUrl({ authType: FunctionUrlAuthType.AWS_IAM });
  }

  /** Lets a policy's holders send decisions (sign requests to the function URL), nothing more. */
  allowDeciding(policy: ManagedPolicy): void {
    policy.addStatements(
      new PolicyStatement({
        sid: 'SendDecisions',
        actions: ['lambda:InvokeFunctionUrl'],
        resources: [this.decideFunction.functionArn],
        conditions: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
      }),
    );
  }

  /** Both reviewer roles hold the reviewers' policies; which role a session is decides the executive steps. */
  attach(...policies: ManagedPolicy[]): void {
    for (const policy of policies)
      for (const role of [this.reviewerRole, this.executiveRole]) policy.attachToRole(role);
  }
}
