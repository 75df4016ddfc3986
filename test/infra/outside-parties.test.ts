import { describe, expect, it } from 'vitest';
import { type CfnResource, logicalIdOf, resourcesOfType, synthTraceguard } from './synth.ts';

/** Access for switches and reviewers, and the audit lock per stage: what a deploy guide promises. */
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

  it('lets a reviewer read cases and the audit log and answer review tasks, and write no table', () => {
    const actions = policy('ReviewerPolicy').flatMap((s) => list(s.Action));
    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:GetItem',
        'dynamodb:Query',
        'states:SendTaskSuccess',
        's3:GetObject',
      ]),
    );
    expect(actions.filter((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a))).toEqual([]);
    expect(actions.filter((a) => /^s3:(Put|Delete)/.test(a))).toEqual([]);
  });

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
