import { describe, expect, it } from 'vitest';
import { quarantineText } from '../../cli/quarantine-text.ts';
import type { BatchQuarantine } from '../../shared/aws/quarantine-objects.ts';
import { parseSwitchConfig } from '../../shared/config/switches.ts';
import { processBatch } from '../../shared/ingest/process-batch.ts';
import { quarantineRows } from '../../shared/ingest/quarantine-report.ts';
import { ingestJob, memoryIngestPorts, TEST_BUCKET } from '../helpers/ingest-ports.ts';

const KEY = 'cdr/sbc-east-1/2026/11/20/10.csv';
const OBJECT = `s3://cdr/quarantine/${KEY}`;

/** Rows of a quarantined batch with numbers in the shapes a tester found printed in clear. */
const RAW = [
  'c1,2026-11-20T10:00:00Z,,,0,,T1,+1 202 736 5000,+13125550199,486,NO_ANSWER,A,,198.51.100.7',
  'c2,2026-11-20T10:00:01Z,,,0,,T1,202 736 5000,442079460000,486,NO_ANSWER,A,,198.51.100.7',
  'c3,1795000000,,,0,,T1,011442079460000,２０２７３６５０００,486,NO_ANSWER,A,,198.51.100.7',
  'c4,2026-11-20T10:00:03Z,,,0,,T1,+44 20 7946 0000,20279374450,486,NO_ANSWER,A,,198.51.100.7',
];
const NUMBERS = [
  '+1 202 736 5000',
  '202 736 5000',
  '442079460000',
  '011442079460000',
  '２０２７３６５０００',
  '+44 20 7946 0000',
  '20279374450',
  '3125550199',
];

function quarantined(): BatchQuarantine {
  return {
    batchId: `cdr/${KEY}#5d41402abc4b2a76b9719d911017c592`,
    ingest: 'done',
    failure: null,
    totals: { rows: 90_000, calls: 89_996, quarantined: 4 },
    parts: [
      {
        part: 0,
        object: OBJECT,
        writtenAt: '2026-11-20T10:05:00.000Z',
        rows: RAW.map((raw, i) => ({ line: 12 + i, reason: 'customer_id is empty', raw: `${raw}\n` })),
      },
    ],
    earlier: [],
    refused: null,
    repeatOf: null,
  };
}

describe('quarantine show, as printed', () => {
  it('masks every number of the rows and keeps their times, epochs, addresses, codes and line numbers', () => {
    const text = quarantineText(KEY, quarantined()).join('\n');
    for (const number of NUMBERS) expect(text).not.toContain(number);
    expect(text).toBe(
      [
        `${KEY}: 4 row(s) quarantined, in ${OBJECT}`,
        '  line 12: customer_id is empty',
        '    c1,2026-11-20T10:00:00Z,,,0,,T1,***5000,***0199,486,NO_ANSWER,A,,198.51.100.7',
        '  line 13: customer_id is empty',
        '    c2,2026-11-20T10:00:01Z,,,0,,T1,***5000,***0000,486,NO_ANSWER,A,,198.51.100.7',
        '  line 14: customer_id is empty',
        '    c3,1795000000,,,0,,T1,***0000,***5000,486,NO_ANSWER,A,,198.51.100.7',
        '  line 15: customer_id is empty',
        '    c4,2026-11-20T10:00:03Z,,,0,,T1,***0000,***4450,486,NO_ANSWER,A,,198.51.100.7',
        'ingest done: 90000 row(s): 89996 call(s) counted, 4 quarantined',
      ].join('\n'),
    );
  });

  it('masks a number in a reason, and leaves the batch id of the one a repeat repeats readable', () => {
    const reason = "sip_code '+44 20 7946 0000' is not a SIP response code (100-699)";
    const found = quarantined();
    found.parts[0].rows = [{ line: 3, reason, raw: 'c9' }];
    expect(quarantineText(KEY, found)[1]).toBe(
      "  line 3: sip_code '***0000' is not a SIP response code (100-699)\n    c9",
    );
    const repeat = { ...quarantined(), parts: [], repeatOf: `cdr/${KEY}#5d41402abc4b2a76b9719d911017c592` };
    expect(quarantineText(KEY, repeat)[0]).toBe(
      `${KEY}: a repeat, none of its calls counted again: it holds the calls of s3://cdr/${KEY}#5d41402abc4b2a76b9719d911017c592, which counted them`,
    );
  });

  it("lists a repeat's own quarantined rows, and its rows as calls the batch it repeats counted plus those", () => {
    const found = quarantined();
    const repeat = {
      ...found,
      parts: [{ ...found.parts[0], rows: found.parts[0].rows.slice(0, 1) }],
      repeatOf: 'cdr/cdr/rep/A.csv#f507d237',
      totals: { rows: 3, calls: 0, quarantined: 1, repeated: 2 },
    };
    expect(quarantineText(KEY, repeat)).toEqual([
      `${KEY}: a repeat, none of its calls counted again: it holds the calls of s3://cdr/cdr/rep/A.csv#f507d237, which counted them`,
      `${KEY}: 1 row(s) quarantined, in ${OBJECT}`,
      '  line 12: customer_id is empty\n    c1,2026-11-20T10:00:00Z,,,0,,T1,***5000,***0199,486,NO_ANSWER,A,,198.51.100.7',
      'ingest done: 3 row(s): 0 call(s) counted, 2 by the batch it repeats, 1 quarantined',
    ]);
  });

  it('says a batch of no rows (empty, a header only, nothing after an earlier upload) had none, not that all were usable', () => {
    const empty = { ...quarantined(), parts: [], totals: { rows: 0, calls: 0, quarantined: 0 } };
    expect(quarantineText(KEY, empty)).toEqual([
      `${KEY}: no row quarantined: the batch has no rows (an empty file, or a header only)`,
      'ingest done: 0 row(s): 0 call(s) counted, 0 quarantined',
    ]);
    const same = { ...empty, totals: { ...empty.totals, alreadyCounted: 400 } };
    expect(quarantineText(KEY, same)[0]).toBe(
      `${KEY}: no row quarantined: the batch has no rows after those of the earlier upload under this key`,
    );
    const clean = { ...empty, totals: { rows: 4, calls: 4, quarantined: 0 } };
    expect(quarantineText(KEY, clean)[0]).toBe(`${KEY}: no row quarantined (every row was usable)`);
  });

  it('says the rows an earlier upload quarantined are about the batch there now when it extends that upload', () => {
    const earlier = [
      { ...quarantined().parts[0], object: `${OBJECT}.old`, rows: quarantined().parts[0].rows.slice(0, 2) },
    ];
    // the same file gzipped under its key: nothing new read, the earlier upload read all 400 rows,
    // counting 398 calls and quarantining the 2 rows its object lists
    const gzipped = {
      ...quarantined(),
      parts: [],
      earlier,
      totals: { rows: 0, calls: 0, quarantined: 0, alreadyCounted: 398, alreadyQuarantined: 2 },
    };
    expect(quarantineText(KEY, gzipped).slice(1)).toEqual([
      'ingest done: 0 row(s) after the 400 of an earlier upload under this key, read already (398 call(s) counted, 2 quarantined) (400 in the file): 0 call(s) counted, 0 quarantined',
      `not listed: 2 row(s) in ${OBJECT}.old, left by the ingest of an earlier upload under this key, about the first 400 row(s) of the batch there now, which earlier uploads read (398 call(s) counted, 2 quarantined) and this one extends (--json lists them under "earlier")`,
    ]);
    // another batch under the key (nothing extended): its rows are not about the batch there now
    expect(
      quarantineText(KEY, { ...gzipped, totals: { rows: 5, calls: 5, quarantined: 0 } }).at(-1),
    ).toContain('not about the batch there now');
  });

  it('counts only the calls an earlier upload counted, and says its last row, held back for want of a line end, was read again', () => {
    // the earlier upload: 2 calls, then its last row cut short (no line end), held back in quarantine
    const held = {
      ...quarantined().parts[0],
      object: OBJECT,
      rows: [{ line: 3, reason: 'last row without a line end: ...', raw: 'c3,2026-11-20T10:00:0' }],
    };
    // the grown file: that row again, complete, and one more
    const grown = {
      ...quarantined(),
      parts: [],
      earlier: [held],
      totals: { rows: 2, calls: 2, quarantined: 0, alreadyCounted: 2, readAgain: 1 },
    };
    expect(quarantineText(KEY, grown).slice(1)).toEqual([
      'ingest done: 2 row(s) after the 2 of an earlier upload under this key, counted already (4 in the file): 2 call(s) counted, 0 quarantined; of these, the first 1 row(s), the last of the earlier upload, were held back there for want of a line end (possibly cut short) and read again here',
      `not listed: 1 row(s) in ${OBJECT}, left by the ingest of an earlier upload under this key, about the first 3 row(s) of the batch there now: 2 read by earlier uploads (2 call(s) counted, 0 quarantined), then the last 1 of the upload before, held back for want of a line end (possibly cut short), which this one read again (--json lists them under "earlier")`,
    ]);
  });
});

/** The rows `quarantine show` prints for `body` as ingest quarantines it under `key`. */
async function shownByIngest(key: string, body: string, switches?: string): Promise<string[]> {
  const p = memoryIngestPorts();
  if (switches !== undefined) p.reference.switchConfig = parseSwitchConfig(switches, 'switches.csv');
  p.source.put(TEST_BUCKET, key, body);
  await processBatch(ingestJob(key, body), p);
  const rows = quarantineRows(p.source.quarantine.get(`${TEST_BUCKET}/quarantine/${key}`) ?? '');
  const found = quarantined();
  found.parts[0].rows = rows;
  return quarantineText(key, found)
    .slice(1, -1)
    .map((line) => line.split('\n')[1].trim());
}

describe('quarantine show: ids stay readable, phone numbers do not', () => {
  it("leaves a canonical row's call, customer and trunk ids as written, in the columns its header names", async () => {
    const body =
      'call_id,start_time,duration_s,customer_id,trunk_id,calling_number,called_number,sip_code,source_ip\n' +
      '1795795320.44,1795795320,-5,10023456789,4412345678,2024561111,3015552600,486,203.0.113.99\n' +
      // a row of another width: no telling which field is which, so all of it is masked
      '1795795320.45,1795795320,-5,10023456789,4412345678,2024561111,3015552600,486,203.0.113.99,x\n';
    expect(await shownByIngest('cdr/sbc-east-1/2026/11/27/16.csv', body)).toEqual([
      '1795795320.44,1795795320,-5,10023456789,4412345678,***1111,***2600,486,203.0.113.99',
      '1795795320.45,1795795320,-5,***6789,***5678,***1111,***2600,486,203.0.113.99,x',
    ]);
  });

  it("leaves an Asterisk row's accountcode and uniqueid (whatever its sequence's length) as written", async () => {
    const row = (accountcode: string, billsec: string, uniqueid: string) =>
      `"${accountcode}","2024561111","13015552671","from-trunk","""Acme"" <2024561111>","SIP/acme-voice-0000001f",` +
      `"SIP/carrier-00000020","Dial","SIP/carrier/13015552671,60,tT","2026-11-27 12:00:00","2026-11-27 12:00:04",` +
      `"2026-11-27 12:01:04",64,${billsec},"ANSWERED","DOCUMENTATION","${uniqueid}",""`;
    const shown = await shownByIngest(
      'cdr/pbx-1/2026-11-27/Master.csv',
      `${row('C100', '-1', '1795798800.7')}\n${row('4412345678', 'abc', '1795798800.41')}\n`,
      'switch_id,format,timezone\npbx-1,asterisk,America/New_York\n',
    );
    const masked = (accountcode: string, billsec: string, uniqueid: string) =>
      `"${accountcode}","***1111","***2671","from-trunk","""Acme"" <***1111>","SIP/acme-voice-0000001f",` +
      `"SIP/carrier-00000020","Dial","SIP/carrier/***2671,60,tT","2026-11-27 12:00:00","2026-11-27 12:00:04",` +
      `"2026-11-27 12:01:04",64,${billsec},"ANSWERED","DOCUMENTATION","${uniqueid}",""`;
    expect(shown).toEqual([
      masked('C100', '-1', '1795798800.7'),
      masked('4412345678', 'abc', '1795798800.41'),
    ]);
  });
});
