import { describe, expect, it } from 'vitest';
import { quarantineText } from '../../cli/quarantine-text.ts';
import { OPEN_LAST_ROW } from '../../shared/cdr/batch-parser.ts';
import { parseSwitchConfig } from '../../shared/config/switches.ts';
import { quarantineKeyOf } from '../../shared/ingest/keys.ts';
import { DEFAULT_INGEST_OPTIONS, processBatch } from '../../shared/ingest/process-batch.ts';
import { quarantineRows } from '../../shared/ingest/quarantine-report.ts';
import { aggregatesSnapshot, TEST_BUCKET, versionedIngestPorts } from '../helpers/ingest-ports.ts';

/**
 * A switch's growing day file uploaded while the switch wrote its last row: that row has no line end
 * yet and may be cut short. Ingest holds it back (quarantined, not counted), and the next upload of
 * the grown file under the key reads it again, complete: each call is counted once, with its real
 * values, and every message counts what was counted.
 */
const KEY = 'cdr/sbc-1/grow2/day.csv';
const HEADER = 'call_id,start_time,customer_id,calling_number,called_number,sip_code,duration_s';
const g = (i: number, seconds: number) =>
  `g${i},2026-11-27T18:0${i}:00Z,G1,2024561111,301555260${i},200,${seconds}`;
/** caught as the switch wrote g2, a 187-s call, up to `,1` */
const CUT = `${HEADER}\n${g(1, 125)}\n${g(2, 187).slice(0, -2)}`;
const GROWN = `${HEADER}\n${g(1, 125)}\n${g(2, 187)}\n${g(3, 240)}\n`;

function ports(key = KEY) {
  const { p, putVersion } = versionedIngestPorts();
  return { p, put: (versionId: string, body: string) => putVersion(key, versionId, body) };
}

/** the aggregates of one upload of `body` alone */
async function oneUpload(body: string, key = KEY, configure?: (p: ReturnType<typeof ports>['p']) => void) {
  const { p, put } = ports(key);
  configure?.(p);
  const out = await processBatch(put('only', body), p);
  expect(out).toMatchObject({ status: 'done', quarantined: 0 });
  return aggregatesSnapshot(p.aggregates);
}

/** what `quarantine show` prints of the key, from the manifest and the quarantine objects ingest left */
async function shown(p: ReturnType<typeof ports>['p'], batchId: string, key = KEY) {
  const latest = await p.manifest.get(batchId);
  const object = `${TEST_BUCKET}/${quarantineKeyOf(key, 0)}`;
  const body = p.source.quarantine.get(object);
  const found =
    body === undefined
      ? []
      : [{ part: 0, object: `s3://${object}`, writtenAt: null, rows: quarantineRows(body) }];
  const written = latest?.parts['0'] !== undefined && latest.parts['0'].quarantined > 0;
  return quarantineText(key, {
    batchId,
    ingest: 'done',
    failure: null,
    totals: latest?.totals ?? null,
    parts: written ? found : [],
    earlier: written ? [] : found,
    refused: null,
    repeatOf: null,
  });
}

describe('a last row without a line end, in a file uploaded again as it grows', () => {
  it('is held back, then counted once, with its real values, from the upload that completes it', async () => {
    const { p, put } = ports();
    const first = await processBatch(put('v1', CUT), p);
    // rows = calls + quarantined: the cut row is quarantined, saying why and what brings it in
    expect(first).toMatchObject({ status: 'done', rows: 2, calls: 1, quarantined: 1 });
    const held = quarantineRows(p.source.quarantine.get(`${TEST_BUCKET}/${quarantineKeyOf(KEY, 0)}`) ?? '');
    expect(held).toEqual([{ line: 3, reason: OPEN_LAST_ROW, raw: g(2, 187).slice(0, -2) }]);
    expect(p.log.lines.find((l) => l.level === 'warn')?.message).toMatch(
      /day\.csv \(switch sbc-1\): its last row \(line 3\) has no line end: held back, quarantined, .* the next upload of the grown file under this key reads it again/,
    );
    // the key's next version reads on from the held row
    expect(p.manifest.keys.get(`${TEST_BUCKET}/${KEY}`)?.counted).toMatchObject({
      endRow: 1,
      heldBack: 1,
      calls: 1,
    });

    const second = await processBatch(put('v2', GROWN), p);
    expect(second).toMatchObject({
      status: 'done',
      rows: 2,
      calls: 2,
      quarantined: 0,
      alreadyCounted: 1,
      readAgain: 1,
    });
    // g2 counted once, as the 187-s call it is: the aggregates of one upload of the grown file
    expect(aggregatesSnapshot(p.aggregates)).toEqual(await oneUpload(GROWN));
    const done = p.log.lines.find(
      (l) => l.fields?.batchId === second.batchId && l.message.startsWith('batch done'),
    );
    expect(done?.message).toBe(
      'batch done: it extends the batch counted under this key, whose 1 row(s) it starts with were counted then; the 1 row(s) after them, held back then as the last, without a line end (possibly cut short), were read again here',
    );
    expect(await shown(p, second.batchId ?? '')).toEqual([
      `${KEY}: no row quarantined (every row was usable)`,
      'ingest done: 2 row(s) after the 1 of an earlier upload under this key, counted already (3 in the file): 2 call(s) counted, 0 quarantined; of these, the first 1 row(s), the last of the earlier upload, were held back there for want of a line end (possibly cut short) and read again here',
      `not listed: 1 row(s) in s3://${TEST_BUCKET}/quarantine/${KEY}, left by the ingest of an earlier upload under this key, about the first 2 row(s) of the batch there now: 1 read by earlier uploads (1 call(s) counted, 0 quarantined), then the last 1 of the upload before, held back for want of a line end (possibly cut short), which this one read again (--json lists them under "earlier")`,
    ]);
  });

  it('an Asterisk Master.csv cut inside a quoted field: "counted already" is the 2 calls counted, not the 3 rows read', async () => {
    const KEY_A = 'cdr/pbx-a/grow/Master.csv';
    const row = (n: number) =>
      `"C100","2024561111","1301555300${n}","from-trunk","""A"" <2024561111>","SIP/acme-0000000${n}","SIP/carrier-1","Dial","SIP/carrier,60","2026-11-27 13:0${n}:00","2026-11-27 13:0${n}:05","2026-11-27 13:0${n}:35",35,30,"ANSWERED","DOCUMENTATION","179580246${n}.10${n}",""`;
    const cut = `${row(1)}\n${row(2)}\n${row(3).slice(0, 88)}`;
    const grown = `${[1, 2, 3, 4].map(row).join('\n')}\n`;
    const configure = (q: ReturnType<typeof ports>['p']) => {
      q.reference.switchConfig = parseSwitchConfig(
        'switch_id,format,timezone\npbx-a,asterisk,America/New_York',
        's.csv',
      );
    };
    const { p, put } = ports(KEY_A);
    configure(p);
    expect(await processBatch(put('v1', cut), p)).toMatchObject({ rows: 3, calls: 2, quarantined: 1 });
    const second = await processBatch(put('v2', grown), p);
    expect(second).toMatchObject({ status: 'done', rows: 2, calls: 2, alreadyCounted: 2, readAgain: 1 });
    expect(second).not.toHaveProperty('alreadyQuarantined');
    expect(p.manifest.batches.get(second.batchId ?? '')?.totals).toMatchObject({
      alreadyCounted: 2,
      readAgain: 1,
    });
    expect(aggregatesSnapshot(p.aggregates)).toEqual(await oneUpload(grown, KEY_A, configure));
    const text = await shown(p, second.batchId ?? '', KEY_A);
    expect(text[1]).toMatch(
      /^ingest done: 2 row\(s\) after the 2 of an earlier upload under this key, counted already \(4 in the file\)/,
    );
    expect(text[2]).toContain(
      'about the first 3 row(s) of the batch there now: 2 read by earlier uploads (2 call(s) counted, 0 quarantined), then the last 1 of the upload before',
    );
  });

  it('rows quarantined for good before are told apart from calls counted', async () => {
    const { p, put } = ports();
    const bad = `g9,not-a-time,G1,2024561111,3015552609,200,5`;
    const v1 = `${HEADER}\n${g(1, 125)}\n${bad}\n${g(2, 187).slice(0, -2)}`;
    const v2 = `${HEADER}\n${g(1, 125)}\n${bad}\n${g(2, 187)}\n${g(3, 240)}\n`;
    expect(await processBatch(put('v1', v1), p)).toMatchObject({ rows: 3, calls: 1, quarantined: 2 });
    const second = await processBatch(put('v2', v2), p);
    expect(second).toMatchObject({
      rows: 2,
      calls: 2,
      alreadyCounted: 1,
      alreadyQuarantined: 1,
      readAgain: 1,
    });
    const done = p.log.lines.find(
      (l) => l.fields?.batchId === second.batchId && l.message.startsWith('batch done'),
    );
    expect(done?.message).toContain(
      'whose 2 row(s) it starts with were read then (1 call(s) counted, 1 quarantined); the 1 row(s) after them',
    );
    expect((await shown(p, second.batchId ?? ''))[1]).toBe(
      'ingest done: 2 row(s) after the 2 of an earlier upload under this key, read already (1 call(s) counted, 1 quarantined) (4 in the file): 2 call(s) counted, 0 quarantined; of these, the first 1 row(s), the last of the earlier upload, were held back there for want of a line end (possibly cut short) and read again here',
    );
  });

  it('JSON Lines: a line cut inside its object is read again, complete, from the grown file', async () => {
    const line = (i: number) =>
      `{"call_id":"j${i}","start_time":"2026-11-27T18:0${i}:00Z","customer_id":"J","calling_number":"2024561111","called_number":"301555260${i}","duration_s":${100 + i}}`;
    const key = 'cdr/sbc-1/day.jsonl';
    const { p, put } = ports(key);
    expect(await processBatch(put('v1', `${line(1)}\n${line(2).slice(0, -4)}`), p)).toMatchObject({
      calls: 1,
      quarantined: 1,
    });
    const grown = `${line(1)}\n${line(2)}\n${line(3)}\n`;
    expect(await processBatch(put('v2', grown), p)).toMatchObject({
      rows: 2,
      calls: 2,
      alreadyCounted: 1,
      readAgain: 1,
    });
    expect(aggregatesSnapshot(p.aggregates)).toEqual(await oneUpload(grown, key));
  });

  it('a complete file without a final line end: its last row comes in when it is uploaded again with one, not taken for a repeat of itself', async () => {
    const complete = `${HEADER}\r\n${g(1, 125)}\r\n${g(2, 187)}`;
    const { p, put } = ports();
    expect(await processBatch(put('v1', complete), p)).toMatchObject({ calls: 1, quarantined: 1 });
    const again = await processBatch(put('v2', `${complete}\r\n`), p);
    expect(again).toMatchObject({ status: 'done', rows: 1, calls: 1, alreadyCounted: 1, readAgain: 1 });
    expect(aggregatesSnapshot(p.aggregates)).toEqual(await oneUpload(`${complete}\r\n`));
  });

  it('retried, late or read in parts, every call is counted once', async () => {
    const rows = Array.from(
      { length: 600 },
      (_, i) =>
        `r${i},2026-11-27T18:${String(Math.floor(i / 10)).padStart(2, '0')}:0${i % 10}Z,G${i % 3},20245${String(60000 + i)},3015552600,200,${i % 200}`,
    );
    const cutAt = (n: number) => `${HEADER}\n${rows.slice(0, n - 1).join('\n')}\n${rows[n - 1].slice(0, -1)}`;
    const v1 = cutAt(300);
    const v2 = cutAt(500);
    const v3 = `${HEADER}\n${rows.join('\n')}\n`;
    const whole = await oneUpload(v3);
    // in order, each delivered twice
    {
      const { p, put } = ports();
      for (const [v, body] of [
        ['v1', v1],
        ['v2', v2],
        ['v3', v3],
      ] as const) {
        const job = put(v, body);
        await processBatch(job, p);
        expect((await processBatch(job, p)).status).toBe('duplicate');
      }
      expect(aggregatesSnapshot(p.aggregates)).toEqual(whole);
    }
    // v2 late, after v3: all of it was read with v3, the row it held back complete
    {
      const { p, put } = ports();
      const [j1, j2, j3] = [put('v1', v1), put('v2', v2), put('v3', v3)];
      await processBatch(j1, p);
      expect(await processBatch(j3, p)).toMatchObject({ alreadyCounted: 299, readAgain: 1 });
      expect(await processBatch(j2, p)).toMatchObject({ status: 'done', calls: 0, alreadyCounted: 500 });
      expect(aggregatesSnapshot(p.aggregates)).toEqual(whole);
    }
    // each version read in parts of about 100 rows, a part re-run after a crash
    {
      const { p, put } = ports();
      const options = { ...DEFAULT_INGEST_OPTIONS, checkEveryRows: 50 };
      p.clock.drainPerCheck = 25_000;
      const parts: number[][] = [];
      for (const [v, body] of [
        ['v1', v1],
        ['v2', v2],
        ['v3', v3],
      ] as const) {
        const jobs = [put(v, body)];
        const rows: number[] = [];
        for (let i = 0; i < jobs.length; i++) {
          p.clock.remaining = 100_000;
          const sent = p.queue.sent.length;
          const out = await processBatch(jobs[i], p, options);
          rows.push(out.rows);
          if (i === 1) {
            p.clock.remaining = 100_000;
            await processBatch(jobs[i], p, options);
          }
          jobs.push(...p.queue.sent.slice(sent));
          if (out.status === 'done') break;
        }
        parts.push(rows);
      }
      // v1's second part ends at its held row, its last: a third, final part reads nothing more
      expect(parts).toEqual([[150, 150, 0], [150, 51], [101]]);
      expect(aggregatesSnapshot(p.aggregates)).toEqual(whole);
    }
  });
});
