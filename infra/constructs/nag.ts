import { type CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The logical id cdk-nag prints in findings such as `AwsSolutions-IAM5[Resource::<CdrBucketABC.Arn>/cdr/*]`,
 * so an acknowledgement names exactly one resource and stays valid if the id changes.
 */
export function nagRef(resource: IConstruct): string {
  const cfn = resource.node.defaultChild as CfnElement;
  return Stack.of(resource).resolve(Stack.of(resource).getLogicalId(cfn)) as string;
}
