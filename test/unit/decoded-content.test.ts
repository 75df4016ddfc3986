import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodedContent } from '../../shared/ingest/decoded-content.ts';

/** The key of `text` fed in chunks cut at `cuts` (byte offsets). */
function keyOf(text: string, cuts: number[] = []): string {
  const bytes = Buffer.from(text, 'latin1');
  const content = new DecodedContent();
  let from = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length)].sort((a, b) => a - b)) {
    content.update(bytes.subarray(from, cut));
    from = cut;
  }
  content.update(bytes.subarray(from));
  return content.key();
}

/** lines of letters, CRs and LFs: every way line ends can be written, and CRs that are not line ends */
const text = fc.string({ unit: fc.constantFrom('a', 'b', ',', '\r', '\n'), maxLength: 200 });
const cuts = fc.array(fc.nat({ max: 200 }), { maxLength: 8 });

describe('DecodedContent', () => {
  it('gives the same key however the bytes are cut into chunks', () => {
    fc.assert(fc.property(text, cuts, (t, c) => keyOf(t, c) === keyOf(t)));
  });

  it('gives CRLF lines the key of the same LF lines, and nothing else the same key', () => {
    fc.assert(
      fc.property(text, cuts, (t, c) => {
        const lf = t.replaceAll('\r', '');
        expect(keyOf(lf.replaceAll('\n', '\r\n'), c)).toBe(keyOf(lf));
        // a CR that is not before an LF stays part of the content
        if (t !== lf && !/^[^\r]*(\r\n[^\r]*)*$/.test(t)) expect(keyOf(t, c)).not.toBe(keyOf(lf));
      }),
    );
    expect(keyOf('a,b\r\n')).toMatch(/^decoded:[0-9a-f]{64}#4$/);
    expect(keyOf('a,b\r')).not.toBe(keyOf('a,b'));
  });
});
