import { describe, expect, it } from 'vitest';
import { DATA_KEY_READ, itGrantsExactlyTheNeeds, type Needs } from './policy-needs.ts';
import { resourcesOfType, synthTraceguard } from './synth.ts';

/** Access for switches and reviewers, and the audit lock per stage: what a deploy guide promises. */
/** What a switch's upload calls: nothing can be read, listed or deleted under cdr/. */
const SWITCH: Needs = {
  // one PutObject, or a multipart upload (its parts are PutObject to IAM) aborted when it fails;
  // first, unless --no-check, the switch configuration and trunk map, each optional (404 to a lister)
  upload: [
    's3:PutObject CdrBucket/cdr/*',
    's3:AbortMultipartUpload CdrBucket/cdr/*',
    'kms:GenerateDataKey DataKey via s3',
    'kms:Decrypt DataKey via s3',
    's3:GetObject ReferenceBucket/reference/switches.csv',
    's3:GetObject ReferenceBucket/reference/trunks.csv',
    's3:ListBucket ReferenceBucket',
  ],
};

/** What each reviewer command calls (policy-needs.ts says how a need is written). */
const REVIEWER: Needs = {
  // the open-case markers (a scan), then the cases
  'cases list': ['dynamodb:Scan CasesTable', 'dynamodb:BatchGetItem CasesTable', ...DATA_KEY_READ],
  'cases show': ['dynamodb:GetItem CasesTable', 'dynamodb:Query AuditTable', ...DATA_KEY_READ],
  // one signed request to the decision function, which reads the token, records a refusal and answers
  // the task itself: no task token, no states:SendTaskSuccess, no write of the reviewer's own
  'cases decide': ['lambda:InvokeFunctionUrl DecideFunction with AWS_IAM'],
  // every stream (a scan for their names), each case it checks them against, the open cases
  'audit verify': [
    'dynamodb:Scan AuditTable',
    'dynamodb:Query AuditTable',
    'dynamodb:GetItem CasesTable',
    'dynamodb:Scan CasesTable',
    'dynamodb:BatchGetItem CasesTable',
    ...DATA_KEY_READ,
  ],
  // the stream's records; a stream with none: a scan for the names there are, in the usage error
  'audit show': ['dynamodb:Query AuditTable', 'dynamodb:Scan AuditTable', ...DATA_KEY_READ],
  // the keys of every item, counted per stream
  'audit streams': ['dynamodb:Scan AuditTable', ...DATA_KEY_READ],
  // not a traceguard command: the daily exports, read with the AWS CLI or console
  'read the audit exports': ['s3:GetObject AuditExportBucket/audit-export/*', 'kms:Decrypt DataKey via s3'],
};
describe('outside parties', () => {
  const { template } = synthTraceguard();
  itGrantsExactlyTheNeeds(template, 'SwitchUploadPolicy', SWITCH);
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
