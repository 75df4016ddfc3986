import { describe, expect, it } from 'vitest';
import { DATA_KEY_READ, DATA_KEY_WRITE, itGrantsExactlyTheNeeds, type Needs } from './policy-needs.ts';
import { type CfnResource, logicalIdOf, resourcesOfType, synthTraceguard } from './synth.ts';

/** Access for switches and reviewers, and the audit lock per stage: what a deploy guide promises. */

/** What each reviewer command calls (policy-needs.ts says how a need is written). */
const REVIEWER: Needs = {
  // the open-case markers (a scan), then the cases
  'cases list': ['dynamodb:Scan CasesTable', 'dynamodb:BatchGetItem CasesTable', ...DATA_KEY_READ],
  'cases show': ['dynamodb:GetItem CasesTable', 'dynamodb:Query AuditTable', ...DATA_KEY_READ],
  // the case and its task token, the answer to the task; a refused decision is recorded on the case
  // (its refusals only) and appended to the case's audit stream after its head
  'cases decide': [
    'dynamodb:GetItem CasesTable',
    'states:SendTaskSuccess *',
    'dynamodb:UpdateItem CasesTable [CASE#*] {pk|sk|refusals|updatedAt}',
    'dynamodb:Query AuditTable',
    'dynamodb:PutItem AuditTable [AUDIT#case#*]',
    ...DATA_KEY_WRITE,
  ],
  // every stream (a scan for their names), each case it checks them against, the open cases
  'audit verify': [
    'dynamodb:Scan AuditTable',
    'dynamodb:Query AuditTable',
    'dynamodb:GetItem CasesTable',
    'dynamodb:Scan CasesTable',
    'dynamodb:BatchGetItem CasesTable',
    ...DATA_KEY_READ,
  ],
  // not a traceguard command: the daily exports, read with the AWS CLI or console
  'read the audit exports': ['s3:GetObject AuditExportBucket/audit-export/*', 'kms:Decrypt DataKey via s3'],
};
interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

describe('outside parties', () => {
  const { template } = synthTraceguard();
  const policy = (hint: string) => {
    const id = logicalIdOf(template, 'AWS::IAM::ManagedPolicy', hint);
    const resource = template.toJSON().Resources[id] as CfnResource;
    return resource.Properties!.PolicyDocument.Statement as Statement[];
  };

  it('lets a switch only create objects under cdr/, encrypted with the data key through S3', () => {
    const cdr = logicalIdOf(template, 'AWS::S3::Bucket', 'CdrBucket');
    const statements = policy('SwitchUploadPolicy');
    expect(statements.flatMap((s) => list(s.Action)).sort()).toEqual([
      'kms:Decrypt',
      'kms:GenerateDataKey',
      's3:AbortMultipartUpload',
      's3:PutObject',
    ]);
    const s3 = statements.find((s) => list(s.Action).includes('s3:PutObject'))!;
    expect(s3.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [cdr, 'Arn'] }, '/cdr/*']] });
    const kms = statements.find((s) => list(s.Action).includes('kms:Decrypt'))!;
    expect(JSON.stringify(kms.Condition)).toContain('kms:ViaService');
  });

  itGrantsExactlyTheNeeds(template, 'ReviewerPolicy', REVIEWER);

  it('exports both policy ARNs', () => {
    const outputs = Object.keys(template.toJSON().Outputs);
    expect(outputs).toEqual(expect.arrayContaining(['SwitchUploadPolicyArn', 'ReviewerPolicyArn']));
  });
});

describe('audit export lock per stage', () => {
  const lockOf = (context: Record<string, unknown>) => {
    const { template } = synthTraceguard(context);
    const [[, bucket]] = resourcesOfType(template, 'AWS::S3::Bucket').filter(([id]) =>
      id.includes('AuditExportBucket'),
    );
    return bucket.Properties!.ObjectLockConfiguration.Rule.DefaultRetention;
  };

  it('is a one-day governance lock on a dev stage, which can be cleaned up', () => {
    expect(lockOf({ stage: 'dev' })).toEqual({ Mode: 'GOVERNANCE', Days: 1 });
  });

  it('is a compliance lock for the audit retention on prod', () => {
    expect(lockOf({ stage: 'prod' })).toEqual({ Mode: 'COMPLIANCE', Days: 366 * 5 });
  });
});
