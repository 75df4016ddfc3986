import { type IAspect, Stack } from 'aws-cdk-lib';
import { CfnKey } from 'aws-cdk-lib/aws-kms';
import { CfnTopicPolicy } from 'aws-cdk-lib/aws-sns';
import { CfnQueuePolicy } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';

interface Statement {
  Effect?: string;
  Principal?: { Service?: unknown };
  Condition?: Record<string, Record<string, unknown>>;
}

/**
 * Confused deputy: every Allow in a key, queue or topic policy that names an AWS service principal is
 * limited to requests the service makes on behalf of this account (`aws:SourceAccount`). Several of
 * those statements are written by CDK itself (SNS-to-SQS and S3-to-SQS delivery on an encrypted queue)
 * with no condition or with `aws:SourceArn` only; this aspect adds the account to each, after every
 * construct has written its policy. Statements that already name the source account are left as they
 * are.
 */
export class ServicePrincipalConditions implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof CfnKey) node.keyPolicy = this.conditioned(node, node.keyPolicy);
    else if (node instanceof CfnQueuePolicy)
      node.policyDocument = this.conditioned(node, node.policyDocument);
    else if (node instanceof CfnTopicPolicy)
      node.policyDocument = this.conditioned(node, node.policyDocument);
  }

  private conditioned(node: IConstruct, policy: unknown): unknown {
    const stack = Stack.of(node);
    const document = stack.resolve(policy) as { Statement?: Statement[] } | undefined;
    for (const statement of document?.Statement ?? []) {
      if (statement.Effect !== 'Allow' || statement.Principal?.Service === undefined) continue;
      const already = Object.values(statement.Condition ?? {}).some((c) => 'aws:SourceAccount' in c);
      if (already) continue;
      statement.Condition = {
        ...statement.Condition,
        StringEquals: {
          ...statement.Condition?.StringEquals,
          'aws:SourceAccount': stack.resolve(stack.account),
        },
      };
    }
    return document;
  }
}
