import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_QUOTED_BYTES } from '../../shared/cdr/csv-tokenizer.ts';
import { ZoneClock } from '../../shared/cdr/time.ts';
import { HEADER, parse } from '../helpers/parse.ts';

/**
 * A record over a bound (a quoted field over MAX_QUOTED_BYTES, a record over maxRecordBytes) is one
 * quarantined row that says it is too long, how long, and the limit; reading resumes after its end,
 * even when its quote closes many lines or megabytes later. Only a quote that never closes is an
 * unterminated one.
 */

const NY = new ZoneClock('America/New_York');

const row = (id: string, calling = '2025550143') =>
  `${id},2026-11-27T16:00:00Z,,,5,C1,T1,${calling},3125550199,200,,A,,`;

/** An Asterisk cdr_csv row (every text field quoted, as Asterisk writes them) with `lastdata` as given. */
const asterisk = (n: number, lastdata = 'SIP/out/3017365001,60') =>
  [
    '',
    '2027365000',
    '3017365001',
    'from-trunk',
    '',
    `SIP/acme-${n}`,
    '',
    'Dial',
    lastdata,
    '2026-11-20 09:00:01',
    '',
    '2026-11-20 09:00:01',
    '7',
    '0',
    'NO ANSWER',
    'DOCUMENTATION',
    `1795184102.${n}`,
    '',
  ]
    .map((f) => `"${f}"`)
    .join(',');

const CHUNKS = [4096, 64 * 1024, 1 << 20, undefined];

describe('a quoted field over the bound that is closed', () => {
  it('is quarantined as too long (its length and the limit), not as unterminated; the rows after it count', async () => {
    const long = `"${'9'.repeat(70_000)}"`;
    const text = `${HEADER}\n${row('a')}\n${row('long', long)}\n${row('b')}\n`;
    for (const chunk of CHUNKS) {
      const { stats, calls, quarantined } = await parse(text, { chunk });
      expect(quarantined.map((q) => [q.line, q.reason])).toEqual([
        [3, `quoted field longer than ${MAX_QUOTED_BYTES} bytes (70000 bytes)`],
      ]);
      expect(calls.map((c) => [c.callId, c.line])).toEqual([
        ['a', 2],
        ['b', 4],
      ]);
      expect(stats.rows).toBe(3);
    }
  });

  it('with line breaks in it, is one row: reading resumes after its closing quote, its lines are no rows', async () => {
    // 50 lines of 1,400 bytes: over 64 KiB, under 100 lines
    const long = `"${Array.from({ length: 50 }, (_, i) => `l${i},${'x'.repeat(1400)}`).join('\n')}"`;
    const text = `${HEADER}\n${row('a')}\n${row('long', long)}\n${row('b')}\n`;
    for (const chunk of CHUNKS) {
      const { stats, calls, quarantined } = await parse(text, { chunk });
      expect(quarantined.map((q) => q.line)).toEqual([3]);
      expect(quarantined[0].reason).toMatch(/^quoted field longer than 65536 bytes \(\d+ bytes\)$/);
      expect(calls.map((c) => [c.callId, c.line])).toEqual([
        ['a', 2],
        ['b', 53],
      ]);
      expect(stats.rows).toBe(3);
    }
  });

  it('past the record bound too: read past without being held, to its closing quote and line end', async () => {
    // 80 lines of 1,000 bytes, closed: over a record bound of 16 KiB, so never held whole in chunks
    const long = `"${Array.from({ length: 80 }, () => 'y'.repeat(1000)).join('\n')}"`;
    const text = `${HEADER}\n${row('a')}\n${row('long', long)}\n${row('b')}\n`;
    for (const chunk of [97, 4096, 64 * 1024]) {
      const { stats, calls, quarantined } = await parse(text, { chunk, maxRecordBytes: 16 * 1024 });
      const bytes = Buffer.byteLength(`${row('long', long)}\n`);
      expect(quarantined.map((q) => [q.line, q.reason])).toEqual([
        [3, `record longer than 16384 bytes (${bytes} bytes)`],
      ]);
      expect(calls.map((c) => [c.callId, c.line])).toEqual([
        ['a', 2],
        ['b', 83],
      ]);
      expect(stats.rows).toBe(3);
    }
  });

  it('any closed long quoted field costs its own row only, whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: MAX_QUOTED_BYTES + 1, max: 200_000 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 512, max: 300_000 }),
        async (length, breaks, before, after, chunk) => {
          const chars: string[] = Array.from({ length }, (_, i) => (i % 97 === 5 ? ',' : 'z'));
          // line breaks spread through the field
          for (let k = 1; k <= breaks; k++) chars[Math.floor((k * length) / (breaks + 1))] = '\n';
          const long = `"${chars.join('')}"`;
          const rows = [
            ...Array.from({ length: before }, (_, i) => row(`b${i}`)),
            row('long', long),
            ...Array.from({ length: after }, (_, i) => row(`a${i}`)),
          ];
          const { stats, calls, quarantined } = await parse(`${HEADER}\n${rows.join('\n')}\n`, { chunk });
          expect(quarantined.map((q) => q.line)).toEqual([before + 2]);
          expect(quarantined[0].reason).toMatch(/^quoted field longer than 65536 bytes \(\d+ bytes\)$/);
          expect(calls.map((c) => [c.callId, c.line])).toEqual([
            ...Array.from({ length: before }, (_, i) => [`b${i}`, i + 2]),
            ...Array.from({ length: after }, (_, i) => [`a${i}`, before + 3 + breaks + i]),
          ]);
          expect(stats.rows).toBe(before + 1 + after);
        },
      ),
      { numRuns: 12 },
    );
  });
});

describe('a quote that never closes', () => {
  it('is unterminated, also when its first line is over the record bound: every row after that line is read', async () => {
    // an opening line past a 16 KiB bound, then 150 rows of about 60 bytes: 100 of them held
    const good = Array.from({ length: 150 }, (_, i) => row(`g${i}`));
    const text = `${HEADER}\n${row('open', `"${'q'.repeat(20_000)}`)}\n${good.join('\n')}\n`;
    for (const chunk of [97, 4096, 64 * 1024, undefined]) {
      const { stats, calls, quarantined } = await parse(text, { chunk, maxRecordBytes: 16 * 1024 });
      expect(quarantined.map((q) => q.line)).toEqual([2]);
      expect(quarantined[0].reason).toMatch(/^unterminated quoted field/);
      expect(calls.map((c) => c.line)).toEqual(good.map((_, i) => i + 3));
      expect(stats.rows).toBe(151);
    }
  });

  it('whose lines pass the record bound before it is known to be open: one row that says how many lines it took', async () => {
    // an open quote, then rows of about 60 bytes: 100 lines pass a 2 KiB bound, so they are not held
    // (read in chunks: the bound holds what is carried from one to the next, see RELIABILITY.md)
    const good = Array.from({ length: 150 }, (_, i) => row(`g${i}`));
    const text = `${HEADER}\n${row('open', '"never closed')}\n${good.join('\n')}\n`;
    for (const chunk of [97, 512, 1024]) {
      const { stats, calls, quarantined } = await parse(text, { chunk, maxRecordBytes: 2048 });
      expect(quarantined.map((q) => [q.line, q.reason])).toEqual([
        [
          2,
          'unterminated quoted field (not closed within 100 lines, 2048 bytes or the end of the input); past the 2048-byte record bound, the lines after its first were read with it, to line 102',
        ],
      ]);
      // the 100 rows on lines 3 to 102 went with it
      expect(calls.map((c) => [c.callId, c.line])).toEqual(
        good.slice(100).map((_, i) => [`g${i + 100}`, i + 103]),
      );
      expect(stats.rows).toBe(51);
    }
  });

  it('read past to the end of the input, says so', async () => {
    const text = `${HEADER}\n${row('a')}\n${row('open', '"never closed')}\n${Array(50).fill(row('x')).join('\n')}\n`;
    const { calls, quarantined } = await parse(text, { chunk: 512, maxRecordBytes: 1024 });
    expect(calls.map((c) => c.callId)).toEqual(['a']);
    expect(quarantined.map((q) => q.line)).toEqual([3]);
    expect(quarantined[0].reason).toMatch(
      /the lines after its first were read with it, to the end of the input$/,
    );
  });

  it('on one line longer than the record bound, to the end of the input: unterminated, one row', async () => {
    const text = `${HEADER}\n${row('a')}\n${row('open', `"${'q'.repeat(5000)}`)}`;
    for (const chunk of [97, 1000, undefined]) {
      const { calls, quarantined } = await parse(text, { chunk, maxRecordBytes: 1024 });
      expect(calls.map((c) => c.callId)).toEqual(['a']);
      expect(quarantined.map((q) => q.line)).toEqual([3]);
      expect(quarantined[0].reason).toMatch(/^unterminated quoted field/);
    }
  });
});

describe('a first line over the bound', () => {
  const rows = Array.from({ length: 20 }, (_, i) => asterisk(i + 1));
  const longFirst = asterisk(0, 'x'.repeat(70_000));

  it('of a native batch, its format given or told by the rows after it, is quarantined; the batch is read', async () => {
    const text = `${longFirst}\n${rows.join('\n')}\n`;
    for (const format of ['asterisk', 'auto'] as const)
      for (const chunk of CHUNKS) {
        const { stats, calls, quarantined } = await parse(text, { format, zone: NY, chunk });
        expect(stats).toMatchObject({ format: 'asterisk', rows: 21, calls: 20, quarantined: 1 });
        expect(quarantined.map((q) => [q.line, q.reason])).toEqual([
          [1, 'quoted field longer than 65536 bytes (70000 bytes)'],
        ]);
        expect(calls[0].line).toBe(2);
      }
  });

  it('over the record bound too, of a native batch: quarantined, the batch is read', async () => {
    const huge = asterisk(0, 'x'.repeat(3 << 20));
    const text = `${huge}\n${rows.join('\n')}\n`;
    for (const format of ['asterisk', 'auto'] as const) {
      const { stats, quarantined } = await parse(text, { format, zone: NY, chunk: 64 * 1024 });
      expect(stats).toMatchObject({ format: 'asterisk', rows: 21, calls: 20, quarantined: 1 });
      expect(quarantined.map((q) => [q.line, q.reason])).toEqual([
        [1, `record longer than 1048576 bytes (${Buffer.byteLength(huge) + 1} bytes)`],
      ]);
    }
  });

  it('as a canonical header fails the batch, saying the header cannot be read', async () => {
    const text = `${HEADER},${'"'}${'h'.repeat(70_000)}"\n${row('a')}\n`;
    await expect(parse(text, { format: 'canonical' })).rejects.toThrow(
      /^test\.csv: line 1: the header cannot be read: quoted field longer than 65536 bytes \(70000 bytes\)$/,
    );
    // auto: it is no header, and no native row follows it
    await expect(parse(text)).rejects.toThrow(
      /^test\.csv: line 1: not a CDR batch: quoted field longer than 65536 bytes \(70000 bytes\), so no header can be read, and no Asterisk or FreeSWITCH row follows it$/,
    );
  });
});
