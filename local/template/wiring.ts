import type { StackResource } from './cfn-template.ts';
import type { TemplateResolver } from './intrinsics.ts';

/** A Lambda function the local runtime can run: its handler module and its resolved environment. */
export interface LocalFunctionSpec {
  logicalId: string;
  name: string;
  arn: string;
  /** handler file relative to the repo root, from `traceguard:entry` metadata */
  entry: string;
  handlerExport: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  /** the template's MemorySize: what the handler's context and logs report as its memory */
  memorySizeMb: number;
}

export interface EventSourceMappingSpec {
  logicalId: string;
  queueArn: string;
  functionName: string;
  batchSize: number;
  reportBatchItemFailures: boolean;
  enabled: boolean;
  maximumConcurrency: number;
}

export type NotificationTarget =
  | { kind: 'queue'; arn: string }
  | { kind: 'topic'; arn: string }
  | { kind: 'function'; arn: string };

export interface BucketNotificationSpec {
  bucket: string;
  /** S3 event name patterns, e.g. `s3:ObjectCreated:*` */
  events: string[];
  prefix?: string;
  suffix?: string;
  target: NotificationTarget;
}

export interface ScheduleSpec {
  logicalId: string;
  ruleArn: string;
  expression: string;
  enabled: boolean;
  targets: Array<{ functionArn: string; input?: unknown }>;
}

export interface StateMachineSpec {
  logicalId: string;
  name: string;
  arn: string;
  definition: unknown;
}

export interface LocalWiring {
  functions: LocalFunctionSpec[];
  eventSourceMappings: EventSourceMappingSpec[];
  notifications: BucketNotificationSpec[];
  /** buckets with VersioningConfiguration Enabled: their events carry a versionId */
  versionedBuckets: string[];
  schedules: ScheduleSpec[];
  stateMachines: StateMachineSpec[];
}

function ofType(resolver: TemplateResolver, type: string): StackResource[] {
  return [...resolver.templates.resources.values()].filter((resource) => resource.Type === type);
}

function resolvedProperties(resolver: TemplateResolver, resource: StackResource): Record<string, unknown> {
  return resolver.resolve(
    resource.Properties ?? {},
    `Resources.${resource.logicalId}.Properties`,
    resource.stackName,
  ) as Record<string, unknown>;
}

/** Lambda's memory size for a function whose template gives none */
const LAMBDA_DEFAULT_MEMORY_MB = 128;

function functions(resolver: TemplateResolver): LocalFunctionSpec[] {
  const result: LocalFunctionSpec[] = [];
  for (const fn of ofType(resolver, 'AWS::Lambda::Function')) {
    const entry = fn.Metadata?.['traceguard:entry'];
    // CDK's own helper functions (custom resource providers) have no handler module to run locally
    if (typeof entry !== 'string') continue;
    const identity = resolver.identity(fn.logicalId);
    const properties = resolvedProperties(resolver, fn);
    const variables = ((properties.Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables ?? {}) as Record<string, unknown>;
    const handler = String(properties.Handler ?? 'index.handler');
    result.push({
      logicalId: fn.logicalId,
      name: identity.physicalName,
      arn: identity.attributes.Arn,
      entry,
      handlerExport: handler.slice(handler.lastIndexOf('.') + 1) || 'handler',
      environment: Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, String(value)])),
      timeoutSeconds: Number(properties.Timeout ?? 3),
      memorySizeMb: Number(properties.MemorySize ?? LAMBDA_DEFAULT_MEMORY_MB),
    });
  }
  return result;
}

function eventSourceMappings(resolver: TemplateResolver): EventSourceMappingSpec[] {
  return ofType(resolver, 'AWS::Lambda::EventSourceMapping').flatMap((mapping) => {
    const properties = resolvedProperties(resolver, mapping);
    const source = String(properties.EventSourceArn ?? '');
    if (!source.startsWith('arn:aws:sqs:')) return []; // streams and Kafka are not part of Traceguard
    const scaling = properties.ScalingConfig as { MaximumConcurrency?: number } | undefined;
    return [
      {
        logicalId: mapping.logicalId,
        queueArn: source,
        functionName: String(properties.FunctionName),
        batchSize: Number(properties.BatchSize ?? 10),
        reportBatchItemFailures: ((properties.FunctionResponseTypes as string[] | undefined) ?? []).includes(
          'ReportBatchItemFailures',
        ),
        enabled: properties.Enabled !== false && properties.Enabled !== 'false',
        maximumConcurrency: Number(scaling?.MaximumConcurrency ?? 2),
      },
    ];
  });
}

type FilterRule = { Name?: string; name?: string; Value?: string; value?: string };

function filterOf(rules: FilterRule[] | undefined): { prefix?: string; suffix?: string } {
  const filter: { prefix?: string; suffix?: string } = {};
  for (const rule of rules ?? []) {
    const name = String(rule.Name ?? rule.name).toLowerCase();
    const value = String(rule.Value ?? rule.value);
    if (name === 'prefix') filter.prefix = value;
    if (name === 'suffix') filter.suffix = value;
  }
  return filter;
}

/**
 * Notification configurations from both places CloudFormation can hold them: the bucket's own
 * NotificationConfiguration (Event, Queue, Filter.S3Key.Rules) and CDK's Custom::S3BucketNotifications
 * (the S3 API shape: Events, QueueArn, Filter.Key.FilterRules).
 */
function notifications(resolver: TemplateResolver): BucketNotificationSpec[] {
  const result: BucketNotificationSpec[] = [];
  for (const bucket of ofType(resolver, 'AWS::S3::Bucket')) {
    const config = resolvedProperties(resolver, bucket).NotificationConfiguration as
      | Record<string, Array<Record<string, unknown>>>
      | undefined;
    const name = resolver.identity(bucket.logicalId).physicalName;
    const add = (
      kind: NotificationTarget['kind'],
      arnField: string,
      list?: Array<Record<string, unknown>>,
    ) => {
      for (const entry of list ?? []) {
        const rules = (entry.Filter as { S3Key?: { Rules?: FilterRule[] } } | undefined)?.S3Key?.Rules;
        result.push({
          bucket: name,
          events: [String(entry.Event)],
          ...filterOf(rules),
          target: { kind, arn: String(entry[arnField]) },
        });
      }
    };
    add('queue', 'Queue', config?.QueueConfigurations);
    add('topic', 'Topic', config?.TopicConfigurations);
    add('function', 'Function', config?.LambdaConfigurations);
  }
  for (const custom of ofType(resolver, 'Custom::S3BucketNotifications')) {
    const properties = resolvedProperties(resolver, custom);
    const config = (properties.NotificationConfiguration ?? {}) as Record<
      string,
      Array<Record<string, unknown>>
    >;
    const add = (
      kind: NotificationTarget['kind'],
      arnField: string,
      list?: Array<Record<string, unknown>>,
    ) => {
      for (const entry of list ?? []) {
        const rules = (entry.Filter as { Key?: { FilterRules?: FilterRule[] } } | undefined)?.Key
          ?.FilterRules;
        result.push({
          bucket: String(properties.BucketName),
          events: (entry.Events as string[]).map(String),
          ...filterOf(rules),
          target: { kind, arn: String(entry[arnField]) },
        });
      }
    };
    add('queue', 'QueueArn', config.QueueConfigurations);
    add('topic', 'TopicArn', config.TopicConfigurations);
    add('function', 'LambdaFunctionArn', config.LambdaFunctionConfigurations);
  }
  return result;
}

function schedules(resolver: TemplateResolver): ScheduleSpec[] {
  return ofType(resolver, 'AWS::Events::Rule').flatMap((rule) => {
    const properties = resolvedProperties(resolver, rule);
    if (typeof properties.ScheduleExpression !== 'string') return [];
    const targets = ((properties.Targets as Array<Record<string, unknown>> | undefined) ?? [])
      .filter((target) => String(target.Arn).startsWith('arn:aws:lambda:'))
      .map((target) => ({
        functionArn: String(target.Arn),
        input: typeof target.Input === 'string' ? JSON.parse(target.Input) : undefined,
      }));
    return [
      {
        logicalId: rule.logicalId,
        ruleArn: resolver.identity(rule.logicalId).attributes.Arn,
        expression: properties.ScheduleExpression,
        enabled: properties.State === undefined || properties.State === 'ENABLED',
        targets,
      },
    ];
  });
}

function stateMachines(resolver: TemplateResolver): StateMachineSpec[] {
  return ofType(resolver, 'AWS::StepFunctions::StateMachine').map((machine) => {
    const path = `Resources.${machine.logicalId}.Properties`;
    const properties = resolvedProperties(resolver, machine);
    let definition: unknown = properties.Definition;
    if (typeof properties.DefinitionString === 'string') {
      let text = properties.DefinitionString;
      const substitutions = (properties.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
      text = text.replace(/\$\{([^}]+)\}/g, (match, key: string) =>
        key in substitutions ? String(substitutions[key]) : match,
      );
      try {
        definition = JSON.parse(text);
      } catch (error) {
        throw new Error(`${path}.DefinitionString is not JSON after resolving intrinsics: ${String(error)}`);
      }
    }
    if (!definition) throw new Error(`${path}: a state machine needs Definition or DefinitionString`);
    const identity = resolver.identity(machine.logicalId);
    return { logicalId: machine.logicalId, name: identity.physicalName, arn: identity.ref, definition };
  });
}

export function readWiring(resolver: TemplateResolver): LocalWiring {
  return {
    functions: functions(resolver),
    eventSourceMappings: eventSourceMappings(resolver),
    notifications: notifications(resolver),
    versionedBuckets: ofType(resolver, 'AWS::S3::Bucket')
      .filter(
        (bucket) =>
          (resolvedProperties(resolver, bucket).VersioningConfiguration as { Status?: string } | undefined)
            ?.Status === 'Enabled',
      )
      .map((bucket) => resolver.identity(bucket.logicalId).physicalName),
    schedules: schedules(resolver),
    stateMachines: stateMachines(resolver),
  };
}
