import { describe, expect, it } from 'vitest';
import { OPEN_LAST_ROW } from '../../shared/cdr/batch-parser.ts';
import { CHECK_BYTES, checkBatchStart } from '../../shared/cdr/read-batch.ts';
import { ZoneClock } from '../../shared/cdr/time.ts';
import { parse } from '../helpers/parse.ts';

/**
 * A batch's last row with no line end after it: the file may have been caught while the switch wrote
 * that row. Read once (analyze), it is read as it stands and its line is told; in a batch that may
 * grow (ingest), it is held back, quarantined as possibly cut short, for the grown file to complete.
 */
const HEADER = 'call_id,start_time,customer_id,calling_number,called_number,sip_code,duration_s';
const g = (i: number, seconds: number) =>
  `g${i},2026-11-27T18:0${i}:00Z,G1,2024561111,301555260${i},200,${seconds}`;
/** the real last row is g2's 187 s: the upload caught it written up to `,1` */
const CUT = `${HEADER}\n${g(1, 125)}\n${g(2, 187).slice(0, -2)}`;

async function bothWays(text: string, opts: Parameters<typeof parse>[1] = {}) {
  return {
    once: await parse(text, opts),
    growing: await parse(text, { ...opts, holdOpenLastRow: true }),
  };
}

describe('a last row without a line end', () => {
  it('read once, counts as it stands and is told by its line; held back when the batch may grow', async () => {
    const { once, growing } = await bothWays(CUT);
    expect(once.calls.map((c) => c.durationS)).toEqual([125, 1]);
    expect(once.stats).toMatchObject({ rows: 2, calls: 2, quarantined: 0, openLastRowLine: 3, heldBack: 0 });
    expect(growing.calls.map((c) => c.durationS)).toEqual([125]);
    expect(growing.quarantined).toEqual([{ line: 3, reason: OPEN_LAST_ROW, raw: g(2, 187).slice(0, -2) }]);
    expect(growing.stats).toMatchObject({
      rows: 2,
      calls: 1,
      quarantined: 1,
      openLastRowLine: 3,
      heldBack: 1,
    });
    // however the bytes arrive
    for (const chunk of [1, 7, 64]) {
      const split = await parse(CUT, { chunk, holdOpenLastRow: true });
      expect(split.stats).toEqual(growing.stats);
      expect(split.quarantined).toEqual(growing.quarantined);
    }
  });

  it.each([
    ['LF', `${HEADER}\n${g(1, 125)}\n${g(2, 187)}\n`],
    ['CRLF', `${HEADER}\r\n${g(1, 125)}\r\n${g(2, 187)}\r\n`],
    ['blank lines after it', `${HEADER}\n${g(1, 125)}\n${g(2, 187)}\n\n\n`],
    ['bare CR (classic Mac)', `${HEADER}\r${g(1, 125)}\r${g(2, 187)}\r`],
    [
      'JSON Lines',
      `{"call_id":"g1","start_time":"2026-11-27T18:01:00Z","customer_id":"G1","calling_number":"2024561111","called_number":"3015552601"}\n`,
    ],
  ])('a batch ending in a line end (%s) holds nothing back', async (_, text) => {
    const { once, growing } = await bothWays(text);
    expect(growing.stats).toEqual(once.stats);
    expect(growing.stats).toMatchObject({ quarantined: 0, openLastRowLine: null, heldBack: 0 });
  });

  it('holds back the last row of CRLF, bare-CR and JSON Lines batches alike', async () => {
    const crlf = await bothWays(`${HEADER}\r\n${g(1, 125)}\r\n${g(2, 187)}`);
    expect(crlf.once.calls.map((c) => c.durationS)).toEqual([125, 187]);
    expect(crlf.growing.stats).toMatchObject({ calls: 1, heldBack: 1, openLastRowLine: 3 });
    const mac = await bothWays(`${HEADER}\r${g(1, 125)}\r${g(2, 187)}`);
    expect(mac.growing.stats).toMatchObject({ calls: 1, heldBack: 1, openLastRowLine: 3 });
    const line = (i: number) =>
      `{"call_id":"j${i}","start_time":"2026-11-27T18:0${i}:00Z","customer_id":"J","calling_number":"2024561111","called_number":"3015552601","duration_s":187}`;
    // cut inside the object, and complete but for the line end
    for (const last of [line(2).slice(0, -5), line(2)]) {
      const json = await bothWays(`${line(1)}\n${last}`);
      expect(json.growing.stats).toMatchObject({ rows: 2, calls: 1, quarantined: 1, heldBack: 1 });
      expect(json.growing.quarantined[0]).toMatchObject({ line: 2, reason: OPEN_LAST_ROW });
      expect(json.once.stats.openLastRowLine).toBe(2);
    }
  });

  it('holds back every row read after the last line end: a quoted field left open across lines', async () => {
    // the quote opened in row 3 runs to the end: its lines after the first are read as rows again
    const text = `${HEADER}\n${g(1, 125)}\n${g(2, 187)},"a note\nthat goes on\nand on`;
    const { once, growing } = await bothWays(text);
    expect(once.stats).toMatchObject({ openLastRowLine: 3, heldBack: 0 });
    expect(growing.stats).toMatchObject({
      rows: 4,
      calls: 1,
      quarantined: 3,
      heldBack: 3,
      openLastRowLine: 3,
    });
    expect(growing.quarantined.map((q) => [q.line, q.reason])).toEqual([
      [3, OPEN_LAST_ROW],
      [4, OPEN_LAST_ROW],
      [5, OPEN_LAST_ROW],
    ]);
  });

  it("a native batch's last row, held while its layout is told from its first records, is held back too", async () => {
    const row = (n: number, billsec: string) =>
      `"C100","2024561111","1301555300${n}","from-trunk","""A"" <2024561111>","SIP/acme-0000000${n}","SIP/carrier-1","Dial","SIP/carrier,60","2026-11-27 13:0${n}:00","2026-11-27 13:0${n}:05","2026-11-27 13:0${n}:35",35,${billsec},"ANSWERED","DOCUMENTATION","179580246${n}.10${n}",""`;
    const zone = new ZoneClock('America/New_York');
    // cut inside a quoted field, and inside a number
    for (const last of [row(3, '30').slice(0, 80), row(3, '30').split(',30,')[0] + ',3']) {
      const { once, growing } = await bothWays(`${row(1, '30')}\n${row(2, '30')}\n${last}`, { zone });
      expect(once.stats.openLastRowLine).toBe(3);
      expect(growing.stats).toMatchObject({
        format: 'asterisk',
        rows: 3,
        calls: 2,
        quarantined: 1,
        heldBack: 1,
      });
      expect(growing.quarantined).toEqual([{ line: 3, reason: OPEN_LAST_ROW, raw: last }]);
    }
  });

  it('a header without a line end is no row: nothing is held back', async () => {
    const { growing } = await bothWays(HEADER);
    expect(growing.stats).toMatchObject({ rows: 0, quarantined: 0, openLastRowLine: null, heldBack: 0 });
  });
});

describe('checkBatchStart tells whether the last row has a line end, past what it parses too', () => {
  async function check(text: string) {
    return checkBatchStart(
      (async function* () {
        const bytes = Buffer.from(text);
        for (let i = 0; i < bytes.length; i += 4096) yield bytes.subarray(i, i + 4096);
      })(),
      { source: 'x.csv' },
    );
  }

  it('a batch the check reads whole, with and without a final line end', async () => {
    expect(await check(`${HEADER}\n${g(1, 125)}\n`)).toMatchObject({ whole: true, openEnd: false });
    expect(await check(`${HEADER}\n${g(1, 125)}`)).toMatchObject({ whole: true, openEnd: true });
  });

  it('a batch longer than the check, with and without a final line end (spaces after it are none)', async () => {
    const rows = `${HEADER}\n${`${g(1, 125)}\n`.repeat(Math.ceil(CHECK_BYTES / 50))}`;
    expect(await check(rows)).toMatchObject({ whole: false, openEnd: false });
    expect(await check(`${rows}  \t`)).toMatchObject({ whole: false, openEnd: false });
    expect(await check(`${rows}${g(2, 187).slice(0, -2)}`)).toMatchObject({ whole: false, openEnd: true });
  });
});
