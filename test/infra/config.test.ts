import { describe, expect, it } from 'vitest';
import { readConfig } from '../../infra/config.ts';

const context = (values: Record<string, unknown>) => ({ tryGetContext: (key: string) => values[key] });

describe('CDK context configuration', () => {
  it('has documented defaults', () => {
    expect(readConfig(context({}))).toEqual({
      stage: 'dev',
      archiveTransitionDays: 30,
      auditRetentionYears: 5,
      alertQuietHours: 24,
      // a trial stage: its audit export can be cleaned up
      auditLockMode: 'governance',
      auditLockDays: 1,
    });
  });

  it.each([
    ['dev', 'governance', 1],
    ['dev-alice', 'governance', 1],
    ['prod', 'compliance', 366 * 5],
    ['staging', 'compliance', 366 * 5],
  ])('stage %s locks the audit export in %s mode for %i days by default', (stage, mode, days) => {
    expect(readConfig(context({ stage }))).toMatchObject({ auditLockMode: mode, auditLockDays: days });
  });

  it('lets a trial stage choose the compliance lock and its length', () => {
    expect(
      readConfig(context({ stage: 'dev', auditLockMode: 'compliance', auditLockDays: '30' })),
    ).toMatchObject({ auditLockMode: 'compliance', auditLockDays: 30 });
  });

  it('accepts numbers given as strings with -c and treats an empty value as unset', () => {
    expect(
      readConfig(
        context({
          archiveTransitionDays: '90',
          auditRetentionYears: '7',
          alertQuietHours: '12',
          alertEmail: '',
          stage: 'prod',
          policyKey: 'policy/p.json',
        }),
      ),
    ).toEqual({
      stage: 'prod',
      archiveTransitionDays: 90,
      auditRetentionYears: 7,
      alertQuietHours: 12,
      policyKey: 'policy/p.json',
      auditLockMode: 'compliance',
      auditLockDays: 366 * 7,
    });
  });

  it.each([
    [{ alertQuietHours: '0' }, /CDK context "alertQuietHours" = "0"/],
    [{ archiveTransitionDays: 'thirty' }, /CDK context "archiveTransitionDays" = "thirty"/],
    [{ archiveTransitionDays: 0 }, /"archiveTransitionDays" = 0: .*>=\s*1/],
    [{ auditRetentionYears: 2.5 }, /"auditRetentionYears" = 2.5: .*expected int/],
    [{ alertEmail: 'on-call' }, /"alertEmail" = "on-call": .*email/],
    [{ stage: 'Prod_1' }, /"stage" = "Prod_1": lower-case letters/],
    [{ auditLockMode: 'legal-hold' }, /"auditLockMode" = "legal-hold": .*"governance"/],
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
