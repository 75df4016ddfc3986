import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeTemplate } from '../../local/template/synthesize.ts';
import { traceguard } from './helpers/cli.ts';
import { customerStatus } from './helpers/pipeline-checks.ts';
import { CUSTOMERS_CSV, DNO_TXT, pipelineDay } from './helpers/pipeline-day.ts';
import { dropBatches, loadReference } from './helpers/seed.ts';
import { repoRoot, startTestStack, type TestStack } from './helpers/test-stack.ts';

/**
 * A case waiting for the analyst survives a restart of the local stack: the same `cases decide`
 * reaches the same execution afterwards, which then runs to its end, and the audit chain verifies.
 */
let template: unknown;
let t: TestStack;
let caseId: string;
const cli = (...args: string[]) => traceguard(t.stack, t.work, args);

beforeAll(async () => {
  template = await synthesizeTemplate(repoRoot);
  t = await startTestStack({ prefix: 'review-restart', template });
  await loadReference(t, CUSTOMERS_CSV, DNO_TXT);
  await dropBatches(
    t,
    pipelineDay().batches.filter((b) => /\/16-[ab]\.csv/.test(b.key)),
  );
  await t.stack.waitForIdle({ timeoutMs: 60_000 });
}, 180_000);

afterAll(async () => {
  await t?.stack.stop();
  if (t) rmSync(t.work, { recursive: true, force: true });
});

async function restart(): Promise<void> {
  await t.stack.stop();
  t = await startTestStack({ prefix: 'review-restart', template, work: t.work });
}

describe('a review waiting across restarts', () => {
  it('is still waiting for the analyst after a restart, with the same execution parked', async () => {
    const open = JSON.parse((await cli('cases', 'list', '--json')).stdout) as Array<Record<string, string>>;
    expect(open).toHaveLength(1);
    caseId = open[0].caseId;
    const before = t.stack.stepFunctions.list(t.stack.outputs.StateMachineArn).find((e) => e.name === caseId);
    expect(before?.status).toBe('RUNNING');
    const historyBefore = before?.history.length ?? 0;

    await restart();

    const after = t.stack.stepFunctions.describe(before?.executionArn ?? '');
    expect(after.status).toBe('RUNNING');
    expect(after.history.length).toBeGreaterThanOrEqual(historyBefore);
    expect(t.stack.tokens.waiting()).toEqual([
      expect.objectContaining({
        executionArn: after.executionArn,
        stateName: expect.stringMatching(/analyst/i),
      }),
    ]);
    const shown = JSON.parse((await cli('cases', 'show', caseId, '--json')).stdout);
    expect(shown).toMatchObject({ status: 'awaiting_review', awaitingStage: 'analyst' });
  });

  it('takes the analyst decision after the restart, and the executive one after another restart', async () => {
    const decided = await cli(
      'cases',
      'decide',
      caseId,
      '--decision',
      'terminate',
      '--as',
      'alice',
      '--reason',
      'DNO and impossible caller IDs at volume',
    );
    expect(decided).toMatchObject({ code: 0 });
    await t.stack.waitForIdle({ timeoutMs: 30_000 });
    expect(JSON.parse((await cli('cases', 'show', caseId, '--json')).stdout)).toMatchObject({
      status: 'awaiting_review',
      awaitingStage: 'executive',
    });

    await restart();

    const approved = await cli(
      'cases',
      'decide',
      caseId,
      '--decision',
      'terminate',
      '--as',
      'bob',
      '--reason',
      'Evidence reviewed, termination approved',
    );
    expect(approved).toMatchObject({ code: 0, stderr: '' });
    await t.stack.waitForIdle({ timeoutMs: 30_000 });
    const execution = t.stack.stepFunctions
      .list(t.stack.outputs.StateMachineArn)
      .find((e) => e.name === caseId);
    expect(execution?.status).toBe('SUCCEEDED');
    expect(await customerStatus(t, 'C-ABUSE')).toBe('terminated');
    const shown = JSON.parse((await cli('cases', 'show', caseId, '--json')).stdout);
    expect(shown).toMatchObject({ status: 'closed', outcome: 'terminate' });
    expect(shown.decisions.map((d: { decidedBy: string }) => d.decidedBy)).toEqual(['alice', 'bob']);
  });

  it('leaves an audit chain that verifies', async () => {
    const verified = await cli('audit', 'verify');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(new RegExp(`^ok      case#${caseId}: \\d+ records`, 'm'));
    expect(t.glueErrors).toEqual([]);
  });
});
