import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAnalyze } from '../../cli/analyze-run.ts';
import { UsageError } from '../../cli/errors.ts';

/**
 * `analyze --tracebacks F`: a header first, naming its columns. A headerless file used to lose its
 * first traceback, read as the header, and with it the reason it would have raised.
 */
const dir = mkdtempSync(join(tmpdir(), 'tg-tracebacks-'));
const cdr = join(dir, 'day.csv');
writeFileSync(
  cdr,
  `call_id,start_time,customer_id,calling_number,called_number,duration_s,sip_code\n${Array.from(
    { length: 20 },
    (_, i) =>
      `c${i},2026-11-27T15:${String(i).padStart(2, '0')}:00Z,C1,+12124567100,+13124567${100 + i},60,200`,
  ).join('\n')}\n`,
);

async function reasonsWith(tracebacks: string): Promise<string[]> {
  const file = join(dir, `tb-${Math.random()}.csv`);
  writeFileSync(file, tracebacks);
  const out = JSON.parse(
    [...(await runAnalyze([cdr], { inputFormat: 'auto', format: 'json', tracebacks: file }))].join(''),
  ) as {
    findings: Array<{ reasons: Array<{ code: string }> }>;
  };
  return out.findings.flatMap((f) => f.reasons.map((r) => r.code));
}

describe('the traceback history file', () => {
  it('is read by its header, columns in any order and case, others ignored', async () => {
    expect(
      await reasonsWith('ANSWERED_AT,traceback_id,Customer_ID\n2026-11-20T10:00:00Z,ITG-1,C1\n'),
    ).toContain('TRACEBACK_HISTORY');
  });

  it('without a header is refused, naming line 1, rather than losing its first traceback', async () => {
    const run = reasonsWith('C1,2026-11-20T10:00:00Z\n');
    await expect(run).rejects.toThrow(UsageError);
    await expect(reasonsWith('C1,2026-11-20T10:00:00Z\n')).rejects.toThrow(
      /line 1 must be a header naming customer_id and answered_at.*got 'C1,2026-11-20T10:00:00Z'/,
    );
  });

  it('names the line of a traceback it cannot read', async () => {
    await expect(reasonsWith('customer_id,answered_at\nC1,yesterday\n')).rejects.toThrow(/line 2: expected/);
  });
});
