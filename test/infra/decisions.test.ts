import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  type CfnResource,
  functionByHandler,
  logicalIdOf,
  resourcesOfType,
  synthTraceguard,
} from './synth.ts';

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

/**
 * Decisions are recorded under the identity IAM verified: only the decision function, behind a
 * function URL with IAM auth, reads review task tokens and answers review tasks; reviewers can only
 * call it, and only sessions of the executive reviewer role take executive steps.
 */
describe('the decision function', () => {
  const { template } = synthTraceguard();
  const resources = template.toJSON().Resources as Record<string, CfnResource>;
  const [decideId, decide] = functionByHandler(template, 'decide');
  const decideRole = decide.Properties!.Role['Fn::GetAtt'][0] as string;
  const tokensTable = logicalIdOf(template, 'AWS::DynamoDB::Table', 'ReviewTokensTable');
  const executiveRole = logicalIdOf(template, 'AWS::IAM::Role', 'ExecutiveReviewerRole');
  const policies = Object.entries(resources).filter(
    ([, r]) => r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy',
  );
  const statementsOf = (r: CfnResource) => (r.Properties?.PolicyDocument?.Statement ?? []) as Statement[];
  const attachedTo = (r: CfnResource): string[] =>
    (r.Properties?.Roles ?? []).map((role: { Ref: string }) => role.Ref);

  it('sits behind a function URL with AWS_IAM auth', () => {
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'AWS_IAM',
      TargetFunctionArn: { 'Fn::GetAtt': [decideId, 'Arn'] },
    });
    expect(resourcesOfType(template, 'AWS::Lambda::Url')).toHaveLength(1);
  });

  it('is the only one that may answer a review task: no person’s policy has states:SendTaskSuccess', () => {
    const answering = policies
      .filter(([, r]) =>
        statementsOf(r).some((s) => list(s.Action).some((a) => /^states:(SendTask|\*)/.test(a))),
      )
      .flatMap(([id, r]) => (r.Type === 'AWS::IAM::Policy' ? attachedTo(r) : [id]));
    expect(answering).toEqual([decideRole]);
  });

  it('keeps the task tokens where no person’s policy reaches: only the workflow steps and itself read them', () => {
    const readsTokens = (s: Statement) =>
      list(s.Action).some((a) => a.startsWith('dynamodb:')) &&
      (JSON.stringify(s.Resource).includes(tokensTable) || JSON.stringify(s.Resource) === '"*"');
    const readers = policies.filter(([, r]) => statementsOf(r).some(readsTokens));
    expect(readers.filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy')).toEqual([]);
    const steps = ['CaseStepFunction', 'DecideFunction', 'OnboardingStepFunction'];
    expect(readers.map(([id]) => steps.find((step) => id.includes(step)) ?? id).sort()).toEqual(steps);
    const tokenGrants = statementsOf(
      policies.find(([, r]) => attachedTo(r).includes(decideRole))?.[1] as CfnResource,
    ).filter((s) => JSON.stringify(s.Resource).includes(tokensTable));
    expect(tokenGrants.flatMap((s) => list(s.Action))).toEqual(['dynamodb:GetItem']);
  });

  it('takes executive steps only from sessions of the executive reviewer role, named for their IAM user', () => {
    expect(decide.Properties!.Environment.Variables.EXECUTIVE_ROLE_NAMES).toEqual({ Ref: executiveRole });
    for (const role of ['ReviewerRole', 'ExecutiveReviewerRole']) {
      const [, r] = resourcesOfType(template, 'AWS::IAM::Role').find(([id]) =>
        id.includes(`Decisions${role}`),
      ) as [string, CfnResource];
      expect(r.Properties!.AssumeRolePolicyDocument.Statement).toEqual([
        expect.objectContaining({
          Action: 'sts:AssumeRole',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not JavaScript
          Condition: { StringEquals: { 'sts:RoleSessionName': '${aws:username}' } },
        }),
      ]);
    }
    // both roles hold the reviewers' policies, so either can read and send decisions
    for (const hint of ['ReviewerPolicy', 'DossierReviewPolicy']) {
      const id = logicalIdOf(template, 'AWS::IAM::ManagedPolicy', new RegExp(`(Parties|Onboarding)${hint}`));
      expect(attachedTo(resources[id]).sort()).toEqual(
        [executiveRole, logicalIdOf(template, 'AWS::IAM::Role', /DecisionsReviewerRole/)].sort(),
      );
    }
  });

  it('is reached by the reviewer policies with a signed request only', () => {
    for (const hint of [/PartiesReviewerPolicy/, /DossierReviewPolicy/]) {
      template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 'lambda:InvokeFunctionUrl',
              Resource: { 'Fn::GetAtt': [decideId, 'Arn'] },
              Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
            }),
          ]),
        },
      });
      expect(logicalIdOf(template, 'AWS::IAM::ManagedPolicy', hint)).toBeDefined();
    }
  });
});
