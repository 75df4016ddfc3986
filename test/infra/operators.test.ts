import { describe, expect, it } from 'vitest';
import { type CfnResource, logicalIdOf, resourcesOfType, synthTraceguard } from './synth.ts';

/**
 * The operator policies against what each command calls in its deployed mode, read from cli/ and the
 * shared/aws adapters it uses. A need is `<action> <resource>`: the resource's logical id without its
 * hash (matched at the end, so `AlertQueue` is not `AlertQueueDlq`) and an object path; `via <service>`
 * for a key used through a service; `[<leading keys>]` for writes limited to some partitions.
 * `<each-...>` stands for every queue of that kind in the template.
 */
type Needs = Record<string, string[]>;

const DATA_KEY_READ = ['kms:Decrypt DataKey via dynamodb'];
const DATA_KEY_WRITE = [...DATA_KEY_READ, 'kms:GenerateDataKey DataKey via dynamodb'];
const SEND_TO = (service: 'sqs' | 'sns') => [
  `kms:Decrypt MessagingKey via ${service}`,
  `kms:GenerateDataKey MessagingKey via ${service}`,
];
const RECONCILE_KEYS = '[RECONCILE|RECONCILE#*]';

const PIPELINE_OPERATOR: Needs = {
  // ListObjectsV2 under quarantine/<batch>, HeadObject of the batch (404 only to who may list), the
  // quarantine objects, the batch's manifest item
  'quarantine show': [
    's3:ListBucket CdrBucket',
    's3:GetObject CdrBucket/cdr/*',
    's3:GetObject CdrBucket/quarantine/*',
    'dynamodb:GetItem ManifestTable',
    'kms:Decrypt DataKey via s3',
    ...DATA_KEY_READ,
  ],
  // list cdr/, HeadObject, batch items and the checkpoint, claims, SendMessage to the IngestQueue
  reconcile: [
    's3:ListBucket CdrBucket',
    's3:GetObject CdrBucket/cdr/*',
    'dynamodb:GetItem ManifestTable',
    `dynamodb:PutItem ManifestTable ${RECONCILE_KEYS}`,
    `dynamodb:DeleteItem ManifestTable ${RECONCILE_KEYS}`,
    'sqs:SendMessage IngestQueue',
    ...SEND_TO('sqs'),
    ...DATA_KEY_WRITE,
  ],
  // ListQueues, each queue's RedrivePolicy and each DLQ's depth, a peek (receive, then visible again)
  'dlq list': [
    'sqs:ListQueues *',
    'sqs:GetQueueAttributes <each-queue>',
    'sqs:ReceiveMessage <each-dead-letter-queue>',
    'sqs:ChangeMessageVisibility <each-dead-letter-queue>',
    'kms:Decrypt MessagingKey via sqs',
  ],
  'dlq redrive': [
    'sqs:ListQueues *',
    'sqs:GetQueueAttributes <each-queue>',
    'sqs:ReceiveMessage <each-dead-letter-queue>',
    'sqs:SendMessage <each-work-queue>',
    'sqs:DeleteMessage <each-dead-letter-queue>',
    ...SEND_TO('sqs'),
  ],
  // the review notes and hours, the day's claim, the notes it forgets; scoring's reference data;
  // the day findings on ComplianceEvents
  'day-review': [
    'dynamodb:Query AggregatesTable',
    'dynamodb:UpdateItem AggregatesTable',
    'dynamodb:DeleteItem AggregatesTable [REVIEW#*]',
    'dynamodb:BatchGetItem CustomersTable',
    'dynamodb:Query CustomersTable',
    'dynamodb:Query TracebacksTable',
    's3:ListBucket ReferenceBucket',
    's3:GetObject ReferenceBucket/*',
    'kms:Decrypt DataKey via s3',
    'sns:Publish ComplianceEvents',
    ...SEND_TO('sns'),
    ...DATA_KEY_WRITE,
  ],
};

const COMPLIANCE_OPERATOR: Needs = {
  // the profile, the customer's cases (byCustomer), the status set back, the enforcement event, the
  // audit record after its stream's head
  'customers reinstate': [
    'dynamodb:GetItem CustomersTable',
    'dynamodb:UpdateItem CustomersTable',
    'dynamodb:Query CasesTable/index/*',
    'dynamodb:Query AuditTable',
    'dynamodb:PutItem AuditTable',
    // the do-not-onboard entry its suspension put there
    'dynamodb:DeleteItem DossiersTable [DNO]',
    'sns:Publish ComplianceEvents',
    ...SEND_TO('sns'),
    ...DATA_KEY_WRITE,
  ],
  'customers status': [
    'dynamodb:GetItem CustomersTable',
    'dynamodb:Query CasesTable/index/*',
    ...DATA_KEY_READ,
  ],
  'traceback submit': [
    'dynamodb:GetItem TracebacksTable',
    'sqs:SendMessage TracebackQueue',
    ...SEND_TO('sqs'),
    ...DATA_KEY_READ,
  ],
  'traceback list': ['dynamodb:Query TracebacksTable/index/*', ...DATA_KEY_READ],
  'traceback show': ['dynamodb:GetItem TracebacksTable', ...DATA_KEY_READ],
};

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const withoutHash = (id: string) => id.replace(/[0-9A-F]{8}$/, '');

/** A resource as `<logical id without hash><path>`, `*` as itself. */
function resourceText(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  const r = resource as Record<string, unknown>;
  if (r['Fn::GetAtt']) return withoutHash((r['Fn::GetAtt'] as string[])[0]);
  if (r.Ref) return withoutHash(r.Ref as string);
  if (r['Fn::Join']) return ((r['Fn::Join'] as [string, unknown[]])[1] ?? []).map(resourceText).join('');
  throw new Error(`unexpected resource ${JSON.stringify(resource)}`);
}

/** `via <service>` per service a key may be used through, `[keys]` for leading keys; nothing else is expected. */
function conditionTexts(condition: Statement['Condition']): string[] {
  if (!condition) return [''];
  const via = condition.StringEquals?.['kms:ViaService'];
  if (via) return list(via).map((v) => ` via ${resourceText(v).split('.')[0]}`);
  const keys =
    condition['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] ??
    condition['ForAllValues:StringEquals']?.['dynamodb:LeadingKeys'];
  if (keys) return [` [${(keys as string[]).join('|')}]`];
  throw new Error(`unexpected condition ${JSON.stringify(condition)}`);
}

describe('operator policies', () => {
  const { template } = synthTraceguard();
  const grants = (hint: string): Set<string> => {
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
  };

  // the dead-letter commands find their queues by the RedrivePolicy of the queues they serve
  const queues = resourcesOfType(template, 'AWS::SQS::Queue');
  const workQueues = queues.filter(([, q]) => q.Properties?.RedrivePolicy);
  const deadLetterQueues = workQueues.map(
    ([, q]) => q.Properties!.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0] as string,
  );
  const every: Record<string, string[]> = {
    '<each-queue>': queues.map(([id]) => id),
    '<each-work-queue>': workQueues.map(([id]) => id),
    '<each-dead-letter-queue>': deadLetterQueues,
  };

  /** Each need as the grant that satisfies it (`<each-...>` expanded); a name ends a logical id. */
  const required = (needs: Needs, have: Set<string>) =>
    Object.entries(needs).flatMap(([command, wanted]) =>
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

  for (const [hint, needs] of [
    ['PipelineOperatorPolicy', PIPELINE_OPERATOR],
    ['ComplianceOperatorPolicy', COMPLIANCE_OPERATOR],
  ] as const) {
    it(`${hint} grants every call of ${Object.keys(needs).join(', ')}`, () => {
      const missing = required(needs, grants(hint)).filter((r) => !r.granted);
      expect(missing.map((r) => `${r.command}: ${r.need}`)).toEqual([]);
    });

    it(`${hint} grants nothing those commands do not call`, () => {
      const used = new Set(required(needs, grants(hint)).map((r) => r.granted));
      expect([...grants(hint)].filter((g) => !used.has(g))).toEqual([]);
    });
  }

  it('finds the dead-letter queue of each work queue, as the dlq commands will', () => {
    expect(deadLetterQueues.map(withoutHash)).toHaveLength(5);
    for (const name of ['AlertQueue', 'AuditQueue', 'EscalationQueue', 'IngestQueue', 'TracebackQueue'])
      expect(deadLetterQueues.some((id) => withoutHash(id).endsWith(`${name}Dlq`))).toBe(true);
  });

  it('exports both policy ARNs', () => {
    expect(Object.keys(template.toJSON().Outputs)).toEqual(
      expect.arrayContaining(['PipelineOperatorPolicyArn', 'ComplianceOperatorPolicyArn']),
    );
  });
});
