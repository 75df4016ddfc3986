import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crLineEnds } from '../../shared/cdr/batch-lead.ts';
import { DecodedContent } from '../../shared/ingest/decoded-content.ts';

/** The key of `text` fed in chunks cut at `cuts` (byte offsets). */
function keyOf(text: string | Buffer, cuts: number[] = [], limit?: number): string {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  const content = new DecodedContent(limit);
  let from = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length)].sort((a, b) => a - b)) {
    content.update(bytes.subarray(from, cut));
    from = cut;
  }
  content.update(bytes.subarray(from));
  return content.key();
}

/**
 * The key as the documentation words it, from the whole text at once: the lines the parser reads
 * (every CR a line end when the first line ends in a bare CR, else only a run of CRs before an LF or
 * at the very end), without a leading BOM, less blank lines (and CRs) at the start and blank lines at
 * the end, each followed by LF.
 */
function modelKey(text: string): string {
  const bytes = Buffer.from(text, 'latin1');
  const crLines = crLineEnds(bytes, true) === true;
  const body = (text.startsWith('\xef\xbb\xbf') ? text.slice(3) : text).replace(/^[\r\n]+/, '');
  const lines = crLines ? body.split(/\r\n|\r|\n/) : body.replace(/\r+$/, '').split(/\r*\n/);
  while (lines.length > 0 && lines[0] === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const canonical = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'latin1');
  return `decoded:${createHash('sha256').update(canonical).digest('hex')}#${canonical.length}`;
}

/** lines of letters, CRs and LFs: every way line ends can be written, and CRs that are not line ends */
const text = fc.string({
  unit: fc.constantFrom('a', 'b', ',', ' ', '{', '\r', '\n', '\xef'),
  maxLength: 200,
});
const cuts = fc.array(fc.nat({ max: 200 }), { maxLength: 8 });
/** rows without line ends (blank ones too), as a batch holds them */
const rows = fc.array(
  fc.string({ unit: fc.constantFrom('a', 'b', ',', ' ', '"', '{', 'é'), maxLength: 12 }),
  {
    minLength: 1,
    maxLength: 12,
  },
);

/** The ways of writing the same rows that must keep their key: LF, CRLF, bare CR, BOM, no final line end. */
function variants(lines: string[]): Record<string, string> {
  const lf = lines.map((l) => `${l}\n`).join('');
  // bare CRs only in blank space before a last line without a line end decide nothing: such a batch
  // is read with LF line ends, its CRs data (the parser's choice, crLineEnds)
  const crDecides = lines.slice(0, -1).some((l) => l.trim() !== '');
  return {
    lf,
    crlf: lf.replaceAll('\n', '\r\n'),
    crcrlf: lf.replaceAll('\n', '\r\r\n'),
    cr: lf.replaceAll('\n', '\r'),
    bom: `\ufeff${lf}`,
    bomCrlf: `\ufeff${lf.replaceAll('\n', '\r\n')}`,
    noFinalLf: lf.slice(0, -1),
    ...(crDecides ? { noFinalCr: lf.replaceAll('\n', '\r').slice(0, -1) } : {}),
    blankAround: `\n\n${lf}\n\n`,
  };
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');

describe('DecodedContent', () => {
  it('gives the same key however the bytes are cut into chunks, the key of the lines the parser reads', () => {
    fc.assert(
      fc.property(text, cuts, (t, c) => {
        expect(keyOf(t, c)).toBe(keyOf(t));
        expect(keyOf(t)).toBe(modelKey(t));
      }),
      { numRuns: 500 },
    );
  });

  it('gives rows written with LF, CRLF, bare CR, a BOM or no final line end one key, and other rows another', () => {
    fc.assert(
      fc.property(rows, cuts, fc.nat(), fc.string({ maxLength: 6 }), (lines, c, at, changed) => {
        // rows of nothing but spaces leave no line end to decide by: the batch is read with LF ones
        fc.pre(lines.some((l) => l.trim() !== ''));
        const forms = variants(lines);
        const key = keyOf(utf8(forms.lf));
        for (const form of Object.values(forms)) expect(keyOf(utf8(form), c)).toBe(key);
        // a row's content changed (no line end in it): other lines, whichever way they are written
        const row = at % lines.length;
        const replacement = changed.replace(/[\r\n\ufeff]/g, '');
        fc.pre(replacement !== lines[row]);
        const other = variants(lines.with(row, replacement));
        for (const form of Object.values(other)) expect(keyOf(utf8(form), c)).not.toBe(key);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the key a plain LF batch always had (the SHA-256 of its bytes) to its copies, claimed before or after', () => {
    const lf = 'call_id,start_time\nc1,1764261067\n';
    const sha = createHash('sha256').update(lf).digest('hex');
    for (const copy of [
      lf,
      lf.replaceAll('\n', '\r\n'),
      `\xef\xbb\xbf${lf}`,
      lf.slice(0, -1),
      lf.replaceAll('\n', '\r'),
    ])
      expect(keyOf(copy)).toBe(`decoded:${sha}#${lf.length}`);
  });

  it('tells apart what the parser reads apart: a bare CR inside a line of an LF batch, a blank line between rows', () => {
    // the first line ends in LF: a later bare CR is data, not a line end
    expect(keyOf('h\na\rb\n')).not.toBe(keyOf('h\na\nb\n'));
    // the first line ends in a bare CR: every CR ends a line
    expect(keyOf('h\ra\rb\r')).toBe(keyOf('h\na\nb\n'));
    // a blank line between rows may be inside a quoted field
    expect(keyOf('h\n"a\n\nb"\n')).not.toBe(keyOf('h\n"a\nb"\n'));
    expect(keyOf('h\na\n\n\n')).toBe(keyOf('h\na'));
    // a BOM only at the start is one
    expect(keyOf('\xef\xbb\xbfh\na\n')).toBe(keyOf('h\na\n'));
    expect(keyOf('h\n\xef\xbb\xbfa\n')).not.toBe(keyOf('h\na\n'));
    // a batch of nothing but blank lines holds no line
    expect(keyOf('\r\n\n')).toBe(keyOf(''));
  });

  it('hashes at most `limit` bytes of lines, the same whichever way they are written', () => {
    const lf = 'call_id,start_time\nc1,1764261067\nc2,1764261068\n';
    const head = keyOf(lf, [], 20);
    expect(head).toMatch(/#20$/);
    expect(keyOf(lf.replaceAll('\n', '\r\n'), [7, 30], 20)).toBe(head);
    expect(keyOf(utf8(`\ufeff${lf.replaceAll('\n', '\r')}`), [], 20)).toBe(head);
    const content = new DecodedContent(20);
    content.update(Buffer.from(lf));
    expect(content.full).toBe(true);
  });
});
