import { execFile, execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { terminalSafe } from '../../cli/terminal-text.ts';
import { BatchReadError } from '../../shared/cdr/batch-parser.ts';
import { readBatch } from '../../shared/cdr/read-batch.ts';
import { HOUR_MS as HOUR } from '../../shared/cdr/time.ts';
import { Aggregator } from '../../shared/detect/aggregator.ts';
import { scoreAll } from '../../shared/detect/analysis.ts';
import { loadPolicy } from '../../shared/detect/policy.ts';
import { emptyReference } from '../../shared/detect/reference.ts';
import { HEADER, parse } from '../helpers/parse.ts';
import { MB, traceguard } from './hostile-cli.ts';

/**
 * Hostile input against the readers and normalizers, beyond test/unit/cdr-properties.test.ts (which
 * covers RFC 4180 round trips and junk after a valid header): raw bytes with no header at all, invalid
 * UTF-8 and NULs, gzip-looking garbage, records far longer than the bound, pathological quoting, a
 * gzip bomb against the per-batch decompression bound, and spreadsheet formula strings in fields.
 * The rule everywhere: rows or quarantine entries, or a BatchReadError that names the batch (the
 * whole batch is unreadable and stays retryable); never another exception, never a lost row.
 */
const work = mkdtempSync(join(tmpdir(), 'traceguard-hostile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function readAll(bytes: Buffer, chunk: number, maxDecompressedBytes?: number) {
  let calls = 0;
  let quarantined = 0;
  async function* body() {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  }
  const stats = await readBatch(
    body(),
    { source: 'hostile.csv', format: 'auto', maxDecompressedBytes },
    { call: () => calls++, quarantine: () => quarantined++ },
  );
  return { stats, calls, quarantined };
}

const row = (id: string, extra = '') =>
  `${id},2026-11-27T16:00:00Z,,,0,C1,T1,+12025550143,+13125550199,486,BUSY,A,,${extra}`;

/** control characters other than the newline that ends each line */
const controls = (text: string) =>
  [...text].filter((c) => (c < ' ' && c !== '\n') || (c >= '\x7f' && c <= '\x9f'));

/** `n` rejected, unsigned calls (603, attestation C), each field picked by the call's index */
const rejectedCalls = (
  n: number,
  pick: { id: (i: number) => string; startMs: (i: number) => number; customer: (i: number) => string },
  trunk: (i: number) => string = () => 'T1',
  called: (i: number) => string = (i) => `+1415555${String(2000 + i)}`,
) =>
  Array.from({ length: n }, (_, i) =>
    [
      pick.id(i),
      new Date(pick.startMs(i)).toISOString().replace('.000Z', 'Z'),
      '',
      '',
      '0',
      pick.customer(i),
      trunk(i),
      `+1212555${String(1000 + (i % 9000))}`,
      called(i),
      '603',
      'REJECTED',
      'C',
      '',
      '',
    ].join(','),
  );

/** 300 rejected, unsigned calls in one hour from `customer`: enough for a finding */
const robocalls = (customer: string, prefix = 'r') =>
  rejectedCalls(300, {
    id: (i) => `${prefix}${i}`,
    startMs: (i) => Date.UTC(2026, 10, 27, 16) + i * 10_000,
    customer: () => customer,
  });

describe('hostile bytes', () => {
  it('any byte sequence (no header, NULs, invalid UTF-8, gzip magic) yields counted rows or a BatchReadError', async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 800 }),
      // gzip magic followed by garbage: must be "corrupt gzip", not a crash
      fc.uint8Array({ maxLength: 200 }).map((b) => Uint8Array.from([0x1f, 0x8b, ...b])),
      // a valid header then raw bytes including NUL and lone continuation bytes
      fc.uint8Array({ maxLength: 400 }).map((b) => Uint8Array.from([...Buffer.from(`${HEADER}\n`), ...b])),
    );
    await fc.assert(
      fc.asyncProperty(bytes, fc.integer({ min: 1, max: 97 }), async (b, chunk) => {
        try {
          const { stats, calls, quarantined } = await readAll(Buffer.from(b), chunk);
          expect(stats.rows).toBe(calls + quarantined);
          expect(stats.calls).toBe(calls);
          expect(stats.quarantined).toBe(quarantined);
        } catch (error) {
          expect(error).toBeInstanceOf(BatchReadError);
          expect((error as Error).message).toContain('hostile.csv');
        }
      }),
      { numRuns: 400 },
    );
  });

  it('a record far beyond the bound is quarantined alone; the rows around it still count', async () => {
    await fc.assert(
      fc.asyncProperty(
        // past the parser's default bound of 1 MiB per record (the ingest function uses the default)
        // plus one chunk: a longer record that arrives inside a single chunk is accepted whole (the
        // bound limits what is carried between chunks, i.e. memory; see RELIABILITY.md)
        fc.integer({ min: 1024 * 1024 + 64 * 1024 + 1, max: 2_000_000 }),
        fc.constantFrom('x', '"', ',', '\n'),
        fc.integer({ min: 1, max: 5 }),
        async (length, filler, before) => {
          const long =
            filler === '\n'
              ? `"${`${'a'.repeat(999)}\n`.repeat(Math.ceil(length / 1000))}"`
              : `"${filler.repeat(length)}"`;
          const lines = [
            ...Array.from({ length: before }, (_, i) => row(`b${i}`)),
            row('long', long),
            row('after'),
          ];
          const { stats, calls, quarantined } = await parse(`${HEADER}\n${lines.join('\n')}\n`, {
            chunk: 64 * 1024,
          });
          const expectedCalls = [...Array.from({ length: before }, (_, i) => `b${i}`), 'after'];
          expect(stats.rows).toBe(calls.length + quarantined.length);
          expect(calls.map((c) => c.callId)).toEqual(expectedCalls);
          if (filler !== '\n') {
            expect(quarantined.map((q) => q.line)).toEqual([before + 2]);
            expect(stats.rows).toBe(before + 2);
          } else {
            // a quoted field with line breaks past the bound is quarantined from its opening line;
            // reading resumes on the next line, so each of its lines is a row of its own (quarantined,
            // with its exact line number), up to the closing quote, which opens a field that never
            // closes: that line alone is quarantined too, and the row after it is a call again
            const k = Math.ceil(length / 1000);
            expect(quarantined.map((q) => q.line)).toEqual(
              Array.from({ length: k + 1 }, (_, i) => before + 2 + i),
            );
            expect(quarantined[0].reason).toMatch(/unterminated quoted field/);
          }
        },
      ),
      { numRuns: 6 },
    );
  });

  it('deep and broken quoting never shifts or loses a row', async () => {
    const quoted = fc
      .array(fc.constantFrom('""', 'a', ',', ' ', '\n', '\r\n', '\\'), { maxLength: 200 })
      .map((parts) => `"${parts.join('')}"`);
    await fc.assert(
      fc.asyncProperty(fc.array(quoted, { minLength: 1, maxLength: 6 }), async (fields) => {
        const lines = fields.map((f, i) => row(`q${i}`, f));
        const { stats, calls, quarantined } = await parse(`${HEADER}\n${lines.join('\n')}\n`, { chunk: 7 });
        expect(calls.length + quarantined.length).toBe(fields.length);
        expect(stats.rows).toBe(fields.length);
        expect(calls.map((c) => c.callId)).toEqual(fields.map((_, i) => `q${i}`));
      }),
      { numRuns: 200 },
    );
  });

  it('an unterminated quote at the end quarantines its opening line; the lines after it are rows of their own', async () => {
    const text = `${HEADER}\n${row('ok')}\n${row('open', '"never closed\nmore,text')}\n${row('last')}\n`;
    const { calls, quarantined, stats } = await parse(text);
    expect(calls.map((c) => c.callId)).toEqual(['ok', 'last']);
    expect(quarantined.map((q) => [q.line, q.reason.slice(0, 26)])).toEqual([
      [3, 'unterminated quoted field '],
      [4, 'has 2 fields, the header h'],
    ]);
    expect(stats.rows).toBe(4);
  });
});

describe('gzip bomb', () => {
  it('decompression stops at the configured bound with a BatchReadError, memory stays flat', async () => {
    // 256 MiB of well-formed rows (so no other bound trips first) compress to well under 1 MiB
    const unit = Buffer.from(`${Array.from({ length: 64 }, (_, i) => row(`bomb${i}`)).join('\n')}\n`);
    const bomb = gzipSync(
      Buffer.concat([Buffer.from(`${HEADER}\n`), Buffer.alloc(256 * 1024 * 1024, unit)]),
      {
        level: 9,
      },
    );
    expect(bomb.length).toBeLessThan((256 * 1024 * 1024) / 50);
    const heapBefore = process.memoryUsage().heapUsed;
    const limit = 4 * 1024 * 1024;
    const error = await readAll(bomb, 64 * 1024, limit).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BatchReadError);
    expect((error as Error).message).toMatch(/hostile\.csv: decompresses to more than 4194304 bytes/);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('any size under the bound is read in full, any size over it is refused', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 400 }),
        async (rows, limitRows) => {
          const text = `${HEADER}\n${Array.from({ length: rows }, (_, i) => row(`g${i}`)).join('\n')}\n`;
          const limit = Buffer.byteLength(`${HEADER}\n${row('g0')}\n`) * limitRows;
          const size = Buffer.byteLength(text);
          const result = await readAll(gzipSync(text), 512, limit).then(
            (r) => r.stats.rows,
            (e: unknown) => e,
          );
          if (size <= limit) expect(result).toBe(rows);
          else expect(result).toBeInstanceOf(BatchReadError);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('formula injection', () => {
  const FORMULAS = [
    '=1+2',
    '+SUM(A1:A9)',
    '-3+3',
    '@cmd',
    '=HYPERLINK("http://x.example","go")',
    '\t=1',
    "=cmd|' /C calc'!A0",
  ];
  const csvField = (f: string) => (/[",\r\n]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f);

  it('formula strings in fields are kept verbatim as data, never evaluated or coerced', async () => {
    const lines = FORMULAS.map((f, i) =>
      [
        `id${i}`,
        '2026-11-27T16:00:00Z',
        '',
        '',
        '0',
        csvField(f),
        csvField(f),
        '+12025550143',
        '+13125550199',
        '486',
        'BUSY',
        'A',
        '',
        '',
      ].join(','),
    );
    const { calls, quarantined } = await parse(`${HEADER}\n${lines.join('\n')}\n`);
    expect(quarantined).toEqual([]);
    // surrounding white space is trimmed (normalization); nothing else changes
    expect(calls.map((c) => c.customerId)).toEqual(FORMULAS.map((f) => f.trim()));
    expect(calls.map((c) => c.trunkId)).toEqual(FORMULAS.map((f) => f.trim()));
  });

  it('traceguard analyze reports them as JSON strings, exactly as received', async () => {
    // robocall-shaped traffic so every formula customer gets a finding in the output
    const lines: string[] = [];
    for (const [c, f] of FORMULAS.entries()) lines.push(...robocalls(csvField(f), `f${c}-`));
    const file = join(work, 'formulas.csv');
    writeFileSync(file, `${HEADER}\n${lines.join('\n')}\n`);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(import.meta.dirname, '..', '..', 'bin', 'traceguard.js'), 'analyze', '--format', 'json', file],
      { cwd: work, env: { PATH: process.env.PATH ?? '' } },
    );
    expect(stdout.startsWith('{')).toBe(true);
    const doc = JSON.parse(stdout) as { findings: Array<{ customer_id: string }> };
    expect(new Set(doc.findings.map((f) => f.customer_id))).toEqual(new Set(FORMULAS.map((f) => f.trim())));
  });
});

/**
 * The hostile-input table (RELIABILITY.md "Hostile input"): each case a small generated input that a
 * reader without the limit gets wrong.
 */
describe('hostile input: line accounting', () => {
  it('7. an unterminated quote on line 2 costs that line only; every later row counts at its own line', async () => {
    const good = Array.from({ length: 3000 }, (_, i) => row(`g${i}`));
    // a bad row far down, to check its line number after the runaway quote
    good[2500] = row('late', '"x",yz');
    const text = `${HEADER}\n${row('open', '"never closed')}\n${good.join('\n')}\n`;
    for (const chunk of [64 * 1024, 4096, 97]) {
      const { stats, calls, quarantined } = await parse(text, { chunk });
      expect(quarantined.map((q) => q.line)).toEqual([2, 2503]);
      expect(quarantined[0].reason).toMatch(/unterminated quoted field/);
      expect(calls).toHaveLength(2999);
      expect(calls[2999 - 1].line).toBe(3002);
      expect(stats.rows).toBe(3001);
    }
  });

  it('8. a JSON Lines line over the record bound is one quarantined row, its tail never a call', async () => {
    const json = (id: string) =>
      JSON.stringify({
        call_id: id,
        start_time: '2026-11-27T16:00:00Z',
        customer_id: 'C1',
        calling_number: '+12025550143',
        called_number: '+13125550199',
      });
    // padding then a valid object on the same line: read in pieces, the tail used to become a call
    const long = `${'x'.repeat(3 * 1024 * 1024)}${json('forged')}`;
    const text = `${json('a')}\n${long}\n${json('b')}\n`;
    for (const chunk of [64 * 1024, 1 << 20, 4 << 20]) {
      const { stats, calls, quarantined } = await parse(text, { chunk });
      expect(calls.map((c) => [c.callId, c.line])).toEqual([
        ['a', 1],
        ['b', 3],
      ]);
      expect(quarantined.map((q) => [q.line, q.reason])).toEqual([[2, 'record longer than 1048576 bytes']]);
      expect(stats.rows).toBe(3);
    }
  });
});

describe('hostile input: plausibility', () => {
  const rowWith = (fields: Partial<Record<string, string>>) => {
    const base: Record<string, string> = {
      call_id: 'p',
      start_time: '2026-11-27T16:00:00Z',
      answer_time: '',
      end_time: '',
      duration_s: '0',
      customer_id: 'C1',
      trunk_id: 'T1',
      calling_number: '+12025550143',
      called_number: '+13125550199',
      sip_code: '486',
      disposition: 'BUSY',
      attestation: 'A',
      verstat: '',
      source_ip: '',
    };
    return HEADER.split(',')
      .map((c) => fields[c] ?? base[c])
      .join(',');
  };
  const reasonFor = async (fields: Partial<Record<string, string>>) => {
    const { calls, quarantined, stats } = await parse(`${HEADER}\n${rowWith(fields)}\n`);
    expect(stats.rows).toBe(1);
    expect(calls).toEqual([]);
    return quarantined[0]?.reason;
  };

  it.each([
    [
      'start_time',
      '0099-11-27T16:00:00Z',
      /start_time '0099-11-27T16:00:00Z' is outside the plausible range 2000-01-01/,
    ],
    ['start_time', '0000-01-01T00:00:00Z', /outside the plausible range/],
    ['start_time', '0001-01-01T00:00:00Z', /outside the plausible range/],
    ['start_time', '1999-12-31T23:59:59Z', /outside the plausible range/],
    ['start_time', '2026-11-27T16:00:00+99:99', /is not an ISO 8601 time with offset \(within ±14:00\)/],
    ['start_time', '2026-11-27T16:00:00+15:00', /within ±14:00/],
    ['end_time', '9999-12-31T23:59:59Z', /end_time '9999-12-31T23:59:59Z' is outside the plausible range/],
    ['answer_time', '4102444800', /answer_time '4102444800' is outside the plausible range/],
    ['duration_s', '9'.repeat(308), /duration_s '9{20}' is longer than 86400 s/],
    ['duration_s', '86401', /duration_s '86401' is longer than 86400 s/],
    ['sip_code', '0xC8', /sip_code '0xC8' is not a SIP response code/],
    ['sip_code', '2e2', /sip_code '2e2' is not a SIP response code/],
    ['sip_code', '200.0', /sip_code '200.0' is not a SIP response code/],
  ])('9-10. an implausible %s (case %#) is quarantined with its reason', async (field, value, reason) => {
    expect(await reasonFor({ [field]: value })).toMatch(reason);
  });

  it('10. a duration derived from answer and end times is bounded too', async () => {
    expect(
      await reasonFor({
        duration_s: '',
        start_time: '2026-11-25T15:59:00Z',
        answer_time: '2026-11-25T16:00:00Z',
        end_time: '2026-11-27T16:00:00Z',
      }),
    ).toMatch(/duration \(answer_time to end_time\) is longer than 86400 s/);
  });

  it('9-10. the bounds sit where they say: the last plausible values are still calls, in both lanes', async () => {
    const ok = [
      rowWith({ call_id: 'e', start_time: '2000-01-01T00:00:00Z' }),
      rowWith({ call_id: 'd', duration_s: '86400', sip_code: '200', disposition: 'ANSWERED' }),
      rowWith({ call_id: 'o', start_time: '2026-11-28T06:00:00+14:00' }),
    ];
    const { calls, quarantined } = await parse(`${HEADER}\n${ok.join('\n')}\n`);
    expect(quarantined).toEqual([]);
    expect(calls.map((c) => c.callId)).toEqual(['e', 'd', 'o']);
    expect(calls[2].startMs).toBe(Date.UTC(2026, 10, 27, 16));
  });

  it('10. one implausible row no longer erases LOW_ACD from its hour', async () => {
    const lines = Array.from({ length: 200 }, (_, i) =>
      rowWith({ call_id: `s${i}`, duration_s: '2', sip_code: '200', disposition: 'ANSWERED' }),
    );
    lines.push(
      rowWith({ call_id: 'huge', duration_s: '9'.repeat(308), sip_code: '200', disposition: 'ANSWERED' }),
    );
    const { calls, quarantined } = await parse(`${HEADER}\n${lines.join('\n')}\n`);
    expect(calls.every((c) => c.durationS === 2)).toBe(true);
    expect(quarantined.map((q) => q.line)).toEqual([202]);
  });
});

describe('hostile input: plausibility on the command line', () => {
  it('9. analyze --earliest / --latest move the plausible range; a bad range is refused', async () => {
    const dir = mkdtempSync(join(work, 'range-'));
    const file = join(dir, 'old.csv');
    writeFileSync(file, `${HEADER}\n${row('y1999').replace('2026-11-27', '1999-06-01')}\n${row('now')}\n`);
    const plain = await traceguard(['analyze', '--format', 'json', file]);
    expect(JSON.parse(plain.stdout).summary).toMatchObject({ rows: 2, calls: 1, quarantined: 1 });
    expect(plain.stderr).toContain(
      `${file}:2: start_time '1999-06-01T16:00:00Z' is outside the plausible range`,
    );
    const widened = await traceguard([
      'analyze',
      '--format',
      'json',
      '--earliest',
      '1990-01-01T00:00:00Z',
      file,
    ]);
    expect(JSON.parse(widened.stdout).summary).toMatchObject({ rows: 2, calls: 2, quarantined: 0 });
    const narrowed = await traceguard([
      'analyze',
      '--format',
      'json',
      '--latest',
      '2026-01-01T00:00:00Z',
      '--earliest',
      '1990-01-01T00:00:00Z',
      file,
    ]);
    expect(JSON.parse(narrowed.stdout).summary).toMatchObject({ rows: 2, calls: 1, quarantined: 1 });
    const bad = await traceguard([
      'analyze',
      '--earliest',
      '2026-01-01T00:00:00Z',
      '--latest',
      '2025-01-01T00:00:00Z',
      file,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('traceguard: --latest is before --earliest\n');
  });
});

describe('hostile input: characters', () => {
  it('13. invalid UTF-8 in customer_id is quarantined, not merged into one replacement-character id', async () => {
    const head = Buffer.from(`${HEADER}\n${row('ok')}\n`);
    const bad = (byte: number, id: string) =>
      Buffer.concat([
        Buffer.from(`${id},2026-11-27T16:00:00Z,,,0,C`),
        Buffer.from([byte]),
        Buffer.from(',T1,+12025550143,+13125550199,486,BUSY,A,,\n'),
      ]);
    const bytes = Buffer.concat([head, bad(0xff, 'x1'), bad(0xfe, 'x2'), bad(0xc3, 'x3')]);
    const { calls, quarantined, stats } = await parse(bytes);
    expect(calls.map((c) => c.customerId)).toEqual(['C1']);
    expect(quarantined.map((q) => [q.line, q.reason])).toEqual(
      [3, 4, 5].map((l) => [
        l,
        'customer_id is not valid UTF-8 (kept out rather than merged with other ids)',
      ]),
    );
    expect(stats.rows).toBe(4);
  });

  it('13. NUL is not a value: not "attestation not reported", not part of an id (CSV and JSON Lines)', async () => {
    // past the first 4 KiB, where the batch's format is decided (a stray NUL there is quarantined too)
    const filler = Array.from({ length: 60 }, (_, i) => row(`f${i}`));
    const csv = `${HEADER}\n${filler.join('\n')}\n${row('n1').replace(',A,', ',\u0000,')}\n${row('n2').replace(',C1,', ',C\u00001,')}\n`;
    const { calls, quarantined, stats } = await parse(csv);
    expect(calls).toHaveLength(60);
    expect(quarantined.map((q) => [q.line, q.reason])).toEqual([
      [62, 'attestation holds a NUL character'],
      [63, 'customer_id holds a NUL character'],
    ]);
    expect(stats.rows).toBe(62);
    const jsonl = `${JSON.stringify({ call_id: 'j', start_time: '2026-11-27T16:00:00Z', customer_id: 'C1', calling_number: '+12025550143', called_number: '+13125550199', attestation: '\u0000' })}\n`;
    const j = await parse(jsonl);
    expect(j.quarantined.map((q) => q.reason)).toEqual(['attestation holds a NUL character']);
  });
});

describe('hostile input: the command line (child processes, peak RSS measured by the child)', () => {
  const dir = mkdtempSync(join(work, 'cli-'));

  it('1-2. a gzip bomb of zeros or of one character, read in two ranges: exit 2 with the one-worker error, memory flat', async () => {
    const cases = [
      ['zeros.gz', Buffer.alloc(256 * MB), /zeros\.gz: not a text file \(binary data in the first bytes\)$/],
      [
        'one-char.gz',
        Buffer.alloc(256 * MB, 'a'),
        /one-char\.gz: line 1: not a CDR batch: record longer than 1048576 bytes \(268435456 bytes\), so no header can be read/,
      ],
    ] as const;
    for (const [name, bytes, error] of cases) {
      const file = join(dir, name);
      writeFileSync(file, gzipSync(bytes, { level: 1 }));
      const r = await traceguard(['analyze', '--format', 'json', file], {
        env: { TRACEGUARD_ANALYZE_WORKERS: '2' },
      });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(error)]);
      expect(r.stdout).toBe('');
      // the second range used to gather every inflated byte looking for its first newline
      expect(r.peakRss).toBeLessThan(320 * MB);
    }
  });

  it('3. 70k malformed rows with control characters, read in two ranges: streamed to --quarantine-out, exact lines, memory flat', async () => {
    const bad = (i: number) =>
      `m${i},2026-11-27T16:00:00Z,,,0,C1,T1,+12025550143,+13125550199,999,BUSY,A,,\x1b[2J\u2028${'z'.repeat(1000)}\x07`;
    const rows = Array.from({ length: 70_000 }, (_, i) => bad(i));
    const file = join(dir, 'malformed.csv.gz');
    writeFileSync(file, gzipSync(`${HEADER}\n${rows.join('\n')}\n`, { level: 1 }));
    const quarantine = join(dir, 'malformed.quarantine.jsonl');
    const r = await traceguard(['analyze', '--format', 'json', '--quarantine-out', quarantine, file], {
      env: { TRACEGUARD_ANALYZE_WORKERS: '2' },
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).summary).toMatchObject({
      batches: 1,
      rows: 70_000,
      quarantined: 70_000,
      calls: 0,
    });
    const lines = readFileSync(quarantine, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(70_000);
    for (const k of [0, 34_999, 35_000, 69_999]) {
      const q = JSON.parse(lines[k]) as { line: number; raw: string; reason: string };
      expect(q.line).toBe(k + 2);
      expect(q.raw.startsWith(`m${k},`)).toBe(true);
      expect(q.raw).toContain('\x1b[2J');
    }
    // stderr: the count and five examples, nothing raw
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(6);
    expect(r.peakRss).toBeLessThan(320 * MB);
  });

  it('11. control characters in customer ids and file names are escaped on the terminal; JSON stays exact', async () => {
    const evil = 'C\x1b[2J\x1b]0;pwned\x07';
    const name = join(dir, 'batch\nforged line \x1b[31m.csv');
    writeFileSync(
      name,
      `${HEADER}\n${robocalls(evil).join('\n')}\n${row('bad').replace(',486,', ',0xC8,')}\n`,
    );
    const table = await traceguard(['analyze', '--format', 'table', name]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('C\\x1b[2J\\x1b]0;pwned\\x07 (new, ');
    expect(controls(table.stdout)).toEqual([]);
    expect(controls(table.stderr)).toEqual([]);
    expect(table.stderr.trimEnd().split('\n')).toEqual([
      'traceguard: 1 row(s) quarantined, e.g.',
      `  ${dir}/batch\\x0aforged line \\x1b[31m.csv:302: sip_code '0xC8' is not a SIP response code (100-699)`,
    ]);
    const json = await traceguard(['analyze', '--format', 'json', name]);
    expect(JSON.parse(json.stdout).findings[0].customer_id).toBe(evil);
    // an error line naming such a file is one line too
    const notCsv = join(dir, 'x\ny\x1b[2J');
    writeFileSync(notCsv, 'hello\x1b[2J\n');
    const error = await traceguard(['analyze', notCsv]);
    expect(error.code).toBe(2);
    expect(controls(error.stderr)).toEqual([]);
    expect(error.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(error.stderr).toContain('x\\x0ay\\x1b[2J');

    // commander's own usage errors quote the argument: escaped too, and one line
    const usage = await traceguard(['analyze', '--no-such\x1b]0;pwned\x07\nforged', name]);
    expect(usage.code).toBe(2);
    expect(controls(usage.stderr)).toEqual([]);
    expect(usage.stderr.split('\n')[0]).toBe("error: unknown option '--no-such\\x1b]0;pwned\\x07 forged'");
  });

  it('12. an output that is an input, the other output or a symbolic link is refused before anything is read', async () => {
    const input = join(dir, 'keep.csv');
    const text = `${HEADER}\n${row('k1')}\n`;
    writeFileSync(input, text);
    const refused = async (args: string[], message: RegExp) => {
      const r = await traceguard(['analyze', '--format', 'json', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(readFileSync(input, 'utf8')).toBe(text);
    };
    await refused(
      ['--quarantine-out', input, input],
      /--quarantine-out .*keep\.csv: is the input .*keep\.csv; refusing to overwrite it/,
    );
    await refused(['--out', input, input], /--out .*: is the input/);
    const both = join(dir, 'both.json');
    await refused(
      ['--out', both, '--quarantine-out', both, input],
      /--quarantine-out .*both\.json: is also --out/,
    );
    const target = join(dir, 'target.txt');
    writeFileSync(target, 'precious');
    const link = join(dir, 'link.json');
    symlinkSync(target, link);
    await refused(['--out', link, input], /--out .*link\.json: is a symbolic link/);
    expect(readFileSync(target, 'utf8')).toBe('precious');
    // a good run writes through a temporary file renamed into place: nothing left beside it
    const out = join(dir, 'out', 'findings.json');
    mkdirSync(join(dir, 'out'));
    const ok = await traceguard(['analyze', '--format', 'json', '--out', out, input]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).summary.rows).toBe(1);
    expect(readdirSync(join(dir, 'out'))).toEqual(['findings.json']);
  });

  it('13. a FIFO, a self-looping link, and a directory holding hidden, special and looping entries', async () => {
    const fifo = join(dir, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    const f = await traceguard(['analyze', fifo], { timeoutMs: 20_000 });
    expect(f.code).toBe(2);
    expect(f.stderr).toBe(`traceguard: ${fifo}: is a FIFO (named pipe), not a CDR file\n`);
    const asReference = await traceguard(['analyze', '--customers', fifo, fifo]);
    expect(asReference.code).toBe(2);
    expect(asReference.stderr).toBe(
      `traceguard: ${fifo}: customer registry is a FIFO (named pipe), not a file\n`,
    );
    const loop = join(dir, 'loop.csv');
    symlinkSync(loop, loop);
    const l = await traceguard(['analyze', loop]);
    expect(l.code).toBe(2);
    expect(l.stderr).toBe(`traceguard: ${loop}: symbolic link loop (the link points back to itself)\n`);

    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'sub'), { recursive: true });
    writeFileSync(join(tree, 'a.csv'), `${HEADER}\n${row('a1')}\n`);
    writeFileSync(join(tree, 'sub', 'b.csv'), `${HEADER}\n${row('b1')}\n`);
    writeFileSync(join(tree, '.hidden.csv'), `${HEADER}\n${row('h1')}\n`);
    execFileSync('mkfifo', [join(tree, 'sub', 'pipe.csv')]);
    symlinkSync(join(tree, 'self'), join(tree, 'self'));
    symlinkSync(tree, join(tree, 'sub', 'up'));
    const t = await traceguard(['analyze', '--format', 'json', tree], { timeoutMs: 20_000 });
    expect(t.code).toBe(0);
    expect(JSON.parse(t.stdout).summary).toMatchObject({ batches: 2, rows: 2, calls: 2 });
    // the link from sub back up to the tree reaches a folder already read: once is enough
    expect(t.stderr).toBe(
      'traceguard: skipped in directories: 1 hidden, 1 special (FIFO, socket, device), 1 looping or broken symbolic link(s)\n' +
        'traceguard: read once: 1 file(s) or folder(s) reached again (named twice, inside a named folder, or through a link)\n',
    );
  });

  it('14. a file named twice, or named and inside a named directory, is read once: no call counts twice', async () => {
    const tree = join(dir, 'twice');
    mkdirSync(tree);
    const a = join(tree, 'a.csv');
    writeFileSync(a, `${HEADER}\n${row('a1')}\n${row('a2')}\n`);
    writeFileSync(join(tree, 'b.csv'), `${HEADER}\n${row('b1')}\n`);
    // a named twice, a inside the named folder, the folder named twice
    const t = await traceguard(['analyze', '--format', 'json', a, tree, a, tree]);
    expect(t.code).toBe(0);
    expect(JSON.parse(t.stdout).summary).toMatchObject({ batches: 2, rows: 3, calls: 3 });
    expect(t.stderr).toBe(
      'traceguard: read once: 3 file(s) or folder(s) reached again (named twice, inside a named folder, or through a link)\n',
    );
  });

  it('14b. a batch sent twice under another name, gzipped or with other line ends, is read once; another file of the same size is read', async () => {
    const tree = join(dir, 'resent');
    mkdirSync(join(tree, 'retry'), { recursive: true });
    const body = `${HEADER}\n${row('r1')}\n${row('r2')}\n`;
    writeFileSync(join(tree, '16.csv'), body);
    writeFileSync(join(tree, 'retry', '16-resent.csv'), body);
    writeFileSync(join(tree, 'retry', '16.csv.gz'), gzipSync(body));
    writeFileSync(join(tree, 'retry', '16-mac'), gzipSync(`\ufeff${body.replaceAll('\n', '\r')}`));
    // the same length, other calls
    writeFileSync(join(tree, '17.csv'), `${HEADER}\n${row('s1')}\n${row('s2')}\n`);
    const t = await traceguard(['analyze', '--format', 'json', tree]);
    expect(t.code).toBe(0);
    expect(JSON.parse(t.stdout).summary).toMatchObject({ batches: 2, rows: 4, calls: 4 });
    // each file left out named, with the file it repeats
    expect(t.stderr).toBe(
      'traceguard: read once: 3 file(s) with the same lines as another input under another name (a batch sent twice, gzipped, or with other line ends), not read:\n' +
        ['16-mac', '16-resent.csv', '16.csv.gz']
          .map((name) => `  ${join(tree, 'retry', name)}: the same lines as ${join(tree, '16.csv')}\n`)
          .join(''),
    );
  });
});

describe('hostile input: terminal escaping', () => {
  it('11. every control character, line separator and bidi override is escaped; other text is kept', () => {
    expect(terminalSafe('C1 \x1b[2J\x1b]0;t\x07\r\n\t\x00\x7f\x9b31m')).toBe(
      'C1 \\x1b[2J\\x1b]0;t\\x07\\x0d\\x0a\\x09\\x00\\x7f\\x9b31m',
    );
    expect(terminalSafe('a\u2028b\u202ecba\u2066')).toBe('a\\u2028b\\u202ecba\\u2066');
    expect(terminalSafe('Ünïcode ☎ +1 (202) 555-0143, "quoted"')).toBe(
      'Ünïcode ☎ +1 (202) 555-0143, "quoted"',
    );
  });
});

describe('hostile input: traceback lookup (child processes, peak RSS measured by the child)', () => {
  const dir = mkdtempSync(join(work, 'lookup-'));
  const request = (extra: Record<string, string> = {}) =>
    JSON.stringify({
      traceback_id: 'ITG-HOSTILE-1',
      received_at: '2026-11-28T14:05:00Z',
      call_time: '2026-11-27T16:31:07Z',
      calling_number: '+12025550143',
      called_number: '+13125550199',
      ...extra,
    });

  it('6. --tolerance 1e9 over 200k matching rows lists the 100 closest and counts the rest, memory flat', async () => {
    const start = Date.UTC(2026, 10, 27, 16, 31, 7);
    const lines = Array.from({ length: 200_000 }, (_, i) => {
      // spread over ±100,000 s around the call, closest rows in the middle of the file
      const t = new Date(start + (i - 100_000) * 1000).toISOString().replace('.000Z', 'Z');
      return `m${i},${t},,,0,C${i % 7},T1,+12025550143,+13125550199,486,BUSY,A,,198.51.100.7,${'e'.repeat(200)}`;
    });
    const batch = join(dir, 'busy.csv');
    writeFileSync(batch, `${HEADER},note\n${lines.join('\n')}\n`);
    const req = join(dir, 'request.json');
    writeFileSync(req, request());
    const r = await traceguard(['traceback', 'lookup', '--tolerance', '1e9', req, batch]);
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout) as {
      matches: Array<{ call_id: string; line: number }>;
      searched: { matched: number };
      note: string;
    };
    expect(answer.matches).toHaveLength(100);
    expect(answer.matches[0]).toMatchObject({ call_id: 'm100000', line: 100_002 });
    expect(new Set(answer.matches.map((m) => m.call_id)).size).toBe(100);
    for (const m of answer.matches)
      expect(Math.abs(Number(m.call_id.slice(1)) - 100_000)).toBeLessThanOrEqual(50);
    expect(answer.searched.matched).toBe(200_000);
    expect(answer.note).toMatch(/^200,000 matching calls \(the 100 closest in time listed\)/);
    expect(r.peakRss).toBeLessThan(320 * MB);
  });

  it('6. a request file over 64 KiB is refused before it is read', async () => {
    const req = join(dir, 'huge-request.json');
    writeFileSync(req, request({ campaign: 'x'.repeat(1024 * 1024) }));
    const batch = join(dir, 'one.csv');
    writeFileSync(batch, `${HEADER}\n${row('one')}\n`);
    const r = await traceguard(['traceback', 'lookup', req, batch]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `traceguard: ${req}: traceback request is ${1024 * 1024 + request().length + 14} bytes, over the 65536-byte limit\n`,
    );
  });
});

describe('hostile input: cardinality (customers x hours)', () => {
  const dir = mkdtempSync(join(work, 'cardinality-'));
  /** one call per row; `customer(i)` and `hourMs(i)` pick its customer and its time */
  const calls = (n: number, customer: (i: number) => string, hourMs: (i: number) => number) =>
    rejectedCalls(
      n,
      { id: (i) => `k${i}`, startMs: hourMs, customer },
      (i) => `T${i % 3}`,
      () => '+13125550199',
    );
  const since2014 = (i: number) => Date.UTC(2014, 0, 1) + i * HOUR;

  it('4. scoring one customer grows linearly with its hours (trunk windows indexed by hour), not with their square', async () => {
    const hours = 3000;
    const { calls: records } = await parse(`${HEADER}\n${calls(hours, () => 'C1', since2014).join('\n')}\n`);
    // the caller IDs are on the Do-Not-Originate list, so every hour has a finding, and each finding
    // shows its hour's trunks (scoring lists them only for a finding)
    const ref = emptyReference();
    for (let i = 0; i < hours; i++) ref.dno.add(`+1212555${1000 + i}`);
    const agg = new Aggregator(ref);
    for (const r of records) agg.add(r);
    // count every read of a trunk window while scoring (timings are too noisy on a shared machine)
    let reads = 0;
    const eachCustomer = agg.eachCustomer.bind(agg);
    agg.eachCustomer = function* () {
      for (const c of eachCustomer())
        yield {
          ...c,
          trunkAttempts: new Proxy(c.trunkAttempts, {
            get(target, key, receiver) {
              if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
              return Reflect.get(target, key, receiver);
            },
          }),
        };
    };
    const findings = scoreAll(agg, ref, loadPolicy(), null);
    expect(findings).toHaveLength(hours);
    expect(findings.every((f) => Array.isArray(f.metrics.trunks) && f.metrics.trunks.length === 1)).toBe(
      true,
    );
    // each of the 3,000 trunk windows read about once; scanning them for every window read 9 million
    expect(reads).toBeGreaterThanOrEqual(hours);
    expect(reads).toBeLessThan(10 * hours);
  });

  it('4. one customer over 30k distinct hours: analyzed in seconds within 320 MB; 100k hours stop at the window limit with a clear error', async () => {
    const file = join(dir, 'hours-30k.csv');
    writeFileSync(file, `${HEADER}\n${calls(30_000, () => 'C1', since2014).join('\n')}\n`);
    const ok = await traceguard(['analyze', '--format', 'json', file]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).summary).toMatchObject({ rows: 30_000, calls: 30_000 });
    expect(ok.ms).toBeLessThan(20_000);
    expect(ok.peakRss).toBeLessThan(320 * MB);

    const big = join(dir, 'hours-100k.csv');
    writeFileSync(big, `${HEADER}\n${calls(100_000, () => 'C1', since2014).join('\n')}\n`);
    const capped = await traceguard(['analyze', '--format', 'json', big]);
    expect(capped.code).toBe(2);
    expect(capped.stderr).toBe(
      `traceguard: ${big}: more than 60000 customer-hour windows (distinct customers x hours) for 60001 calls in one run; analyze fewer customers or hours per run (e.g. a day of batches at a time) or raise TRACEGUARD_ANALYZE_MAX_WINDOWS (windows beyond one for every two calls; about 4 KB each)\n`,
    );
    expect(capped.ms).toBeLessThan(20_000);
    expect(capped.peakRss).toBeLessThan(320 * MB);
  });

  it('5. 100k rows from 100k distinct customers stop at the window limit, memory bounded', async () => {
    const file = join(dir, 'customers-100k.csv');
    writeFileSync(
      file,
      `${HEADER}\n${calls(
        100_000,
        (i) => `CUST${i}`,
        (i) => Date.UTC(2026, 10, 27, 16, i % 60),
      ).join('\n')}\n`,
    );
    const r = await traceguard(['analyze', '--format', 'json', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/customers-100k\.csv: more than 60000 customer-hour windows .* for 60001 calls/);
    expect(r.peakRss).toBeLessThan(320 * MB);
  });

  it('5. the limit grows with the calls: a day of 2,000 customers, 3 calls each hour (48,000 windows), runs', async () => {
    const file = join(dir, 'customers-2000-day.csv');
    const rows = 2000 * 24 * 3;
    writeFileSync(
      file,
      `${HEADER}\n${calls(
        rows,
        (i) => `CUST${Math.floor(i / 3) % 2000}`,
        (i) => Date.UTC(2026, 10, 27, Math.floor(i / 6000), (i % 3) * 10),
      ).join('\n')}\n`,
    );
    const r = await traceguard(['analyze', '--format', 'json', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).summary).toMatchObject({ rows, calls: rows });
  });
});
