import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvTokenizer } from '../../shared/cdr/csv-tokenizer.ts';
import { normalizeNumber } from '../../shared/cdr/phone.ts';
import { HEADER, parse } from '../helpers/parse.ts';

function tokenize(bytes: Buffer, chunk: number): string[][] {
  const out: string[][] = [];
  const tok = new CsvTokenizer({
    record: (r) => out.push(Array.from({ length: r.count }, (_, i) => r.field(i))),
    bad: (line, reason) => out.push([`BAD ${line} ${reason}`]),
  });
  for (let i = 0; i < bytes.length; i += chunk) tok.push(bytes.subarray(i, i + chunk));
  tok.end();
  return out;
}

const quote = (f: string) => (/[",\r\n]/.test(f) || f === '' ? `"${f.replaceAll('"', '""')}"` : f);

describe('CSV tokenizer properties', () => {
  it('round-trips any RFC 4180 records, whatever the chunking', () => {
    const field = fc.string({
      unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r\n', ' ', 'é', '😀', '1'),
      maxLength: 12,
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        (records, chunk, crlf) => {
          const text = records.map((r) => r.map(quote).join(',')).join(crlf ? '\r\n' : '\n');
          expect(tokenize(Buffer.from(text, 'utf8'), chunk)).toEqual(records);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('batch reader properties (hostile input)', () => {
  it('any bytes after a valid header yield rows or quarantine entries, never an exception, never a lost row', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 600 }),
        fc.integer({ min: 1, max: 100 }),
        async (bytes, chunk) => {
          const clean = Buffer.from(bytes.map((b) => (b === 0 ? 32 : b)));
          const body = Buffer.concat([Buffer.from(`${HEADER}\n`), clean]);
          const { stats, calls, quarantined } = await parse(body, { chunk });
          expect(stats.rows).toBe(calls.length + quarantined.length);
          for (const q of quarantined) expect(q.line).toBeGreaterThan(1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps nothing of a chunk once it is pushed: one buffer reused for every chunk reads the same', async () => {
    // records open across chunks (quoted line breaks, long lines), canonical and JSON Lines, good and bad
    const canonical = fc.oneof(
      fc.constant('a,2026-11-27T10:00:00Z,,2026-11-27T10:00:30Z,0,C1,T1,+12025550143,+13125550199,487,,A,,'),
      fc.constant(
        'b,2026-11-27T10:01:00Z,2026-11-27T10:01:02Z,2026-11-27T10:03:00Z,118,C2,"T,2",+12025550144,+13125550100,200,,B,,',
      ),
      fc.constant('c,2026-11-27T10:02:00Z,,,0,"C\n3",T1,+12025550145,+13125550101,603,,,,'),
      fc.constant('d,notatime,,,0,C1'),
      fc.string({ unit: fc.constantFrom('x', ',', '"', ' ', '9', '\n'), minLength: 1, maxLength: 40 }),
    );
    const json = fc.oneof(
      fc.constant(
        '{"call_id":"j1","start_time":"2026-11-27T10:00:00Z","customer_id":"C1","calling_number":"+12025550143","called_number":"+13125550199","sip_code":200,"duration_s":40}',
      ),
      fc.constant(
        '{"call_id":"j2","start_time":"2026-11-27T10:05:00Z","customer_id":"C2","calling_number":"2025550144","called_number":"3125550100","sip_code":486}',
      ),
      fc.constant('{"broken":'),
    );
    const batch = fc.oneof(
      fc.array(canonical, { maxLength: 30 }).map((lines) => `${HEADER}\n${lines.join('\n')}\n`),
      fc.array(json, { maxLength: 20 }).map((lines) => `${lines.join('\n')}\n`),
    );
    let calls = 0;
    await fc.assert(
      fc.asyncProperty(
        batch,
        fc.integer({ min: 1, max: 90 }),
        fc.boolean(),
        fc.boolean(),
        async (body, chunk, bom, gzip) => {
          const text = bom ? `\uFEFF${body}` : body;
          const fresh = await parse(text, { chunk });
          // gzip: the compressed bytes come through the reused buffer, the inflater must take each whole
          const reused = await parse(text, { chunk, reuse: true, gzip });
          expect(reused).toEqual(fresh);
          calls += fresh.calls.length;
        },
      ),
      { numRuns: 300 },
    );
    // the runs read calls, not only quarantined rows
    expect(calls).toBeGreaterThan(300);
  });

  it('tells the format the same whatever the first chunk holds: a byte-order mark and blank lines first', async () => {
    const json =
      '{"call_id":"j1","start_time":"2026-11-27T10:00:00Z","customer_id":"C1","calling_number":"+12025550143","called_number":"+13125550199","sip_code":200,"duration_s":40}';
    const text = `\uFEFF\n \n${json}\n`;
    for (const chunk of [1, 2, 3, 5, text.length]) {
      const { stats, calls } = await parse(text, { chunk });
      expect(stats.format).toBe('jsonl');
      expect(calls.map((c) => c.callId)).toEqual(['j1']);
    }
    // nothing but a mark and blank space: the same outcome as read whole, error or not
    const outcome = (text: string, chunk?: number) =>
      parse(text, { chunk }).then(
        (r) => r.stats,
        (e: Error) => e.message,
      );
    for (const blank of ['\uFEFF', '\n\n', '\uFEFF\r\n', ' \n\n', '']) {
      expect(await outcome(blank, 1)).toEqual(await outcome(blank));
    }
  });

  it('JSON Lines read the same whatever the chunking: long lines, broken ones and lines across chunks', async () => {
    const line = fc.oneof(
      fc.constant(
        '{"call_id":"j1","start_time":"2026-11-27T10:00:00Z","customer_id":"C1","calling_number":"+12025550143","called_number":"+13125550199","sip_code":200,"duration_s":40,"attestation":"A"}',
      ),
      fc.constant(
        '{"call_id":"j2","start_time":"2026-11-27T10:05:00Z","customer_id":"C2","called_number":"3125550100"}',
      ),
      fc.constant('{"broken":'),
      fc.constant(''),
      // longer than the record bound below: one quarantined row, its rest skipped
      fc.integer({ min: 300, max: 700 }).map((n) => `{"call_id":"${'x'.repeat(n)}"}`),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 1, max: 400 }),
        fc.boolean(),
        async (lines, chunk, endsWithNewline) => {
          const text = lines.join('\n') + (endsWithNewline ? '\n' : '');
          if (!text.startsWith('{')) return;
          const whole = await parse(text, { format: 'jsonl', maxRecordBytes: 256 });
          expect(await parse(text, { format: 'jsonl', maxRecordBytes: 256, chunk })).toEqual(whole);
          expect(await parse(text, { format: 'jsonl', maxRecordBytes: 256, chunk, reuse: true })).toEqual(
            whole,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('every data line of a canonical batch is counted exactly once, valid or not', async () => {
    const line = fc.oneof(
      fc.constant('a,1764261067,,,0,C,,2025550143,3125550199,200,,,,'),
      fc.constant('b,notatime,,,0,C,,2025550143,3125550199,200,,,,'),
      fc.constant('c,1764261067,,,0,C'),
      fc.string({ unit: fc.constantFrom('x', ',', ' ', '9'), minLength: 1, maxLength: 30 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 40 }),
        fc.integer({ min: 1, max: 50 }),
        async (lines, chunk) => {
          const nonBlank = lines.filter((l) => l !== '').length;
          const { stats } = await parse(`${HEADER}\n${lines.join('\n')}\n`, { chunk });
          expect(stats.rows).toBe(nonBlank);
          expect(stats.calls + stats.quarantined).toBe(nonBlank);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('number normalization never throws and is idempotent on what it normalizes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const n = normalizeNumber(s);
        if (n.value.startsWith('+') && n.cls !== 'invalid_digits')
          expect(normalizeNumber(n.value).value).toBe(n.value);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 2_000_000_000, max: 9_999_999_999 }), (n) => {
        const national = String(n);
        const variants = [
          national,
          `1${national}`,
          `+1${national}`,
          `(${national.slice(0, 3)}) ${national.slice(3, 6)}-${national.slice(6)}`,
          `sip:+1${national}@h`,
        ];
        const values = new Set(variants.map((v) => normalizeNumber(v).value));
        expect([...values]).toEqual([`+1${national}`]);
      }),
    );
  });
});
