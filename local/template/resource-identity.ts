import { createHash } from 'node:crypto';
import type { StackResource } from './cfn-template.ts';

export const LOCAL_ACCOUNT = '000000000000';

/** What `Ref` and `Fn::GetAtt` return for one resource in the local runtime. */
export interface ResourceIdentity {
  logicalId: string;
  type: string;
  physicalName: string;
  ref: string;
  attributes: Record<string, string>;
}

export interface IdentityContext {
  region: string;
  /** the explicit name property (BucketName, QueueName...) resolved, or undefined */
  explicitName(resource: StackResource, property: string): string | undefined;
  /** queue URL as the SQS emulator reports it (queues are created before anything reads their URL) */
  queueUrl(queueName: string): string | undefined;
}

/** S3 bucket names: 3-63 chars of lowercase letters, digits, dots and hyphens. */
function bucketNameFrom(logicalId: string): string {
  const cleaned = logicalId.toLowerCase().replace(/[^a-z0-9.-]/g, '-');
  return cleaned.length <= 63 ? cleaned.padEnd(3, '0') : cleaned.slice(0, 63);
}

/** Physical names are derived from logical IDs unless the template names the resource itself. */
export function physicalNameOf(resource: StackResource, context: IdentityContext): string {
  const named = (property: string) => context.explicitName(resource, property);
  const fifo = resource.Properties?.FifoQueue === true || resource.Properties?.FifoQueue === 'true';
  switch (resource.Type) {
    case 'AWS::S3::Bucket':
      return named('BucketName') ?? bucketNameFrom(resource.logicalId);
    case 'AWS::SQS::Queue':
      return named('QueueName') ?? `${resource.logicalId}${fifo ? '.fifo' : ''}`;
    case 'AWS::SNS::Topic':
      return named('TopicName') ?? `${resource.logicalId}${fifo ? '.fifo' : ''}`;
    case 'AWS::DynamoDB::Table':
    case 'AWS::DynamoDB::GlobalTable':
      return named('TableName') ?? resource.logicalId;
    case 'AWS::Lambda::Function':
      return named('FunctionName') ?? resource.logicalId;
    case 'AWS::StepFunctions::StateMachine':
      return named('StateMachineName') ?? resource.logicalId;
    case 'AWS::Events::Rule':
      return named('Name') ?? resource.logicalId;
    case 'AWS::IAM::Role':
      return named('RoleName') ?? resource.logicalId;
    case 'AWS::Logs::LogGroup':
      return named('LogGroupName') ?? resource.logicalId;
    default:
      return resource.logicalId;
  }
}

export function identityOf(resource: StackResource, context: IdentityContext): ResourceIdentity {
  const { region } = context;
  const name = physicalNameOf(resource, context);
  const base = { logicalId: resource.logicalId, type: resource.Type, physicalName: name };
  const arn = (service: string, rest: string) => `arn:aws:${service}:${region}:${LOCAL_ACCOUNT}:${rest}`;
  switch (resource.Type) {
    case 'AWS::S3::Bucket':
      return {
        ...base,
        ref: name,
        attributes: {
          Arn: `arn:aws:s3:::${name}`,
          DomainName: `${name}.s3.amazonaws.com`,
          RegionalDomainName: `${name}.s3.${region}.amazonaws.com`,
        },
      };
    case 'AWS::SQS::Queue': {
      const url = context.queueUrl(name) ?? `http://sqs.${region}.localhost/${LOCAL_ACCOUNT}/${name}`;
      return { ...base, ref: url, attributes: { Arn: arn('sqs', name), QueueUrl: url, QueueName: name } };
    }
    case 'AWS::SNS::Topic': {
      const topicArn = arn('sns', name);
      return { ...base, ref: topicArn, attributes: { TopicArn: topicArn, TopicName: name } };
    }
    case 'AWS::DynamoDB::Table':
    case 'AWS::DynamoDB::GlobalTable':
      return {
        ...base,
        ref: name,
        attributes: {
          Arn: arn('dynamodb', `table/${name}`),
          StreamArn: arn('dynamodb', `table/${name}/stream/local`),
        },
      };
    case 'AWS::Lambda::Function':
      return { ...base, ref: name, attributes: { Arn: arn('lambda', `function:${name}`) } };
    case 'AWS::StepFunctions::StateMachine': {
      const machineArn = arn('states', `stateMachine:${name}`);
      return { ...base, ref: machineArn, attributes: { Arn: machineArn, Name: name } };
    }
    case 'AWS::Events::Rule':
      return { ...base, ref: name, attributes: { Arn: arn('events', `rule/${name}`) } };
    case 'AWS::IAM::Role':
      return {
        ...base,
        ref: name,
        attributes: {
          Arn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/${name}`,
          RoleId: `AROA${name.toUpperCase()}`,
        },
      };
    case 'AWS::KMS::Key': {
      const keyId = createHash('sha256').update(resource.logicalId).digest('hex').slice(0, 32);
      return { ...base, ref: keyId, attributes: { Arn: arn('kms', `key/${keyId}`), KeyId: keyId } };
    }
    case 'AWS::Logs::LogGroup':
      return { ...base, ref: name, attributes: { Arn: arn('logs', `log-group:${name}:*`) } };
    case 'AWS::Lambda::Url': {
      // not served: against the local stack the CLI runs the decision code itself (no IAM to verify
      // a caller), so the URL only names the resource in the outputs
      const url = `http://${resource.logicalId.toLowerCase()}.lambda-url.${region}.localhost/`;
      return { ...base, ref: url, attributes: { FunctionUrl: url, FunctionArn: arn('lambda', name) } };
    }
    default: {
      const service = resource.Type.split('::')[1]?.toLowerCase() ?? 'local';
      return { ...base, ref: name, attributes: { Arn: arn(service, name) } };
    }
  }
}
