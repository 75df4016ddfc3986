import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * What `traceguard analyze` tells the person who runs it about inputs that are not what they look
 * like. Run as the real command in a child process, on files written here.
 */
const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'cli-analyze-messages-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[]) =>
  run(process.execPath, [join(repoRoot, 'bin', 'traceguard.js'), ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '' },
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
const analyze = (args: string[]) => cli(['analyze', ...args]);

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const HEADER = 'call_id,start_time,customer_id,calling_number,called_number,duration_s';

describe('analyze: batches without rows', () => {
  it('reads an empty and a header-only file, and says of each in one line that it has no rows', async () => {
    const empty = file('empty.csv', '');
    const header = file('hdr.csv', `${HEADER}\n`);
    const r = await analyze([empty, header]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).summary).toMatchObject({ batches: 2, rows: 0 });
    expect(r.stderr).toBe(
      `traceguard: ${empty}: no rows: empty file\ntraceguard: ${header}: header only, no rows\n`,
    );
  });

  it('says nothing of a batch with rows', async () => {
    const ok = file('ok.csv', `${HEADER}\nx1,2026-12-01T14:00:00Z,C,2127180101,2125559876,10\n`);
    const r = await analyze([ok]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
  });
});

describe('analyze: a last row without a line end', () => {
  it('is read as it stands (most such files are complete), and said to be possibly cut short, with its line', async () => {
    const rows = [
      'x1,2026-12-01T14:00:00Z,C,2127180101,2125559876,10',
      'x2,2026-12-01T14:01:00Z,C,2127180101,2125559877,187',
    ];
    const open = file('open.csv', `${HEADER}\r\n${rows.join('\r\n')}`);
    const r = await analyze([open]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).summary).toMatchObject({ rows: 2, calls: 2, quarantined: 0 });
    expect(r.stderr).toBe(
      `traceguard: ${open}: its last row (line 3) has no line end: read as it stands; if the file was copied while the switch was writing it, that row may be cut short (copy the file again once the switch has written it)\n`,
    );
  });
});

describe('analyze: a batch that is no CDR CSV says what it is instead', () => {
  it.each([
    [
      'arr.json',
      '[{"call_id":"b1","start_time":"2026-12-01T14:00:00Z","customer_id":"J","calling_number":"2127180101","called_number":"2125559876"}]\n',
      'a JSON array, not JSON Lines (one object per line)',
    ],
    [
      'semi.csv',
      `${HEADER.replaceAll(',', ';')}\nx1;2026-12-01T14:00:00Z;C;2127180101;2125559876;10\n`,
      'the header is separated by semicolons; CDR CSV is comma-separated (call_id,start_time,...)',
    ],
    [
      'tab.tsv',
      `${HEADER.replaceAll(',', '\t')}\nx1\t2026-12-01T14:00:00Z\tC\t2127180101\t2125559876\t10\n`,
      'the header is separated by tabs; CDR CSV is comma-separated (call_id,start_time,...)',
    ],
  ])('%s', async (name, text, instead) => {
    const path = file(name, text);
    expect(await analyze([path])).toMatchObject({
      code: 2,
      stderr: `traceguard: ${path}: line 1: not a CDR batch: ${instead}\n`,
    });
  });
});

describe('analyze: quarantine reasons name what is wrong with the row', () => {
  it('an epoch out of range, a header line again, a fraction of a second (accepted, quoted or not)', async () => {
    const rows = [
      HEADER,
      'a1,0,C,2127180101,2125559876,10',
      // files concatenated: the second file's header
      HEADER,
      'a2,2026-12-01T14:00:00Z,C,2127180101,2125559877,10.5',
      '"a3","2026-12-01T14:00:00Z","C","2127180101","2125559878","10.5"',
      'a4,2026-12-01T14:00:00Z,C,2127180101,2125559879,10s',
    ];
    const path = file('edge.csv', `${rows.join('\n')}\n`);
    const q = join(dir, 'edge.q');
    const r = await analyze([path, '--quarantine-out', q]);
    expect(r.code).toBe(0);
    const quarantined = readFileSync(q, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; reason: string });
    expect(quarantined.map((x) => [x.line, x.reason])).toEqual([
      [
        2,
        expect.stringMatching(
          /^start_time '0' read as epoch is outside the plausible range 2000-01-01T00:00:00Z to /,
        ),
      ],
      [3, 'repeats the header (files concatenated?)'],
      [6, "duration_s '10s' is not a number of seconds >= 0 (digits, with a decimal fraction or not)"],
    ]);
    expect(JSON.parse(r.stdout).summary).toMatchObject({ rows: 5, calls: 2, quarantined: 3 });
  });

  it('exports concatenated, the second naming the numbers the other way round: its rows read by its header', async () => {
    const rows = [
      HEADER,
      'y1,2026-12-01T14:00:00Z,C,2024561111,3015552600,0',
      'call_id,start_time,customer_id,called_number,calling_number,duration_s',
      'y2,2026-12-01T14:01:00Z,C,3015552601,2024561111,0',
    ];
    const path = file('concat-other-order.csv', `${rows.join('\n')}\n`);
    const dno = file('concat-dno.txt', '2024561111\n');
    const q = join(dir, 'concat.q');
    const r = await analyze([path, '--dno', dno, '--quarantine-out', q]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.summary).toMatchObject({ rows: 3, calls: 2, quarantined: 1 });
    // both calls presented the caller ID on the Do-Not-Originate list
    expect(out.findings[0].metrics).toMatchObject({ calls: 2, dno_calls: 2, distinct_calling: 1 });
    expect(JSON.parse(readFileSync(q, 'utf8'))).toMatchObject({
      line: 3,
      reason: 'repeats the header (files concatenated?)',
    });
  });

  it('--quarantine-out holds at most --quarantine-max rows, and says how many it left out', async () => {
    const rows = [HEADER, ...Array.from({ length: 9 }, (_, i) => `b${i},0,C,2127180101,2125559876,10`)];
    const path = file('many-bad.csv', `${rows.join('\n')}\n`);
    const q = join(dir, 'many-bad.q');
    const r = await analyze([path, '--quarantine-out', q, '--quarantine-max', '4']);
    expect(r.code).toBe(0);
    expect(readFileSync(q, 'utf8').trim().split('\n')).toHaveLength(4);
    expect(JSON.parse(r.stdout).summary).toMatchObject({ rows: 9, quarantined: 9 });
    expect(r.stderr).toContain(
      `traceguard: ${q} holds the first 4 of the 9 quarantined rows (--quarantine-max 4); the rest are counted, not written\n`,
    );
    expect(await analyze([path, '--quarantine-max', '-1'])).toMatchObject({
      code: 2,
      stderr: "traceguard: --quarantine-max must be a whole number of rows, got '-1'\n",
    });
  });
});

describe('reference files that are no text', () => {
  it('a gzip or a binary DNO list is refused in one line, not printed as a phone number', async () => {
    const gz = join(dir, 'dno.txt.gz');
    writeFileSync(gz, gzipSync('+12025550143\n'));
    const bin = join(dir, 'dno.bin');
    writeFileSync(bin, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a]));
    for (const [path, why] of [
      [gz, 'gzip data'],
      [bin, 'binary data in the first bytes'],
    ]) {
      const line = `traceguard: ${path}: DNO list is not a text file (${why}); give it as plain UTF-8 text\n`;
      expect(await cli(['dno', 'import', path])).toMatchObject({ code: 2, stderr: line });
      expect(await analyze(['--dno', path, file('one.csv', `${HEADER}\n`)])).toMatchObject({
        code: 2,
        stderr: line,
      });
    }
  });
});

describe('analyze: output destinations are checked before anything is read', () => {
  it('an --out or --quarantine-out in a missing directory is refused at once, and the other output is not written', async () => {
    // a batch analyze would say a word about, had it been read
    const header = file('quiet.csv', `${HEADER}\n`);
    const missing = join(dir, 'no-such-dir', 'findings.json');
    expect(await analyze([header, '--out', missing])).toMatchObject({
      code: 2,
      stderr: `traceguard: --out ${missing}: no such directory ${join(dir, 'no-such-dir')}\n`,
    });
    const out = join(dir, 'findings.json');
    const r = await analyze([header, '--out', out, '--quarantine-out', join(dir, 'quiet.csv', 'q.jsonl')]);
    expect(r).toMatchObject({
      code: 2,
      stderr: `traceguard: --quarantine-out ${join(dir, 'quiet.csv', 'q.jsonl')}: ${header} is not a directory\n`,
    });
    expect(existsSync(out)).toBe(false);
  });
});
