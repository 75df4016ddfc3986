import { Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTraceguardApp } from '../../infra/build-app.ts';
import { requireHandlers, synthTraceguard } from './synth.ts';

let synth: ReturnType<typeof synthTraceguard>;
beforeAll(() => {
  synth = synthTraceguard({ alertEmail: 'noc@carrier.example', policyKey: 'policy/override.json' });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged error or warning', () => {
    const report = new AwsSolutionsChecks(synth.app).validateScope(synth.app);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}: ${v.description}`),
    );
    expect(findings).toEqual([]);
  });

  it('gives every acknowledgement a written reason', () => {
    const acknowledged = synth.app.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((m) =>
            Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ c, id, reason })),
          ),
      );
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { c, id, reason } of acknowledged) {
      expect(reason.trim().split(/\s+/).length, `${c.node.path} ${id}: "${reason}"`).toBeGreaterThanOrEqual(
        6,
      );
    }
  });

  it('stops synthesis in the real app when a finding is not acknowledged', () => {
    requireHandlers();
    // the app as `cdk synth` builds it, with the nag plugin registered; break one rule on purpose
    const { app, stack } = buildTraceguardApp({ context: { 'aws:cdk:bundling-stacks': [] } });
    new Queue(stack, 'QueueWithoutDlqOrTls');
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3[\s\S]*QueueWithoutDlqOrTls/);
  });
});
