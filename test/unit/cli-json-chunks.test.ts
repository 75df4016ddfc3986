import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonChunks, writeChunks } from '../../cli/json-chunks.ts';

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

  it('writes arrays an element at a time, and strings with newlines and undefined values as stringify does', () => {
    const doc = {
      findings: [{ detail: 'line one\nline two', reasons: ['a', 'b'], nested: { x: [] } }, undefined, 3],
      empty: [],
      skipped: undefined,
      summary: { rows: 2, note: 'é "quoted"' },
    };
    const chunks = [...jsonChunks(doc)];
    expect(chunks.join('')).toBe(`${JSON.stringify(doc, null, 2)}\n`);
    // one piece per finding, none holding the whole array
    expect(chunks.filter((c) => c.startsWith('    ')).length).toBe(3);
    expect([...jsonChunks({})].join('')).toBe('{}\n');
  });

  it('hands the writer blocks, losing nothing between them', () => {
    const pieces = Array.from({ length: 20_000 }, (_, i) => `piece ${i};`);
    const blocks: string[] = [];
    writeChunks(pieces, (b) => blocks.push(b));
    expect(blocks.join('')).toBe(pieces.join(''));
    expect(blocks.length).toBeGreaterThan(1);
    expect(blocks.length).toBeLessThan(10);
  });
});
