import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEADER } from '../helpers/parse.ts';

const BIN = join(import.meta.dirname, '../../bin/traceguard.js');

describe('traceguard output to a reader that stops early', () => {
  it('ends quietly with exit 0 when the pipe closes (as `| head` does)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-pipe-'));
    const file = join(dir, 'b.csv');
    writeFileSync(
      file,
      `${HEADER}\nc1,2026-11-27T10:00:00Z,,,0,C1,T1,+12125550101,+13105550100,486,BUSY,A,,1.2.3.4\n`,
    );
    const child = spawn(process.execPath, [BIN, 'analyze', '--format', 'json', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // the reader goes away before anything is written: every write then fails with EPIPE
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });
});
