import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PackedBlock } from '../../shared/cdr/packed-block.ts';
import { PackedCall } from '../../shared/cdr/packed-call.ts';
import type { NumberClass } from '../../shared/cdr/record.ts';

const CLASSES: NumberClass[] = ['valid', 'blank', 'toll_free', 'premium', 'invalid_npa', 'fictitious'];

/** every field of a PackedCall, any value the fast lane can give it */
const callArb = fc.record({
  line: fc.integer({ min: 1, max: 2 ** 40 }),
  callId: fc.string(),
  callIdHash: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  sourceIpV4: fc.integer({ min: -1, max: 2 ** 32 - 1 }),
  startMs: fc.integer({ min: 0, max: 2 ** 45 }),
  hourIdx: fc.integer({ min: 0, max: 2 ** 30 }),
  durationS: fc.integer({ min: 0, max: 999_999_999 }),
  answered: fc.boolean(),
  sipCode: fc.integer({ min: 0, max: 699 }),
  customerId: fc.string(),
  customerSlot: fc.integer({ min: -1, max: 100_000 }),
  partyHash: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  trunkId: fc.string(),
  callingKey: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 2 ** 53 - 1 })),
  callingClass: fc.constantFrom(...CLASSES),
  callingNpaNxx: fc.integer({ min: -1, max: 999_999 }),
  calledKey: fc.integer({ min: 0, max: 2 ** 53 - 1 }),
  calledClass: fc.constantFrom(...CLASSES),
  calledNpaNxx: fc.integer({ min: -1, max: 999_999 }),
  attestation: fc.constantFrom('A', 'B', 'C', '', '?'),
  verstat: fc.constantFrom('TN-Validation-Passed', 'TN-Validation-Failed', 'No-TN-Validation', ''),
});

describe('PackedBlock', () => {
  it('covers every PackedCall field (a new field must be carried by the block too)', () => {
    const [sample] = fc.sample(callArb, 1);
    expect(Object.keys(sample).sort()).toEqual(Object.keys(new PackedCall()).sort());
  });

  it('gives back exactly the calls put in, in order, across any number of drains', () => {
    fc.assert(
      fc.property(fc.array(callArb, { maxLength: 50 }), fc.integer({ min: 1, max: 8 }), (calls, capacity) => {
        const block = new PackedBlock(capacity);
        const out: PackedCall[] = [];
        const keep = (c: PackedCall) => out.push({ ...c });
        const given = new PackedCall();
        for (const c of calls) {
          Object.assign(given, c);
          if (block.add(given)) block.drain(keep);
        }
        block.drain(keep);
        expect(block.size).toBe(0);
        expect(out).toEqual(calls);
      }),
      { numRuns: 300 },
    );
  });
});
