import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonChunks } from '../../cli/json-chunks.ts';
import { BlockWriter } from '../../cli/output-file.ts';

/** The findings document written in pieces is byte for byte the document written whole. */
describe('JSON in pieces', () => {
  it('joins to JSON.stringify(doc, null, 2) plus a newline, for any document', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (doc) => {
        expect([...jsonChunks(doc)].join('')).toBe(`${JSON.stringify(doc, null, 2)}\n`);
      }),
      { numRuns: 500 },
    );
  });

  it('writes long arrays 250 elements at a time, joined exactly, whatever the elements', () => {
    const finding = (i: number) => ({
      detail: `line ${i}\nnext "quoted" é`,
      reasons: ['a', 'b'],
      nested: { x: [] },
    });
    for (const n of [249, 250, 251, 500, 1001]) {
      const doc = {
        findings: Array.from({ length: n }, (_, i) =>
          i % 97 === 5 ? undefined : i % 89 === 3 ? i : finding(i),
        ),
        empty: [],
        skipped: undefined,
        summary: { rows: n, note: 'é' },
      };
      const chunks = [...jsonChunks(doc)];
      expect(chunks.join('')).toBe(`${JSON.stringify(doc, null, 2)}\n`);
      // the findings come in parts: none holds the whole array once it is longer than a part
      const parts = chunks.filter((c) => c.startsWith('    '));
      expect(parts.length).toBe(n > 250 ? Math.ceil(n / 250) : 0);
    }
    expect([...jsonChunks({})].join('')).toBe('{}\n');
    // an array that says otherwise through a toJSON of its own is left out or written as it says
    const odd = {
      gone: Object.assign([1, 2], { toJSON: () => undefined }),
      said: Object.assign([3], { toJSON: () => 'x' }),
    };
    expect([...jsonChunks(odd)].join('')).toBe(`${JSON.stringify(odd, null, 2)}\n`);
  });

  it('hands the writer blocks, losing nothing between them', () => {
    const pieces = Array.from({ length: 20_000 }, (_, i) => `piece ${i};`);
    const blocks: string[] = [];
    const writer = new BlockWriter((b) => blocks.push(b));
    for (const p of pieces) writer.write(p);
    writer.flush();
    expect(blocks.join('')).toBe(pieces.join(''));
    expect(blocks.length).toBeGreaterThan(1);
    expect(blocks.length).toBeLessThan(10);
  });
});
