import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BinaryReader, BinaryWriter, FIXED_BYTES } from '../../shared/detect/binary-transfer.ts';
import { DistinctCounter } from '../../shared/detect/distinct.ts';
import {
  COUNTER_FIELDS,
  emptyWindow,
  readWindow,
  windowToJson,
  writeWindow,
} from '../../shared/detect/window.ts';

/** A window written for another thread reads back the same, counters sparse or dense. */
describe('window transfer', () => {
  it('reads back every counter, duration bucket and set, whichever are zero, however many buckets', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2 ** 40 })), {
          minLength: COUNTER_FIELDS.length,
          maxLength: COUNTER_FIELDS.length,
        }),
        // six buckets (every window has), or any other number: past 15 they fill mask groups of their own
        fc.oneof(
          fc.array(fc.oneof(fc.constant(0), fc.nat()), { minLength: 6, maxLength: 6 }),
          fc.array(fc.oneof(fc.constant(0), fc.nat()), { maxLength: 80 }),
        ),
        fc.array(fc.integer({ min: 0, max: 2 ** 50 }), { maxLength: 20 }),
        (counters, hist, keys) => {
          const w = emptyWindow('C1', 'T1', 1_795_795_200_000, Number.POSITIVE_INFINITY);
          COUNTER_FIELDS.forEach((f, i) => {
            w[f] = counters[i];
          });
          w.durationHist = hist;
          w.firstMs = 1_795_795_201_000;
          w.lastMs = 1_795_795_299_000;
          for (const k of keys) {
            w.calling.add(k);
            w.called.add(k + 1);
            w.pairs.add(k + 2);
          }
          const out = new BinaryWriter();
          writeWindow(w, out);
          const back = readWindow(new BinaryReader(out.finish()), 'C1', 'T1');
          expect(windowToJson(back)).toEqual(windowToJson(w));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads back any hour and first and last times exactly, and takes one word each for an hour with calls in it', () => {
    const time = fc.oneof(
      fc.integer({ min: 0, max: 3_599_999 }).map((offset) => ({ offset })),
      fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, -0, 0.25),
      fc.double(),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: -500_000, max: 600_000 }).map((h) => ({ hourMs: h * 3_600_000, aligned: true })),
          fc.oneof(fc.double(), fc.constant(-0)).map((hourMs) => ({ hourMs, aligned: false })),
        ),
        time,
        time,
        ({ hourMs, aligned }, first, last) => {
          const at = (t: number | { offset: number }) => (typeof t === 'number' ? t : hourMs + t.offset);
          const w = emptyWindow('C1', '', hourMs, Number.POSITIVE_INFINITY);
          w.firstMs = at(first);
          w.lastMs = at(last);
          const out = new BinaryWriter();
          writeWindow(w, out);
          const back = readWindow(new BinaryReader(out.finish()), 'C1', '');
          expect(Object.is(back.hourMs, w.hourMs)).toBe(true);
          expect(Object.is(back.firstMs, w.firstMs)).toBe(true);
          expect(Object.is(back.lastMs, w.lastMs)).toBe(true);
          // a whole hour with calls in it: bucket count, hour, two offsets, two empty masks (a byte
          // each), three empty sets
          if (aligned && typeof first !== 'number' && typeof last !== 'number')
            expect(out.length).toBe(
              1 +
                varintBytes(hourMs / 3_600_000) +
                varintBytes(first.offset) +
                varintBytes(last.offset) +
                2 +
                3 * emptySetBytes(),
            );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a window with more duration buckets than its transfer has room to count is refused, not cut', () => {
    const w = emptyWindow('C1', '', 1_795_795_200_000, Number.POSITIVE_INFINITY);
    w.durationHist = new Array(70_000).fill(0);
    expect(() => writeWindow(w, new BinaryWriter())).toThrow(/duration buckets/);
  });

  it('a distinct counter reads back as it was, exact or HLL, with or without a limit; read for its count only, an exact one keeps just that', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 1, max: 40 })),
        fc.uniqueArray(fc.integer({ min: 0, max: 2 ** 50 }), { maxLength: 60 }),
        fc.boolean(),
        (limit, keys, countOnly) => {
          const set = new DistinctCounter(limit);
          for (const k of keys) set.add(k);
          const count = set.count();
          const exact = set.isExact;
          const out = new BinaryWriter();
          out.num(7);
          set.writeTo(out);
          out.num(-7);
          const src = new BinaryReader(out.finish());
          expect(src.num()).toBe(7);
          const back = DistinctCounter.readFrom(src, !countOnly);
          expect(src.num()).toBe(-7);
          expect(back.limit).toBe(limit);
          expect(back.isFrozen).toBe(countOnly && exact);
          expect(back.count()).toBe(count);
          expect(back.isExact).toBe(exact);
          if (back.isFrozen) {
            expect(() => back.has(keys[0] ?? 1)).toThrow(/frozen/);
            expect(() => back.writeTo(new BinaryWriter())).toThrow(/frozen/);
          } else expect(back.toJSON()).toEqual(set.toJSON());
          // an unlimited set that is empty takes its kind and one small number, a byte each (beside
          // the two markers)
          if (limit === Number.POSITIVE_INFINITY && keys.length === 0) expect(out.length).toBe(4);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a set read with its keys for later counts at once, and reads them when first needed, wherever the reader is', () => {
    // what needs the keys: each way a counter is used with them, against a counter read whole
    const uses: Array<(c: DistinctCounter, other: DistinctCounter) => unknown> = [
      (c) => c.toJSON(),
      (c) => c.has(2 ** 40 + 3),
      (c) => c.clone().toJSON(),
      (c, other) => c.countNotIn(other),
      (c, other) => other.clone().merge(c).toJSON(),
      (c) => {
        c.add(12_125_550_001);
        return c.toJSON();
      },
    ];
    fc.assert(
      fc.property(
        fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 1, max: 40 })),
        fc.uniqueArray(fc.integer({ min: 0, max: 2 ** 50 }), { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 2 ** 50 }), { maxLength: 20 }),
        fc.integer({ min: 0, max: uses.length - 1 }),
        (limit, keys, otherKeys, use) => {
          const set = new DistinctCounter(limit);
          for (const k of keys) set.add(k);
          const other = new DistinctCounter();
          for (const k of otherKeys) other.add(k);
          const out = new BinaryWriter();
          out.num(7);
          set.writeTo(out);
          out.num(-7);
          out.num(8);
          const src = new BinaryReader(out.finish());
          expect(src.num()).toBe(7);
          const later = DistinctCounter.readFrom(src, 'later');
          expect(src.num()).toBe(-7);
          expect(later.count()).toBe(set.count());
          expect(later.isFrozen).toBe(set.isExact);
          // the keys are read from where they lie, and the reader goes on where it was
          const position = src.position;
          expect(uses[use](later, other)).toEqual(uses[use](set.clone(), other));
          expect(later.isFrozen).toBe(false);
          expect(src.position).toBe(position);
          expect(src.num()).toBe(8);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a set whose keys start at any byte, or cross the point where the writer grows, reads back whole', () => {
    // one-byte fillers put the key block at every offset modulo 4 (its padding) and across 64 KB
    for (const filler of [0, 1, 2, 3, 65_536 - 805, 65_536 - 802, 65_536 - 3, 65_536, 70_001]) {
      const set = new DistinctCounter();
      for (let k = 0; k < 100; k++) set.add(12_125_550_000 + k * 7919);
      const out = new BinaryWriter();
      for (let i = 0; i < filler; i++) out.num(i % 60);
      set.writeTo(out);
      out.num(-7);
      const src = new BinaryReader(out.finish());
      for (let i = 0; i < filler; i++) expect(src.num()).toBe(i % 60);
      expect(DistinctCounter.readFrom(src).toJSON()).toEqual(set.toJSON());
      expect(src.num()).toBe(-7);
      expect(src.done).toBe(true);
    }
  });

  it('any number reads back exactly, a 32-bit integer in 1-5 bytes by its size and any other in 13', () => {
    const edges = [0, -0, 1, -1, 2 ** 31 - 1, -(2 ** 31), -(2 ** 31) + 1, 2 ** 31, 2 ** 53, 0.5, NaN];
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double(), fc.integer(), fc.constantFrom(...edges, Infinity, -Infinity)), {
          maxLength: 200,
        }),
        (values) => {
          const out = new BinaryWriter();
          for (const v of values) out.num(v);
          const int32 = (v: number) =>
            Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31 && !Object.is(v, -0);
          const expected = values.reduce((n, v) => n + (int32(v) ? varintBytes(v) : 13), 0);
          expect(out.length).toBe(expected);
          const src = new BinaryReader(out.finish());
          for (const v of values) expect(Object.is(src.num(), v)).toBe(true);
          expect(src.done).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a length that does not fit its fixed place is refused, not cut; one that fits reads back as a number', () => {
    const out = new BinaryWriter();
    const at = out.reserve();
    expect(() => out.patch(at, 2 ** 31)).toThrow(/does not fit/);
    expect(() => out.patch(at, 1.5)).toThrow(/does not fit/);
    expect(() => out.patch(at, -1)).toThrow(/does not fit/);
    out.num(-3);
    out.patch(at, 2 ** 31 - 1);
    out.fixed(12);
    expect(out.length).toBe(FIXED_BYTES + 1 + FIXED_BYTES);
    const src = new BinaryReader(out.finish());
    expect([src.num(), src.num(), src.num()]).toEqual([2 ** 31 - 1, -3, 12]);
    expect(src.done).toBe(true);
  });

  it('a transfer that ends inside a number, or holds no number where one should be, fails loudly', () => {
    const read = (bytes: number[]) =>
      new BinaryReader({ data: Uint8Array.from(bytes), strings: [], regs: [] }).num();
    expect(read([0x81, 0x01])).toBe(-65);
    expect(() => read([0x81])).toThrow(/end after 1 bytes/);
    expect(() => read([0x80, 0x80, 0x80, 0x80, 0x20])).toThrow(/no number at 0/);
    expect(() => read([0x80, 0x80, 0x80, 0x80, 0x10, 0, 0])).toThrow(/end inside a number/);
  });

  it('a writer given a reserve writes into it without growing, and grows past it as any writer does', () => {
    const out = new BinaryWriter(100_000);
    const reserved = out.words;
    expect(reserved.byteLength).toBeGreaterThanOrEqual(100_000);
    for (let i = 0; i < 90_000; i++) out.num(i % 60);
    expect(out.words).toBe(reserved);
    for (let i = 90_000; i < 250_000; i++) out.num(i * 3);
    expect(out.words).not.toBe(reserved);
    const src = new BinaryReader(out.finish());
    for (let i = 0; i < 250_000; i++) expect(src.num()).toBe(i < 90_000 ? i % 60 : i * 3);
    expect(src.done).toBe(true);
  });
});

/** bytes an empty set takes in a transfer */
function emptySetBytes(): number {
  const out = new BinaryWriter();
  new DistinctCounter().writeTo(out);
  return out.length;
}

/** bytes a 32-bit integer takes, worked out apart from the writer: its zigzag form, 7 bits a byte */
function varintBytes(v: number): number {
  let z = v >= 0 ? 2 * v : -2 * v - 1;
  let n = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    n++;
  }
  return n;
}
