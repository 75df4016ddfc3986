import type { Template } from 'aws-cdk-lib/assertions';
import { expect, it } from 'vitest';
import { DEAD_LETTER_KIND_TAG, REDRIVE_TARGET_TAG } from '../../shared/dead-letters/kinds.ts';
import { type CfnResource, logicalIdOf, resourcesOfType } from './synth.ts';

/**
 * A policy for people against what each of its commands calls in its deployed mode, read from cli/
 * and the shared/aws adapters it uses. A need is `<action> <resource>`: the resource's logical id
 * without its hash (matched at the end, so `AlertQueue` is not `AlertQueueDlq`) and an object path;
 * `via <service>` for a key used through a service; `[<leading keys>]` for calls limited to some
 * partitions; `{<attributes>}` for writes limited to some attributes; `with <auth type>` for a function
 * URL invoked only with that auth type. `<each-...>` stands for every
 * queue of that kind in the template.
 */
export type Needs = Record<string, string[]>;

export const DATA_KEY_READ = ['kms:Decrypt DataKey via dynamodb'];
export const DATA_KEY_WRITE = [...DATA_KEY_READ, 'kms:GenerateDataKey DataKey via dynamodb'];
export const SEND_TO = (service: 'sqs' | 'sns') => [
  `kms:Decrypt MessagingKey via ${service}`,
  `kms:GenerateDataKey MessagingKey via ${service}`,
];

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
export const withoutHash = (id: string) => id.replace(/[0-9A-F]{8}$/, '');

/** A resource as `<logical id without hash><path>`, `*` as itself. */
function resourceText(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  const r = resource as Record<string, unknown>;
  if (r['Fn::GetAtt']) return withoutHash((r['Fn::GetAtt'] as string[])[0]);
  if (r.Ref) return withoutHash(r.Ref as string);
  if (r['Fn::Join']) return ((r['Fn::Join'] as [string, unknown[]])[1] ?? []).map(resourceText).join('');
  throw new Error(`unexpected resource ${JSON.stringify(resource)}`);
}

/**
 * `via <service>` per service a key may be used through; `[keys]` for leading keys and `{attributes}`
 * for the attributes a write may touch, in that order. Any other condition is unexpected.
 */
function conditionTexts(condition: Statement['Condition']): string[] {
  if (!condition) return [''];
  const via = condition.StringEquals?.['kms:ViaService'];
  if (via) return list(via).map((v) => ` via ${resourceText(v).split('.')[0]}`);
  const urlAuth = condition.StringEquals?.['lambda:FunctionUrlAuthType'];
  if (urlAuth && Object.keys(condition).length === 1 && Object.keys(condition.StringEquals).length === 1)
    return [` with ${urlAuth}`];
  const known = new Set(['dynamodb:LeadingKeys', 'dynamodb:Attributes']);
  for (const [operator, keys] of Object.entries(condition))
    for (const key of Object.keys(keys))
      if (!operator.startsWith('ForAllValues:String') || !known.has(key))
        throw new Error(`unexpected condition ${JSON.stringify(condition)}`);
  const values = (key: string) =>
    Object.values(condition).find((keys) => keys[key])?.[key] as string[] | undefined;
  const keys = values('dynamodb:LeadingKeys');
  const attributes = values('dynamodb:Attributes');
  return [`${keys ? ` [${keys.join('|')}]` : ''}${attributes ? ` {${attributes.join('|')}}` : ''}`];
}

/** Every grant of the managed policy whose logical id contains `hint`, as `<action> <resource><condition>`. */
export function grantsOf(template: Template, hint: string): Set<string> {
  const id = logicalIdOf(template, 'AWS::IAM::ManagedPolicy', hint);
  const statements = (template.toJSON().Resources[id] as CfnResource).Properties!.PolicyDocument
    .Statement as Statement[];
  return new Set(
    statements.flatMap((s) => {
      expect(s.Effect).toBe('Allow');
      return list(s.Action).flatMap((action) =>
        list(s.Resource).flatMap((resource) =>
          conditionTexts(s.Condition).map((c) => `${action} ${resourceText(resource)}${c}`),
        ),
      );
    }),
  );
}

/**
 * The dead-letter commands find their queues by the RedrivePolicy of the queues they serve and by the
 * tags that declare a queue an SNS subscription's or a schedule's dead-letter queue: `<each-queue>`,
 * `<each-work-queue>` and `<each-dead-letter-queue>` as logical ids, `<each-scheduled-state-machine>`
 * and `<each-scheduled-function>` the targets a schedule's dead letters were runs of (a state
 * machine's ARN is its Ref, a function's its Arn attribute).
 */
export function queuesOf(template: Template): Record<string, string[]> {
  const queues = resourcesOfType(template, 'AWS::SQS::Queue');
  const workQueues = queues.filter(([, q]) => q.Properties?.RedrivePolicy);
  const tag = (q: CfnResource, key: string) =>
    (q.Properties?.Tags as Array<{ Key: string; Value: unknown }> | undefined)?.find((t) => t.Key === key)
      ?.Value;
  const tagged = queues.filter(([, q]) => tag(q, DEAD_LETTER_KIND_TAG) !== undefined);
  const scheduleTargets = tagged
    .filter(([, q]) => tag(q, DEAD_LETTER_KIND_TAG) === 'schedule')
    .map(([, q]) => {
      const target = tag(q, REDRIVE_TARGET_TAG) as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      const id = target.Ref ?? target['Fn::GetAtt']?.[0];
      if (!id) throw new Error(`schedule target ${JSON.stringify(target)} is no Ref or Fn::GetAtt`);
      return id;
    });
  const templateTypeOf = (id: string) => (template.toJSON().Resources[id] as CfnResource).Type;
  const targetsOfType = (type: string) => scheduleTargets.filter((id) => templateTypeOf(id) === type);
  const byRedrivePolicy = workQueues.map(
    ([, q]) => q.Properties!.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0] as string,
  );
  return {
    '<each-queue>': queues.map(([id]) => id),
    '<each-work-queue>': workQueues.map(([id]) => id),
    '<each-dead-letter-queue>': [...new Set([...byRedrivePolicy, ...tagged.map(([id]) => id)])],
    '<each-scheduled-state-machine>': targetsOfType('AWS::StepFunctions::StateMachine'),
    '<each-scheduled-function>': targetsOfType('AWS::Lambda::Function'),
  };
}

/** Each need as the grant that satisfies it (`<each-...>` expanded); a name ends a logical id. */
function required(needs: Needs, have: Set<string>, every: Record<string, string[]>) {
  return Object.entries(needs).flatMap(([command, wanted]) =>
    wanted.flatMap((need) => {
      const [action, resource, ...rest] = need.split(' ');
      const tail = rest.length > 0 ? ` ${rest.join(' ')}` : '';
      const resources = every[resource]?.map(withoutHash) ?? [resource];
      return resources.map((r) => {
        const granted = [...have].find(
          (g) =>
            g.startsWith(`${action} `) &&
            g.endsWith(tail) &&
            (r === '*'
              ? g === `${action} *`
              : g.slice(action.length + 1, g.length - tail.length).endsWith(r)),
        );
        return { command, need: `${action} ${r}${tail}`, granted };
      });
    }),
  );
}

/** The two checks of a policy against its commands' needs: every call granted, nothing else granted. */
export function itGrantsExactlyTheNeeds(template: Template, hint: string, needs: Needs): void {
  const every = queuesOf(template);
  it(`${hint} grants every call of ${Object.keys(needs).join(', ')}`, () => {
    const missing = required(needs, grantsOf(template, hint), every).filter((r) => !r.granted);
    expect(missing.map((r) => `${r.command}: ${r.need}`)).toEqual([]);
  });

  it(`${hint} grants nothing those commands do not call`, () => {
    const have = grantsOf(template, hint);
    const used = new Set(required(needs, have, every).map((r) => r.granted));
    expect([...have].filter((g) => !used.has(g))).toEqual([]);
  });
}
