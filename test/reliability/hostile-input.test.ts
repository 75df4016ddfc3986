import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BatchReadError } from '../../shared/cdr/batch-parser.ts';
import { readBatch } from '../../shared/cdr/read-batch.ts';
import { HEADER, parse } from '../helpers/parse.ts';

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
    for (const [c, f] of FORMULAS.entries()) {
      for (let i = 0; i < 300; i++) {
        const t = new Date(Date.UTC(2026, 10, 27, 16) + i * 10_000).toISOString();
        lines.push(
          [
            `f${c}-${i}`,
            t,
            '',
            '',
            '0',
            csvField(f),
            'T1',
            `+1212555${String(1000 + i)}`,
            `+1415555${String(2000 + i)}`,
            '603',
            'REJECTED',
            'C',
            '',
            '',
          ].join(','),
        );
      }
    }
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
