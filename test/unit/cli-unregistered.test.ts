import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runAnalyze } from '../../cli/analyze-run.ts';

/**
 * Customers with calls but no registry row are judged as new: `analyze --customers` says which, so a
 * wrong id, trunk map or `--switch` shows as a warning rather than as findings about nobody.
 */
const dir = mkdtempSync(join(tmpdir(), 'tg-unregistered-'));
const registry = join(dir, 'customers.csv');
writeFileSync(
  registry,
  'customer_id,name,onboarded_at,vetting,traffic_profile\nC1,One,2024-01-01,standard,conversational\n',
);
const cdr = join(dir, 'day.csv');
const ids = ['C1', ...Array.from({ length: 11 }, (_, i) => `TENANT-${i}`), 'c1'];
writeFileSync(
  cdr,
  `call_id,start_time,customer_id,calling_number,called_number\n${ids
    .map((id, i) => `c${i},2026-11-27T15:00:00Z,${id},+12124567100,+13124567100`)
    .join('\n')}\n`,
);

afterEach(() => {
  vi.restoreAllMocks();
});

async function stderrOf(withRegistry: boolean): Promise<string> {
  const written: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  [
    ...(await runAnalyze([cdr], {
      inputFormat: 'auto',
      format: 'json',
      customers: withRegistry ? registry : undefined,
    })),
  ];
  return written.join('');
}

describe('analyze --customers', () => {
  it('names the customers with calls the registry does not hold, ten of them and how many more', async () => {
    const err = await stderrOf(true);
    expect(err).toMatch(
      /12 customer\(s\) with calls are not in the registry and were judged as new customers: TENANT-0, .*TENANT-9, and 2 more/,
    );
    expect(err).not.toMatch(/\bC1\b/);
  });

  it('names the registry id that differs only in letter case', async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const few = join(dir, 'few.csv');
    writeFileSync(
      few,
      'call_id,start_time,customer_id,calling_number,called_number\nx1,2026-11-27T15:00:00Z,c1,+12124567100,+13124567100\n',
    );
    [...(await runAnalyze([few], { inputFormat: 'auto', format: 'json', customers: registry }))];
    expect(written.join('')).toMatch(
      /1 customer\(s\) with calls are not in the registry and were judged as new customers: c1 \(the registry has C1\) \(check/,
    );
  });

  it('refuses a registry file with no header: an empty file is not a registry with every customer new', async () => {
    for (const [name, text] of [
      ['empty.csv', ''],
      ['blank.csv', '\n\n'],
    ]) {
      const path = join(dir, name);
      writeFileSync(path, text);
      await expect(
        (async () => [
          ...(await runAnalyze([cdr], { inputFormat: 'auto', format: 'json', customers: path })),
        ])(),
      ).rejects.toThrow(
        `${path}: empty file (expected a header customer_id,name,onboarded_at,vetting,traffic_profile)`,
      );
    }
  });

  it('says nothing without a registry: every customer is new by choice', async () => {
    expect(await stderrOf(false)).not.toMatch(/not in the registry/);
  });
});
