import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CfnResource,
  functionByHandler,
  logicalIdOf,
  resourcesOfType,
  synthTraceguard,
} from './synth.ts';

let synth: ReturnType<typeof synthTraceguard>;
beforeAll(() => {
  synth = synthTraceguard();
});

interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Does an IAM action pattern (`s3:Delete*`, `*`) grant `action`? */
const grants = (pattern: string, action: string): boolean =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(action);

/** Every Allow statement of every identity policy (roles' inline and attached AWS::IAM::Policy). */
function identityStatements(): { policy: string; roles: string[]; statement: Statement }[] {
  return resourcesOfType(synth.template, 'AWS::IAM::Policy').flatMap(([policy, p]) =>
    (p.Properties!.PolicyDocument.Statement as Statement[])
      .filter((s) => s.Effect === 'Allow')
      .map((statement) => ({
        policy,
        roles: (p.Properties!.Roles ?? []).map((r: { Ref: string }) => r.Ref),
        statement,
      })),
  );
}

const mentions = (resource: unknown, logicalId: string) =>
  JSON.stringify(resource).includes(`"${logicalId}"`);

function statementsOfFunction(name: string): Statement[] {
  const [, fn] = functionByHandler(synth.template, name);
  const role = fn.Properties!.Role['Fn::GetAtt'][0];
  return identityStatements()
    .filter((s) => s.roles.includes(role))
    .map((s) => s.statement);
}

describe('IAM least privilege', () => {
  it('has no Allow of *, s3:* or dynamodb:* anywhere in identity policies', () => {
    for (const { policy, statement } of identityStatements()) {
      for (const action of list(statement.Action)) {
        expect(['*', 's3:*', 'dynamodb:*', 'sns:*', 'sqs:*', 'kms:*'], `${policy}: ${action}`).not.toContain(
          action,
        );
      }
    }
  });

  it('gives Traceguard functions Resource * only for X-Ray (which has no resource-level permissions) and the decision function SendTaskSuccess (task tokens have none either)', () => {
    const functionRoles = new Set(
      resourcesOfType(synth.template, 'AWS::Lambda::Function')
        .filter(([, fn]) => fn.Metadata?.['traceguard:entry'])
        .map(([, fn]) => fn.Properties!.Role['Fn::GetAtt'][0]),
    );
    for (const { policy, roles, statement } of identityStatements()) {
      if (!roles.some((r) => functionRoles.has(r)) || !list(statement.Resource).includes('*')) continue;
      for (const action of list(statement.Action))
        expect(action, policy).toMatch(
          policy.includes('DecideFunction') ? /^(xray:.*|states:SendTaskSuccess)$/ : /^xray:/,
        );
    }
  });

  it('lets no role delete or overwrite-by-delete anything in the CDR bucket', () => {
    const cdrBucket = logicalIdOf(synth.template, 'AWS::S3::Bucket', 'CdrBucket');
    let checked = 0;
    for (const { policy, statement } of identityStatements()) {
      if (!mentions(statement.Resource, cdrBucket)) continue;
      checked += 1;
      for (const action of list(statement.Action)) {
        for (const forbidden of [
          's3:DeleteObject',
          's3:DeleteObjectVersion',
          's3:PutLifecycleConfiguration',
        ]) {
          expect(grants(action, forbidden), `${policy}: ${action} grants ${forbidden}`).toBe(false);
        }
      }
    }
    expect(checked, 'no statement on this resource was found: the test would pass vacuously').toBeGreaterThan(
      0,
    );
  });

  it('lets no role update or delete audit records (append-only)', () => {
    const auditTable = logicalIdOf(synth.template, 'AWS::DynamoDB::Table', 'AuditTable');
    let checked = 0;
    for (const { policy, statement } of identityStatements()) {
      if (!mentions(statement.Resource, auditTable)) continue;
      checked += 1;
      for (const action of list(statement.Action)) {
        for (const forbidden of ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']) {
          expect(grants(action, forbidden), `${policy}: ${action} grants ${forbidden}`).toBe(false);
        }
      }
    }
    expect(checked, 'no statement on this resource was found: the test would pass vacuously').toBeGreaterThan(
      0,
    );
  });

  it('audit writer: PutItem/GetItem/Query on the Audit table, its idempotency records, nothing else', () => {
    const auditTable = logicalIdOf(synth.template, 'AWS::DynamoDB::Table', 'AuditTable');
    const idempotency = logicalIdOf(synth.template, 'AWS::DynamoDB::Table', 'IdempotencyTable');
    const all = statementsOfFunction('write-audit').filter((s) =>
      list(s.Action).some((a) => a.startsWith('dynamodb:')),
    );
    const dynamo = all.filter((s) => !mentions(s.Resource, idempotency));
    expect(all.length - dynamo.length).toBe(1);
    expect(dynamo).toHaveLength(1);
    expect(list(dynamo[0].Action).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
    expect(mentions(dynamo[0].Resource, auditTable)).toBe(true);
    expect(
      JSON.stringify(dynamo[0].Resource)
        .match(/Stateful\w+Table\w+/g)
        ?.every((id) => id === auditTable),
    ).toBe(true);
  });

  it('ingest: GetObject/GetObjectVersion under cdr/, PutObject under quarantine/ only, GetObject on reference data, ListBucket on both buckets (a missing key is 404, not 403)', () => {
    const cdr = logicalIdOf(synth.template, 'AWS::S3::Bucket', 'CdrBucket');
    const reference = logicalIdOf(synth.template, 'AWS::S3::Bucket', 'ReferenceBucket');
    const s3 = statementsOfFunction('ingest').filter((s) => list(s.Action).some((a) => a.startsWith('s3:')));
    const summary = s3.map((s) => ({ actions: list(s.Action).sort(), resource: s.Resource }));
    const objects = (bucket: string, prefix: string) => ({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${prefix}*`]],
    });
    expect(summary).toEqual(
      expect.arrayContaining([
        { actions: ['s3:GetObject', 's3:GetObjectVersion'], resource: objects(cdr, 'cdr/') },
        { actions: ['s3:PutObject'], resource: objects(cdr, 'quarantine/') },
        { actions: ['s3:GetObject', 's3:GetObjectVersion'], resource: objects(reference, '') },
        { actions: ['s3:ListBucket'], resource: { 'Fn::GetAtt': [cdr, 'Arn'] } },
        { actions: ['s3:ListBucket'], resource: { 'Fn::GetAtt': [reference, 'Arn'] } },
      ]),
    );
    expect(summary).toHaveLength(5);
  });

  it('ingest may send only to its own queue (continuations of big batches)', () => {
    const ingestQueue = logicalIdOf(synth.template, 'AWS::SQS::Queue', /IngestQueue[0-9A-F]{8}$/);
    const sqs = statementsOfFunction('ingest').filter((s) =>
      list(s.Action).some((a) => a === 'sqs:SendMessage'),
    );
    expect(sqs).toHaveLength(1);
    expect(sqs[0].Resource).toEqual({ 'Fn::GetAtt': [ingestQueue, 'Arn'] });
  });

  it('traceback-request reads CDR batches under cdr/ and the switch configuration under reference/, and writes nothing', () => {
    const cdr = logicalIdOf(synth.template, 'AWS::S3::Bucket', 'CdrBucket');
    const reference = logicalIdOf(synth.template, 'AWS::S3::Bucket', 'ReferenceBucket');
    const s3 = statementsOfFunction('traceback-request').filter((s) =>
      list(s.Action).some((a) => a.startsWith('s3:')),
    );
    const objects = (bucket: string, prefix: string) => ({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${prefix}*`]],
    });
    expect(s3.map((s) => ({ actions: list(s.Action).sort(), resource: s.Resource }))).toEqual(
      expect.arrayContaining([
        { actions: ['s3:GetObject', 's3:GetObjectVersion'], resource: objects(cdr, 'cdr/') },
        { actions: ['s3:GetObject', 's3:GetObjectVersion'], resource: objects(reference, 'reference/') },
        { actions: ['s3:ListBucket'], resource: { 'Fn::GetAtt': [cdr, 'Arn'] } },
        { actions: ['s3:ListBucket'], resource: { 'Fn::GetAtt': [reference, 'Arn'] } },
      ]),
    );
    expect(s3).toHaveLength(4);
  });

  it('notify-oncall publishes to the OnCallTopic and touches only its idempotency records and its alert episodes in the Cases table (no delete there), no bucket', () => {
    const idempotency = logicalIdOf(synth.template, 'AWS::DynamoDB::Table', 'IdempotencyTable');
    const cases = logicalIdOf(synth.template, 'AWS::DynamoDB::Table', 'CasesTable');
    const statements = statementsOfFunction('notify-oncall');
    const data = statements.filter((s) => list(s.Action).some((a) => /^(s3|dynamodb):/.test(a)));
    expect(data.flatMap((s) => list(s.Action)).filter((a) => a.startsWith('s3:'))).toEqual([]);
    const byTable = new Map<string, string[]>();
    for (const s of data)
      for (const id of new Set(JSON.stringify(s.Resource).match(/Stateful\w+Table\w+/g) ?? []))
        byTable.set(id, [...(byTable.get(id) ?? []), ...list(s.Action)]);
    expect([...byTable.keys()].sort()).toEqual([cases, idempotency].sort());
    // episodes: read (and the open-case marker), put with a version condition, mark sent
    expect(byTable.get(cases)?.sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(statements.flatMap((s) => list(s.Action))).toContain('sns:Publish');
  });

  it('grants no DynamoDB action a function does not use: no Scan anywhere, batch writes and deletes only where code makes them', () => {
    // case-step and onboarding-step delete answered review tokens (from the ReviewTokens table, and
    // from the Cases table a token parked before tokens moved there); Powertools deletes an idempotency record whose handling
    // failed; the reconciliation sweep deletes its own claims, in its own partitions only (LeadingKeys);
    // ingest notes and the day review forgets days to review, in the review's partitions only
    const mayDelete = [
      logicalIdOf(synth.template, 'AWS::DynamoDB::Table', 'CasesTable'),
      logicalIdOf(synth.template, 'AWS::DynamoDB::Table', 'IdempotencyTable'),
      logicalIdOf(synth.template, 'AWS::DynamoDB::Table', 'ReviewTokensTable'),
    ];
    let checked = 0;
    for (const { policy, statement } of identityStatements()) {
      for (const action of list(statement.Action)) {
        if (!action.startsWith('dynamodb:')) continue;
        checked += 1;
        expect(grants(action, 'dynamodb:Scan'), `${policy}: ${action} grants Scan`).toBe(false);
        // the reconciliation sweep gives back its own re-enqueue claim, and may touch no other item;
        // the day review's notes are written and forgotten in their own partitions
        const ownItemsOnly = JSON.stringify(
          statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'],
        );
        const ownPartitions = ['["RECONCILE","RECONCILE#*"]', '["REVIEW#*"]'].includes(ownItemsOnly);
        expect(
          grants(action, 'dynamodb:BatchWriteItem') && !ownPartitions,
          `${policy}: ${action} grants BatchWriteItem beyond its own partitions`,
        ).toBe(false);
        if (grants(action, 'dynamodb:DeleteItem') && !ownPartitions) {
          const tables = JSON.stringify(statement.Resource).match(/Stateful\w+Table\w+/g) ?? [];
          expect(
            tables.every((t) => mayDelete.includes(t)),
            `${policy}: DeleteItem on ${tables}`,
          ).toBe(true);
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it.each(['ingest', 'traceback-request'])(
    '%s: no delete or scan on any table, no batch write beyond the day review notes',
    (name) => {
      const statements = statementsOfFunction(name);
      const actions = statements.flatMap((s) => list(s.Action));
      for (const forbidden of ['dynamodb:DeleteItem', 'dynamodb:Scan']) {
        expect(actions.filter((a) => grants(a, forbidden))).toEqual([]);
      }
      for (const s of statements.filter((s) =>
        list(s.Action).some((a) => grants(a, 'dynamodb:BatchWriteItem')),
      ))
        expect(s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']).toEqual(['REVIEW#*']);
      expect(actions).toContain('dynamodb:UpdateItem');
    },
  );

  it('the day review deletes only its notes, and ingest batch-writes only them', () => {
    const deletes = statementsOfFunction('review-days').filter((s) =>
      list(s.Action).some((a) => grants(a, 'dynamodb:DeleteItem')),
    );
    expect(deletes.map((s) => s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'])).toEqual([
      ['REVIEW#*'],
    ]);
    const batchWrites = statementsOfFunction('ingest').filter((s) =>
      list(s.Action).some((a) => grants(a, 'dynamodb:BatchWriteItem')),
    );
    expect(batchWrites).toHaveLength(1);
  });
});

describe('the template as a whole', () => {
  it('has no role with an AWS managed policy attached to a Traceguard function', () => {
    for (const [id, fn] of resourcesOfType(synth.template, 'AWS::Lambda::Function')) {
      if (!fn.Metadata?.['traceguard:entry']) continue;
      const role = synth.template.toJSON().Resources[fn.Properties!.Role['Fn::GetAtt'][0]] as CfnResource;
      expect(role.Properties!.ManagedPolicyArns, id).toBeUndefined();
    }
  });
});
