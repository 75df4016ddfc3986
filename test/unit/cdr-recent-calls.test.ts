import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchParser } from '../../shared/cdr/batch-parser.ts';
import { PackedCall } from '../../shared/cdr/packed-call.ts';
import {
  callIdsWord,
  callWhenWord,
  GENERATION_CALLS,
  idHash,
  partyHash,
  RecentCalls,
  repeatsAcross,
} from '../../shared/cdr/recent-calls.ts';
import type { QuarantinedRow } from '../../shared/cdr/record.ts';

const START = Date.UTC(2026, 10, 27, 16);

/** A call as the reader packs it: the usual one, with what `over` changes. */
function call(over: Partial<PackedCall> = {}): PackedCall {
  return Object.assign(new PackedCall(), {
    line: 2,
    callIdHash: idHash('a'),
    partyHash: partyHash(idHash('C1'), idHash('T1')),
    callingKey: 12125550101,
    calledKey: 13125550150,
    startMs: START,
    durationS: 30,
    answered: true,
    sipCode: 200,
    ...over,
  });
}

/** The i-th of many different calls, read at `line`. */
const nth = (i: number, line: number) => call({ callIdHash: i, startMs: START + i, line });

describe('RecentCalls', () => {
  it('finds a call read again, with the line it was first read at, and nothing else', () => {
    const recent = new RecentCalls();
    expect(recent.repeatOf(call())).toBe(0);
    expect(recent.repeatOf(call({ line: 9 }))).toBe(2);
    // another id, customer, trunk, number, start, length or outcome: another call (a switch may give
    // every call one id; a call forked to two routes has two legs that each end their own way)
    const others: Array<Partial<PackedCall>> = [
      { callIdHash: idHash('b') },
      { partyHash: partyHash(idHash('C2'), idHash('T1')) },
      { partyHash: partyHash(idHash('C1'), idHash('T2')) },
      { callingKey: 12125550102 },
      { callingKey: -1 },
      { calledKey: 13125550151 },
      { startMs: START + 1 },
      { durationS: 31 },
      { answered: false, durationS: 0, sipCode: 486 },
      { answered: false, durationS: 0, sipCode: 487 },
    ];
    expect(others.map((over, k) => recent.repeatOf(call({ ...over, line: 10 + k })))).toEqual(
      others.map(() => 0),
    );
  });

  it('hashes an id as the fast lane does: FNV-1a over its UTF-8 bytes', () => {
    const fnv = (bytes: Buffer) => bytes.reduce((h, b) => Math.imul(h ^ b, 16777619), 0x811c9dc5 | 0);
    for (const id of ['c1', 'call-é-1', '通話', '']) expect(idHash(id)).toBe(fnv(Buffer.from(id, 'utf8')));
  });

  it('remembers at least GENERATION_CALLS calls back, and forgets what is twice that far', () => {
    const recent = new RecentCalls();
    const calls = 2 * GENERATION_CALLS + 10;
    let repeats = 0;
    for (let i = 0; i < calls; i++) if (recent.repeatOf(nth(i, i + 1)) !== 0) repeats++;
    expect(repeats).toBe(0);
    // the last GENERATION_CALLS calls are all found, with their lines, across table growth and a rotation
    let found = 0;
    for (let i = calls - GENERATION_CALLS; i < calls; i++)
      if (recent.repeatOf(nth(i, calls + 1)) === i + 1) found++;
    expect(found).toBe(GENERATION_CALLS);
    // the first ones are forgotten: memory stays bounded whatever the batch's length
    expect(recent.repeatOf(nth(0, calls + 2))).toBe(0);
  });

  it("finds a range's first calls among the range before's last ones (repeatsAcross)", () => {
    const before = new RecentCalls({ keepHead: true });
    const next = new RecentCalls({ keepHead: true });
    for (let i = 0; i < 3000; i++) before.repeatOf(nth(i, i + 1));
    for (let i = 3000; i < 6000; i++) next.repeatOf(nth(i, i + 1));
    expect(repeatsAcross(before.ends(), next.ends())).toBe(false);
    next.repeatOf(nth(2999, 6001));
    expect(repeatsAcross(before.ends(), next.ends())).toBe(true);
    // a reader that keeps no head finds none
    expect(new RecentCalls().ends().head).toHaveLength(0);
  });
});

/** The batch read by a sink that aggregates (fast lanes on) or not: calls and quarantined rows. */
function read(text: string, fastLanes: boolean) {
  const calls: string[] = [];
  const quarantined: QuarantinedRow[] = [];
  const parser = new BatchParser(
    { source: 'b.csv' },
    {
      call: (r) => calls.push(`${r.line} ${r.callId}`),
      ...(fastLanes ? { packed: (p) => calls.push(`${p.line} ${p.callId}`), packedCallIds: true } : {}),
      quarantine: (q) => quarantined.push(q),
    },
  );
  parser.push(Buffer.from(text));
  const stats = parser.end();
  return { calls, quarantined, stats };
}

describe('a batch that repeats rows', () => {
  const header = 'call_id,start_time,end_time,duration_s,customer_id,calling_number,called_number,sip_code\n';
  const row = (id: string, customer = 'C1', start = '16:00:00') =>
    `${id},2026-11-27T${start}Z,2026-11-27T16:01:00Z,55,${customer},+12125550101,+13125550150,200\n`;

  it.each([true, false])('counts a repeated call once and quarantines the repeat (fast lanes %s)', (fast) => {
    // an export job retried after writing two rows writes them again
    const text = `${header}${row('a')}${row('b')}${row('a')}${row('b')}${row('c')}`;
    const { calls, quarantined, stats } = read(text, fast);
    expect(calls).toEqual(['2 a', '3 b', '6 c']);
    expect(quarantined.map((q) => [q.line, q.reason, q.raw])).toEqual([
      [
        4,
        'repeats the call 2 line(s) above (same call_id, customer, trunk, numbers, start_time, duration and result): counted once',
        row('a'),
      ],
      [5, expect.stringMatching(/^repeats the call 2 line\(s\) above/), row('b')],
    ]);
    expect(stats).toMatchObject({ rows: 5, calls: 3, quarantined: 2 });
  });

  it('keeps a call id seen again for another customer, start or number: not the same call', () => {
    const text = `${header}${row('a')}${row('a', 'C2')}${row('a', 'C1', '16:00:01')}${row('a').replace('+13125550150', '+13125550151')}`;
    for (const fast of [true, false]) expect(read(text, fast).calls).toEqual(['2 a', '3 a', '4 a', '5 a']);
  });

  it('counts both legs of a call forked to two routes, each ending its own way', () => {
    const leg = (code: string) => row('f').replace(',200\n', `,${code}\n`);
    const text = `${header}${leg('486')}${leg('487')}${leg('487')}`;
    for (const fast of [true, false]) {
      const { calls, quarantined } = read(text, fast);
      expect(calls).toEqual(['2 f', '3 f']);
      expect(quarantined.map((q) => q.line)).toEqual([4]);
    }
  });

  it('a switch that writes one call id for every call has its calls counted, and its repeats once', () => {
    // an export that fills call_id with 0: calls differ by their numbers
    const calls = [0, 1, 2].map((i) => row('0').replace('+13125550150', `+1312555015${i}`));
    const text = `${header}${calls.join('')}${calls[1]}`;
    for (const fast of [true, false]) {
      const { calls: counted, quarantined } = read(text, fast);
      expect(counted).toEqual(['2 0', '3 0', '4 0']);
      expect(quarantined.map((q) => q.line)).toEqual([5]);
    }
  });

  it('finds a JSON Lines repeat in either lane, quoting the line as it was written', () => {
    const line =
      '{"call_id":"j1","start_time":"2026-11-27T16:00:00Z","customer_id":"C1","called_number":"+13125550150","attestation":"A"}';
    // the second copy in another shape (blanks after the separators): the general lane reads it
    const spaced = line.replaceAll(',"', ', "');
    for (const fast of [true, false]) {
      const { calls, quarantined } = read(`${line}\n${spaced}\n${line}\n`, fast);
      expect(calls).toEqual(['1 j1']);
      expect(quarantined.map((q) => [q.line, q.raw])).toEqual([
        [2, spaced],
        [3, line],
      ]);
    }
  });
});

/**
 * Ids edited alike: each is `head`, one byte, then `tail`, the tails of one length (the byte at the
 * same place from the end in every id), and the second call's ids have that byte changed the same way
 * (`alike`: from one byte to one other in every id, else each its own way). FNV-1a changed such ids'
 * hashes alike, and an exclusive or of them did not change: the tester's calls 1795795293.653 of C113
 * and .657 of C117 were one call.
 */
const ID_BYTE = fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.-_:');
const edit = fc.tuple(ID_BYTE, ID_BYTE).filter(([from, to]) => from !== to);
const idPart = fc.record({
  head: fc.stringMatching(/^[A-Za-z0-9._:-]{0,14}$/),
  tail: fc.stringMatching(/^[A-Za-z0-9._:-]{0,2}$/),
  own: edit,
});
type IdPart = typeof idPart extends fc.Arbitrary<infer T> ? T : never;
const editedIds = fc
  .record({
    call: idPart,
    customer: idPart,
    trunk: fc.option(idPart, { nil: null }),
    tailLength: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 })),
    edit,
    alike: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.boolean(), weight: 1 }),
    trunkEdited: fc.boolean(),
  })
  .map(({ call, customer, trunk, tailLength, edit, alike, trunkEdited }) => {
    const pair = (part: IdPart, edited = true): [string, string] => {
      const tail = part.tail.padEnd(tailLength, '0').slice(0, tailLength);
      const [from, to] = alike ? edit : part.own;
      return [`${part.head}${from}${tail}`, `${part.head}${edited ? to : from}${tail}`];
    };
    return {
      callIds: pair(call),
      customers: pair(customer),
      trunks: trunk === null ? (['', ''] as [string, string]) : pair(trunk, trunkEdited),
    };
  });

/** the tester's pairs: the byte before last, the last byte, with a trunk unchanged */
const TESTER_PAIRS = [
  { callIds: ['1795795293.653', '1795795293.657'], customers: ['C113', 'C117'], trunks: ['', ''] },
  { callIds: ['c28', 'c29'], customers: ['V28', 'V29'], trunks: ['', ''] },
  {
    callIds: ['1795795293.653', '1795795293.657'],
    customers: ['C113', 'C117'],
    trunks: ['sbc-trunk-1', 'sbc-trunk-1'],
  },
] as Array<{ callIds: [string, string]; customers: [string, string]; trunks: [string, string] }>;

const CSV_HEADER =
  'call_id,start_time,duration_s,customer_id,trunk_id,calling_number,called_number,sip_code,attestation\n';
const csvRow = (callId: string, customer: string, trunk: string) =>
  `${callId},2026-11-27T16:00:00Z,0,${customer},${trunk},2024561111,3015552671,480,A\n`;
const jsonRow = (callId: string, customer: string, trunk: string) =>
  `${JSON.stringify({
    call_id: callId,
    start_time: '2026-11-27T16:00:00Z',
    duration_s: 0,
    customer_id: customer,
    trunk_id: trunk,
    calling_number: '2024561111',
    called_number: '3015552671',
    sip_code: 480,
    // the JSON Lines fast lane takes an object with its attestation (without, it is not reported)
    attestation: 'A',
  })}\n`;

/**
 * Each counted call's line and words (callIdsWord, callWhenWord), the lines quarantined, and how many
 * calls the fast lane read (with fastLanes) or the general lane.
 */
function wordsOf(text: string, fastLanes: boolean) {
  const words: string[] = [];
  const lanes = { fast: 0, general: 0 };
  const note = (p: PackedCall) => words.push(`${p.line} ${callIdsWord(p)} ${callWhenWord(p)}`);
  const quarantined: number[] = [];
  const parser = new BatchParser(
    { source: 'b.csv' },
    {
      call: (_r, _raw, packed) => {
        lanes.general++;
        note(packed);
      },
      ...(fastLanes
        ? {
            packed: (p: PackedCall) => {
              lanes.fast++;
              note(p);
            },
          }
        : {}),
      quarantine: (q) => quarantined.push(q.line),
    },
  );
  parser.push(Buffer.from(text));
  parser.end();
  return { words, quarantined, lanes };
}

describe('calls whose ids are edited alike', () => {
  it.each(TESTER_PAIRS)('are two calls, in either lane, as CSV or JSON Lines: %j', (ids) => {
    const rows = (row: typeof csvRow) =>
      [0, 1, 0].map((k) => row(ids.callIds[k], ids.customers[k], ids.trunks[k])).join('');
    for (const text of [`${CSV_HEADER}${rows(csvRow)}`, rows(jsonRow)]) {
      const header = text.startsWith('call_id') ? 1 : 0;
      for (const fast of [true, false]) {
        const { words, quarantined, lanes } = wordsOf(text, fast);
        expect(lanes.fast).toBe(fast ? 2 : 0);
        // the first two are counted; the third repeats the first
        expect(words.map((w) => Number(w.split(' ')[0]))).toEqual([1 + header, 2 + header]);
        expect(quarantined).toEqual([3 + header]);
      }
    }
  });

  it('are never taken for one call, and each lane gives every call the same words', () => {
    fc.assert(
      fc.property(editedIds, ({ callIds, customers, trunks }) => {
        const rows = (row: typeof csvRow) =>
          [0, 1, 0].map((k) => row(callIds[k], customers[k], trunks[k])).join('');
        for (const text of [`${CSV_HEADER}${rows(csvRow)}`, rows(jsonRow)]) {
          const header = text.startsWith('call_id') ? 1 : 0;
          const fast = wordsOf(text, true);
          const general = wordsOf(text, false);
          expect(fast.lanes).toEqual({ fast: 2, general: 0 });
          expect(general.lanes).toEqual({ fast: 0, general: 2 });
          expect(fast.words).toEqual(general.words);
          expect(fast.words).toHaveLength(2);
          expect(fast.quarantined).toEqual([3 + header]);
          expect(general.quarantined).toEqual([3 + header]);
        }
      }),
      { numRuns: 300, examples: TESTER_PAIRS.map((ids) => [ids]) },
    );
  });

  it('make other words, however the bytes change (the ids packed as either lane packs them)', () => {
    const packed = (callId: string, customer: string, trunk: string) =>
      call({ callIdHash: idHash(callId), partyHash: partyHash(idHash(customer), idHash(trunk)) });
    fc.assert(
      fc.property(editedIds, ({ callIds, customers, trunks }) => {
        const a = packed(callIds[0], customers[0], trunks[0]);
        const b = packed(callIds[1], customers[1], trunks[1]);
        expect(callIdsWord(b)).not.toBe(callIdsWord(a));
      }),
      { numRuns: 20_000, examples: TESTER_PAIRS.map((ids) => [ids]) },
    );
  });
});
