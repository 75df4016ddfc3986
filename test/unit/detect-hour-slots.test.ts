import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HourSlots } from '../../shared/detect/hour-slots.ts';

/** set, delete or look up an hour; few hours, so that the same ones come back */
const opArb = fc.tuple(fc.constantFrom('set', 'delete', 'get'), fc.integer({ min: -3, max: 9 }));

function entries(slots: HourSlots<string>): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  slots.forEach((slot, hourIdx) => {
    out.push([hourIdx, slot]);
  });
  return out;
}

describe('HourSlots', () => {
  it('answers like a Map, in the same order, inline and past its fields', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const slots = new HourSlots<string>();
        const map = new Map<number, string>();
        ops.forEach(([op, hour], i) => {
          if (op === 'set') {
            slots.set(hour, `s${i}`);
            map.set(hour, `s${i}`);
          } else if (op === 'delete') expect(slots.delete(hour)).toBe(map.delete(hour));
          expect(slots.get(hour)).toBe(map.get(hour));
          expect(slots.has(hour)).toBe(map.has(hour));
          expect(slots.size).toBe(map.size);
          expect(entries(slots)).toEqual([...map]);
        });
        expect(slots.values()).toEqual([...map.values()]);
      }),
    );
  });

  it('keeps the order of the hours after one dropped from the middle, and reuses the freed field', () => {
    const slots = new HourSlots<string>();
    for (const h of [10, 11, 12, 13]) slots.set(h, `h${h}`);
    expect(slots.delete(11)).toBe(true);
    expect(slots.delete(11)).toBe(false);
    slots.set(14, 'h14');
    expect(entries(slots)).toEqual([
      [10, 'h10'],
      [12, 'h12'],
      [13, 'h13'],
      [14, 'h14'],
    ]);
    // a fifth hour moves them all into a Map, in order
    slots.set(15, 'h15');
    slots.set(12, 'again');
    expect(entries(slots).map(([h]) => h)).toEqual([10, 12, 13, 14, 15]);
    expect(slots.get(12)).toBe('again');
  });

  it('passes `self` as the callback this', () => {
    const slots = new HourSlots<number>();
    slots.set(1, 5);
    slots.set(2, 7);
    const sink = { total: 0 };
    slots.forEach(function (this: typeof sink, slot) {
      this.total += slot;
    }, sink);
    expect(sink.total).toBe(12);
  });
});
