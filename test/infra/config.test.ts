import { describe, expect, it } from 'vitest';
import { readConfig } from '../../infra/config.ts';

const context = (values: Record<string, unknown>) => ({ tryGetContext: (key: string) => values[key] });

describe('CDK context configuration', () => {
  it('has documented defaults', () => {
    expect(readConfig(context({}))).toEqual({
      stage: 'dev',
      archiveTransitionDays: 30,
      auditRetentionYears: 5,
    });
  });

  it('accepts numbers given as strings with -c and treats an empty value as unset', () => {
    expect(
      readConfig(
        context({
          archiveTransitionDays: '90',
          auditRetentionYears: '7',
          alertEmail: '',
          stage: 'prod',
          policyKey: 'policy/p.json',
        }),
      ),
    ).toEqual({
      stage: 'prod',
      archiveTransitionDays: 90,
      auditRetentionYears: 7,
      policyKey: 'policy/p.json',
    });
  });

  it.each([
    [{ archiveTransitionDays: 'thirty' }, /CDK context "archiveTransitionDays" = "thirty"/],
    [{ archiveTransitionDays: 0 }, /"archiveTransitionDays" = 0: .*>=\s*1/],
    [{ auditRetentionYears: 2.5 }, /"auditRetentionYears" = 2.5: .*expected int/],
    [{ alertEmail: 'on-call' }, /"alertEmail" = "on-call": .*email/],
    [{ stage: 'Prod_1' }, /"stage" = "Prod_1": lower-case letters/],
    [
      { policyKey: '/policy.json' },
      /"policyKey" = "\/policy.json": an S3 object key without a leading slash/,
    ],
  ])('rejects %j naming the key, the value and what is expected', (values, message) => {
    expect(() => readConfig(context(values))).toThrow(message);
  });

  it('names every bad key at once', () => {
    expect(() => readConfig(context({ stage: 'X', auditRetentionYears: -1 }))).toThrow(
      /"stage".*; CDK context "auditRetentionYears"|"auditRetentionYears".*; CDK context "stage"/,
    );
  });
});
