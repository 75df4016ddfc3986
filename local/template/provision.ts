import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type LocalSecondaryIndex,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import type { LocalClients } from '../aws-clients.ts';
import type { StackResource } from './cfn-template.ts';
import type { TemplateResolver } from './intrinsics.ts';

/** Queue attributes CloudFormation and SQS share; the rest (KMS, policies) has no local meaning. */
const QUEUE_ATTRIBUTES = [
  'VisibilityTimeout',
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'FifoQueue',
  'ContentBasedDeduplication',
] as const;

function ofType(resolver: TemplateResolver, ...types: string[]): StackResource[] {
  return [...resolver.templates.resources.values()].filter((resource) => types.includes(resource.Type));
}

function prop(resolver: TemplateResolver, resource: StackResource, name: string): unknown {
  return resolver.resolve(
    resource.Properties?.[name],
    `Resources.${resource.logicalId}.Properties.${name}`,
    resource.stackName,
  );
}

export async function createBuckets(resolver: TemplateResolver, clients: LocalClients): Promise<void> {
  for (const bucket of ofType(resolver, 'AWS::S3::Bucket')) {
    await clients.s3.send(
      new CreateBucketCommand({ Bucket: resolver.identity(bucket.logicalId).physicalName }),
    );
  }
}

/** Creates every queue; returns queue name -> URL as the SQS emulator reports it. */
export async function createQueues(
  resolver: TemplateResolver,
  clients: LocalClients,
): Promise<Map<string, string>> {
  const urls = new Map<string, string>();
  for (const queue of ofType(resolver, 'AWS::SQS::Queue')) {
    const name = resolver.identity(queue.logicalId).physicalName;
    const attributes: Record<string, string> = {};
    for (const attribute of QUEUE_ATTRIBUTES) {
      const value = prop(resolver, queue, attribute);
      if (value !== undefined) attributes[attribute] = String(value);
    }
    const redrive = prop(resolver, queue, 'RedrivePolicy');
    if (redrive !== undefined)
      attributes.RedrivePolicy = typeof redrive === 'string' ? redrive : JSON.stringify(redrive);
    // the tags say what a dead-letter queue holds and where its redrive goes (`traceguard dlq` reads them)
    const tags = (prop(resolver, queue, 'Tags') ?? []) as Array<{ Key: string; Value: unknown }>;
    const created = await clients.sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: attributes,
        tags: Object.fromEntries(tags.map((tag) => [tag.Key, String(tag.Value)])),
      }),
    );
    if (!created.QueueUrl) throw new Error(`CreateQueue ${name} (${queue.logicalId}) returned no QueueUrl`);
    urls.set(name, created.QueueUrl);
  }
  return urls;
}

interface SubscriptionSpec {
  path: string;
  topicArn: string;
  protocol: string;
  endpoint: string;
  attributes: Record<string, string>;
}

function subscriptionAttributes(source: Record<string, unknown>): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const name of ['RawMessageDelivery', 'FilterPolicy', 'FilterPolicyScope', 'RedrivePolicy']) {
    const value = source[name];
    if (value === undefined) continue;
    attributes[name] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return attributes;
}

export async function createTopicsAndSubscriptions(
  resolver: TemplateResolver,
  clients: LocalClients,
): Promise<void> {
  const subscriptions: SubscriptionSpec[] = [];
  for (const topic of ofType(resolver, 'AWS::SNS::Topic')) {
    const identity = resolver.identity(topic.logicalId);
    const fifo = String(prop(resolver, topic, 'FifoTopic') ?? 'false') === 'true';
    await clients.sns.send(
      new CreateTopicCommand({
        Name: identity.physicalName,
        Attributes: fifo ? { FifoTopic: 'true' } : undefined,
      }),
    );
    const inline = (prop(resolver, topic, 'Subscription') ?? []) as Array<{
      Endpoint: string;
      Protocol: string;
    }>;
    inline.forEach((entry, index) => {
      subscriptions.push({
        path: `Resources.${topic.logicalId}.Properties.Subscription[${index}]`,
        topicArn: identity.ref,
        protocol: entry.Protocol,
        endpoint: entry.Endpoint,
        attributes: {},
      });
    });
  }
  for (const subscription of ofType(resolver, 'AWS::SNS::Subscription')) {
    const properties = prop(resolver, subscription, 'TopicArn');
    const resolved = resolver.resolve(
      subscription.Properties ?? {},
      `Resources.${subscription.logicalId}.Properties`,
      subscription.stackName,
    ) as Record<string, unknown>;
    subscriptions.push({
      path: `Resources.${subscription.logicalId}`,
      topicArn: String(properties),
      protocol: String(resolved.Protocol),
      endpoint: String(resolved.Endpoint),
      attributes: subscriptionAttributes(resolved),
    });
  }
  for (const spec of subscriptions) {
    if (spec.protocol !== 'sqs') {
      // email / sms / https endpoints have nowhere to go on a laptop; the topic still records the publish
      continue;
    }
    await clients.sns.send(
      new SubscribeCommand({
        TopicArn: spec.topicArn,
        Protocol: 'sqs',
        Endpoint: spec.endpoint,
        Attributes: spec.attributes,
        ReturnSubscriptionArn: true,
      }),
    );
  }
}

type TableProperties = {
  KeySchema: KeySchemaElement[];
  AttributeDefinitions: AttributeDefinition[];
  GlobalSecondaryIndexes?: Array<GlobalSecondaryIndex & Record<string, unknown>>;
  LocalSecondaryIndexes?: LocalSecondaryIndex[];
  StreamSpecification?: { StreamViewType?: string };
};

/** Only what shapes the data: keys, indexes, streams. Billing, KMS and PITR have no local meaning. */
function createTableInput(name: string, properties: TableProperties): CreateTableCommandInput {
  const input: CreateTableCommandInput = {
    TableName: name,
    KeySchema: properties.KeySchema,
    AttributeDefinitions: properties.AttributeDefinitions,
    BillingMode: 'PAY_PER_REQUEST',
  };
  if (properties.GlobalSecondaryIndexes?.length) {
    input.GlobalSecondaryIndexes = properties.GlobalSecondaryIndexes.map((index) => ({
      IndexName: index.IndexName,
      KeySchema: index.KeySchema,
      Projection: index.Projection,
    }));
  }
  if (properties.LocalSecondaryIndexes?.length)
    input.LocalSecondaryIndexes = properties.LocalSecondaryIndexes;
  if (properties.StreamSpecification?.StreamViewType) {
    input.StreamSpecification = {
      StreamEnabled: true,
      StreamViewType: properties.StreamSpecification.StreamViewType as 'NEW_AND_OLD_IMAGES',
    };
  }
  return input;
}

/** Creates missing tables; existing ones (a restart on the same data folder) keep their items. */
export async function createTables(resolver: TemplateResolver, clients: LocalClients): Promise<void> {
  for (const table of ofType(resolver, 'AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable')) {
    const name = resolver.identity(table.logicalId).physicalName;
    const properties = resolver.resolve(
      table.Properties ?? {},
      `Resources.${table.logicalId}.Properties`,
      table.stackName,
    ) as TableProperties;
    if (!Array.isArray(properties.KeySchema) || !Array.isArray(properties.AttributeDefinitions)) {
      throw new Error(`Resources.${table.logicalId}: a table needs KeySchema and AttributeDefinitions`);
    }
    try {
      await clients.dynamodb.send(new DescribeTableCommand({ TableName: name }));
      continue;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    await clients.dynamodb.send(new CreateTableCommand(createTableInput(name, properties)));
  }
}
