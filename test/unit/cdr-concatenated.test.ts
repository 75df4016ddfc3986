import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { BatchStats } from '../../shared/cdr/batch-parser.ts';
import { readBatch } from '../../shared/cdr/read-batch.ts';
import type { QuarantinedRow } from '../../shared/cdr/record.ts';

/**
 * Exports concatenated into one canonical CSV batch: each brings its own header line, maybe in
 * another column order or spelling. A header line again is quarantined as such, and the rows after it
 * are read by its columns, in the general lane and the fast lane alike.
 */

const REPEATED = 'repeats the header (files concatenated?)';
const FIRST = 'call_id,start_time,duration_s,customer_id,calling_number,called_number,sip_code';

/** one lane's reading of a batch: each call as [line, call_id, calling, called, attestation], and how many the fast lane took */
interface Lane {
  calls: Array<[number, string, string, string, string]>;
  quarantined: Array<[number, string]>;
  stats: BatchStats;
  packed: number;
}

/** e164 of a fast-lane number key, as the general lane writes the number */
const e164 = (key: number) => (key < 0 ? '' : `+${key}`);

/** Reads `text` through the general lane (`fast` false) or with a sink that takes fast-lane rows. */
async function lane(
  text: string,
  fast: boolean,
  opts: { gzip?: boolean; chunk?: number } = {},
): Promise<Lane> {
  const bytes = opts.gzip ? gzipSync(text) : Buffer.from(text);
  const size = opts.chunk ?? bytes.length;
  async function* body() {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  }
  const out: Lane = { calls: [], quarantined: [], stats: {} as BatchStats, packed: 0 };
  out.stats = await readBatch(
    body(),
    { source: 'concat.csv' },
    {
      call: (r) => out.calls.push([r.line, r.callId, r.calling, r.called, r.attestation]),
      quarantine: (q: QuarantinedRow) => out.quarantined.push([q.line, q.reason]),
      ...(fast
        ? {
            packedCallIds: true,
            packed: (p) => {
              out.packed++;
              out.calls.push([p.line, p.callId, e164(p.callingKey), e164(p.calledKey), p.attestation]);
            },
          }
        : {}),
    },
  );
  out.calls.sort((a, b) => a[0] - b[0]);
  return out;
}

/** Both lanes on `text`: the same calls, quarantine and stats, rows = calls + quarantined; the fast one. */
async function bothLanes(text: string, opts: { gzip?: boolean; chunk?: number } = {}): Promise<Lane> {
  const general = await lane(text, false, opts);
  const fast = await lane(text, true, opts);
  expect({ ...fast, packed: 0 }).toEqual(general);
  expect(general.stats.rows).toBe(general.stats.calls + general.stats.quarantined);
  expect(general.stats.calls).toBe(general.calls.length);
  return fast;
}

/** each field of a CSV line quoted, as exports that quote everything write it */
const quoted = (line: string) =>
  line
    .split(',')
    .map((f) => `"${f}"`)
    .join(',');

describe('canonical CSV: a header line again among the rows (files concatenated)', () => {
  // the second export names calling and called the other way round
  const rows = [
    FIRST,
    'y1,2026-11-27T16:00:00Z,0,C1,2024561111,3015552600,486',
    'call_id,start_time,duration_s,customer_id,called_number,calling_number,sip_code',
    'y2,2026-11-27T16:01:00Z,0,C1,3015552601,2024561111,486',
    'y3,2026-11-27T16:02:00Z,0,C1,3015552602,2024561111,486',
  ];
  const variants: Array<[string, (line: string, i: number) => string]> = [
    ['unquoted', (l) => l],
    ['every field quoted', (l) => quoted(l)],
    ['the headers quoted', (l, i) => (i === 0 || i === 2 ? quoted(l) : l)],
  ];
  for (const [name, write] of variants) {
    for (const gzip of [false, true]) {
      it(`reads the rows after a header in another column order by that order (${name}${gzip ? ', gzip' : ''})`, async () => {
        const text = `${rows.map(write).join('\n')}\n`;
        for (const chunk of [undefined, 1, 13]) {
          const fast = await bothLanes(text, { gzip, chunk });
          expect(fast.calls).toEqual([
            [2, 'y1', '+12024561111', '+13015552600', '?'],
            [4, 'y2', '+12024561111', '+13015552601', '?'],
            [5, 'y3', '+12024561111', '+13015552602', '?'],
          ]);
          expect(fast.quarantined).toEqual([[3, REPEATED]]);
          expect(fast.stats).toMatchObject({ rows: 4, calls: 3, quarantined: 1 });
          // the fast lane read the rows after the header too, by its columns (a row split across
          // chunks goes to the general lane)
          if (chunk === undefined) expect(fast.packed).toBe(3);
        }
      });
    }
  }

  it('a header again in the same order but spelled another way: the same reason, its names in the reasons after it', async () => {
    const text = `${[
      FIRST,
      'y1,2026-11-27T16:00:00Z,0,C1,2024561111,3015552600,486',
      'Call ID,Start Time,Duration S,Customer ID,Calling Number,Called Number,SIP Code',
      'y2,2026-11-27T16:01:00Z,0,C1,2024561111,3015552601,486',
      'y3,yesterday,0,C1,2024561111,3015552601,486',
      // and a third export, every column the other way round
      'sip_code,called_number,calling_number,customer_id,duration_s,start_time,call_id',
      '486,3015552602,2024561111,C1,0,2026-11-27T16:02:00Z,y4',
      '486,3015552603,2024561111,C1,0,tomorrow,y5',
    ].join('\n')}\n`;
    const fast = await bothLanes(text);
    expect(fast.calls.map(([line, id, calling, called]) => [line, id, calling, called])).toEqual([
      [2, 'y1', '+12024561111', '+13015552600'],
      [4, 'y2', '+12024561111', '+13015552601'],
      [7, 'y4', '+12024561111', '+13015552602'],
    ]);
    expect(fast.quarantined).toEqual([
      [3, REPEATED],
      [5, expect.stringMatching(/^Start Time 'yesterday' is not an ISO 8601 time/)],
      [6, REPEATED],
      [8, expect.stringMatching(/^start_time 'tomorrow' is not an ISO 8601 time/)],
    ]);
  });

  it('a header again with a byte-order mark (files with one concatenated), or blanks around its names', async () => {
    const text = `\uFEFF${FIRST}\ny1,2026-11-27T16:00:00Z,0,C1,2024561111,3015552600,486\n\uFEFFcall_id, start_time ,duration_s,customer_id,called_number,calling_number,sip_code\ny2,2026-11-27T16:01:00Z,0,C1,3015552601,2024561111,486\n`;
    const fast = await bothLanes(text);
    expect(fast.quarantined).toEqual([[3, REPEATED]]);
    expect(fast.calls.map((c) => c.slice(1, 4))).toEqual([
      ['y1', '+12024561111', '+13015552600'],
      ['y2', '+12024561111', '+13015552601'],
    ]);
  });

  it('reads a column the first header lacked, and leaves out one the header again lacks', async () => {
    const text = `${[
      FIRST,
      'y1,2026-11-27T16:00:00Z,0,C1,2024561111,3015552600,486',
      // attestation, and a column no contract names, but no sip_code nor duration_s: another width
      'attestation,call_id,start_time,customer_id,calling_number,called_number,note',
      'B,y2,2026-11-27T16:01:00Z,C1,2024561111,3015552601,hello',
      FIRST,
      'y3,2026-11-27T16:02:00Z,0,C1,2024561111,3015552602,486',
    ].join('\n')}\n`;
    const fast = await bothLanes(text);
    expect(fast.calls.map(([line, id, , , att]) => [line, id, att])).toEqual([
      [2, 'y1', '?'],
      [4, 'y2', 'B'],
      [6, 'y3', '?'],
    ]);
    expect(fast.quarantined).toEqual([
      [3, REPEATED],
      [5, REPEATED],
    ]);
  });

  it('a header again lacking a required column, or naming one twice: its rows are quarantined saying why, up to the next header', async () => {
    const text = `${[
      FIRST,
      'y1,2026-11-27T16:00:00Z,0,C1,2024561111,3015552600,486',
      'call_id,start_time,duration_s,calling_number,called_number,sip_code',
      'y2,2026-11-27T16:01:00Z,0,2024561111,3015552601,486',
      'y3,2026-11-27T16:02:00Z,0,2024561111,3015552602,486',
      'call_id,start_time,Customer ID,CustomerID,calling_number,called_number',
      'y4,2026-11-27T16:03:00Z,C1,C2,2024561111,3015552603',
      // a usable header again: read on
      'call_id,start_time,duration_s,customer_id,called_number,calling_number,sip_code',
      'y5,2026-11-27T16:04:00Z,0,C1,3015552604,2024561111,486',
    ].join('\n')}\n`;
    for (const gzip of [false, true]) {
      const fast = await bothLanes(text, { gzip });
      expect(fast.calls.map(([line, id, calling, called]) => [line, id, calling, called])).toEqual([
        [2, 'y1', '+12024561111', '+13015552600'],
        [9, 'y5', '+12024561111', '+13015552604'],
      ]);
      const lacks = 'lacks required column(s) customer_id';
      const twice = 'names customer_id twice (columns 3 and 4)';
      expect(fast.quarantined).toEqual([
        [3, `${REPEATED}, but ${lacks}: the rows up to the next header are quarantined`],
        [4, `follows a repeated header that ${lacks}, so its columns are not known`],
        [5, `follows a repeated header that ${lacks}, so its columns are not known`],
        [6, `${REPEATED}, but ${twice}: the rows up to the next header are quarantined`],
        [7, `follows a repeated header that ${twice}, so its columns are not known`],
        [8, REPEATED],
      ]);
      expect(fast.stats).toMatchObject({ rows: 8, calls: 2, quarantined: 6 });
    }
  });

  it('a bad row with one field that spells a column name is a bad row, not a header', async () => {
    const text = `${FIRST}\ncall_id,noon,0,C1,2024561111,3015552600,486\ny2,2026-11-27T16:01:00Z,0,C1,2024561111,3015552601,486\n`;
    const fast = await bothLanes(text);
    expect(fast.quarantined).toEqual([
      [2, expect.stringMatching(/^start_time 'noon' is not an ISO 8601 time/)],
    ]);
    expect(fast.calls.map((c) => c.slice(1, 4))).toEqual([['y2', '+12024561111', '+13015552601']]);
  });
});
