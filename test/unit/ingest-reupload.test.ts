import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { KEY_WAIT_SECONDS, KEY_WAITS_MAX } from '../../shared/ingest/key-versions.ts';
import { outcomeMetrics } from '../../shared/ingest/outcome-metrics.ts';
import { DEFAULT_INGEST_OPTIONS, processBatch } from '../../shared/ingest/process-batch.ts';
import { aggregatesSnapshot, TEST_BUCKET, versionedIngestPorts } from '../helpers/ingest-ports.ts';
import { cdrBatch, HEADER } from './ingest-cdr-fixtures.ts';

const KEY = 'cdr/sbc-a/2026-11-27/Master.csv';

/** Versioned in-memory ports that put versions of KEY. */
function versionedPorts() {
  const { p, putVersion } = versionedIngestPorts();
  /** puts a version of KEY and returns the job its S3 event makes */
  const put = (versionId: string, body: string | Buffer) => putVersion(KEY, versionId, body);
  return { p, put };
}

/** The ports after one upload of `body` alone: what every test's aggregates must come to. */
async function oneUpload(body: string | Buffer) {
  const { p, put } = versionedPorts();
  await processBatch(put('only', body), p);
  return aggregatesSnapshot(p.aggregates);
}

// a switch's day file as it grows: the first upload, then the same rows and more
const DAY = cdrBatch({
  seed: 11,
  rowsPerWindow: 200,
  customers: ['GOOD', 'ROBO'],
  hours: 2,
  robocallers: ['ROBO'],
});
const ROWS = DAY.trimEnd().split('\n').slice(1);
const EARLY = `${HEADER}\n${ROWS.slice(0, 300).join('\n')}\n`;
const LATER = `${HEADER}\n${ROWS.join('\n')}\n`;

describe('a re-upload under the same key', () => {
  it('that extends the counted batch counts only the rows it adds: the aggregates of one upload of the longer file', async () => {
    const { p, put } = versionedPorts();
    expect(await processBatch(put('v1', EARLY), p)).toMatchObject({ status: 'done', rows: 300 });
    const second = await processBatch(put('v2', LATER), p);
    expect(second).toMatchObject({ status: 'done', rows: ROWS.length - 300, alreadyCounted: 300 });
    expect(aggregatesSnapshot(p.aggregates)).toEqual(await oneUpload(LATER));
    const done = p.log.lines.find(
      (l) => l.fields?.batchId === second.batchId && l.message.startsWith('batch done'),
    );
    expect(done?.message).toMatch(/300 row\(s\) it starts with were counted then/);
    expect(p.manifest.batches.get(second.batchId ?? '')?.totals).toMatchObject({ alreadyCounted: 300 });
  });

  it('compares decoded bytes: a gzipped day file uploaded again, longer, is an extension too', async () => {
    const { p, put } = versionedPorts();
    await processBatch(put('v1', gzipSync(EARLY)), p);
    const second = await processBatch(put('v2', gzipSync(LATER, { level: 1 })), p);
    expect(second).toMatchObject({ status: 'done', alreadyCounted: 300 });
    expect(aggregatesSnapshot(p.aggregates)).toEqual(await oneUpload(LATER));
  });

  it('grows several times: each upload counts only what it adds', async () => {
    const { p, put } = versionedPorts();
    const MIDDLE = `${HEADER}\n${ROWS.slice(0, 500).join('\n')}\n`;
    await processBatch(put('v1', EARLY), p);
    await processBatch(put('v2', MIDDLE), p);
    expect(await processBatch(put('v3', LATER), p)).toMatchObject({ alreadyCounted: 500 });
    expect(aggregatesSnapshot(p.aggregates)).toEqual(await oneUpload(LATER));
  });

  it.each([
    [
      'a changed row',
      `${HEADER}\n${ROWS.slice(0, 300).join('\n').replace('ANSWERED', 'NO_ANSWER')}\n${ROWS[300]}\n`,
    ],
    ['a row taken out', `${HEADER}\n${ROWS.slice(1, 301).join('\n')}\n`],
    [
      'a shorter file with a changed row',
      `${HEADER}\n${ROWS.slice(0, 200).join('\n').replace('ANSWERED', 'NO_ANSWER')}\n`,
    ],
  ])(
    'that changes the counted batch (%s) is refused: nothing counted, the reason in the manifest, the log and a metric',
    async (_, changed) => {
      const { p, put } = versionedPorts();
      await processBatch(put('v1', EARLY), p);
      const before = aggregatesSnapshot(p.aggregates);
      const refused = await processBatch(put('v2', changed), p);
      expect(refused).toMatchObject({ status: 'refused', rows: 0, calls: 0 });
      expect(aggregatesSnapshot(p.aggregates)).toEqual(before);
      // the first line where it parts from the counted batch: which calls to send again
      const [a, b] = [EARLY.split('\n'), changed.split('\n')];
      const line = a.findIndex((text, i) => text !== b[i]) + 1;
      const reason = `replaces a batch already counted under this key and does not extend it; counting it would count its calls twice (the first change is at line ${line}); send the changed or missing calls under a new key`;
      expect(refused.reason).toBe(reason);
      expect(await p.manifest.get(refused.batchId ?? '')).toMatchObject({ status: 'done', refused: reason });
      const warning = p.log.lines.find((l) => l.level === 'warn' && l.fields?.batchId === refused.batchId);
      expect(warning?.message).toContain(reason);
      expect(warning?.fields).toMatchObject({ countedRows: 300, firstChangedLine: line });
      expect(outcomeMetrics(refused)).toContainEqual(['RefusedReuploads', 1]);
      // the key still builds on the counted batch: a later extension of it is counted
      expect(await processBatch(put('v3', LATER), p)).toMatchObject({ status: 'done', alreadyCounted: 300 });
      expect(aggregatesSnapshot(p.aggregates)).toEqual(await oneUpload(LATER));
    },
  );

  it('after a version that counted no call (every row quarantined), a corrected one is counted in full, and extended from there', async () => {
    const { p, put } = versionedPorts();
    const unusable = `${HEADER}\n${ROWS.slice(0, 300)
      .map((r) => r.replace(/,20\d\d-[^,]*,/, ',not-a-time,'))
      .join('\n')}\n`;
    expect(await processBatch(put('v1', unusable), p)).toMatchObject({ calls: 0, quarantined: 300 });
    expect(await processBatch(put('v2', EARLY), p)).toMatchObject({ status: 'done', rows: 300, calls: 300 });
    expect(aggregatesSnapshot(p.aggregates)).toEqual(await oneUpload(EARLY));
    // and the corrected file, grown, is counted from where it ended
    expect(await processBatch(put('v3', LATER), p)).toMatchObject({ status: 'done', alreadyCounted: 300 });
    expect(aggregatesSnapshot(p.aggregates)).toEqual(await oneUpload(LATER));
  });

  it('an earlier upload delivered late (out of order, or redriven), the start of the counted one, counts nothing and is not refused', async () => {
    const { p, put } = versionedPorts();
    const MIDDLE = `${HEADER}\n${ROWS.slice(0, 500).join('\n')}\n`;
    await processBatch(put('v1', EARLY), p);
    const [v2, v3] = [put('v2', MIDDLE), put('v3', LATER)];
    // v3 is counted before v2 arrives
    expect(await processBatch(v3, p)).toMatchObject({ status: 'done', alreadyCounted: 300 });
    const late = await processBatch(v2, p);
    expect(late).toMatchObject({ status: 'done', calls: 0, alreadyCounted: 500 });
    expect(outcomeMetrics(late)).not.toContainEqual(['RefusedReuploads', 1]);
    expect(p.log.lines.filter((l) => l.level === 'warn' && l.fields?.batchId === late.batchId)).toEqual([]);
    expect(aggregatesSnapshot(p.aggregates)).toEqual(await oneUpload(LATER));
    // the key still builds on v3: a longer file extends it
    const LONGER = `${LATER}${cdrBatch({ seed: 12, rowsPerWindow: 5, customers: ['GOOD'], hours: 1 })
      .split('\n')
      .slice(1)
      .join('\n')}`;
    expect(await processBatch(put('v4', LONGER), p)).toMatchObject({
      status: 'done',
      alreadyCounted: ROWS.length,
    });
  });

  it('the same new version delivered twice, at once and again later, is counted once', async () => {
    const { p, put } = versionedPorts();
    await processBatch(put('v1', EARLY), p);
    const job = put('v2', LATER);
    const both = await Promise.all([processBatch(job, p), processBatch(job, p)]);
    expect(both.map((o) => o.status)).toEqual(['done', 'done']);
    expect((await processBatch(job, p)).status).toBe('duplicate');
    expect(aggregatesSnapshot(p.aggregates)).toEqual(await oneUpload(LATER));
  });

  it('two versions arriving together: the later is sent back to wait for the one counting, then counts only what it adds', async () => {
    const { p, put } = versionedPorts();
    const MIDDLE = `${HEADER}\n${ROWS.slice(0, 500).join('\n')}\n`;
    await processBatch(put('v1', EARLY), p);
    const [v2, v3] = [put('v2', MIDDLE), put('v3', LATER)];
    // no failure (a failed message waits out the queue's 30 minutes and counts toward its dead letter)
    const outcomes = await Promise.all([processBatch(v2, p), processBatch(v3, p)]);
    expect(outcomes.map((o) => o.status)).toEqual(['done', 'waiting']);
    expect(p.queue.later).toEqual([{ job: { ...v3, waits: 1 }, delaySeconds: KEY_WAIT_SECONDS }]);
    expect(
      p.log.lines.some((l) => /batch waits: .*being counted.*starts again in 60 s/.test(l.message)),
    ).toBe(true);
    // the job sent back comes after v2 finished
    expect(await processBatch(p.queue.later[0].job, p)).toMatchObject({
      status: 'done',
      alreadyCounted: 500,
    });
    expect(aggregatesSnapshot(p.aggregates)).toEqual(await oneUpload(LATER));
  });

  it('a version that has waited an hour for its key fails, to be retried and in the end dead-lettered', async () => {
    const { p, put } = versionedPorts();
    await processBatch(put('v1', EARLY), p);
    const v2 = put('v2', LATER);
    // the key held by a version that never finishes
    const item = p.manifest.keys.get(`${TEST_BUCKET}/${KEY}`);
    if (!item) throw new Error('v1 left no key item');
    item.claim = { batchId: 'stuck-version', base: item.counted };
    expect((await processBatch(v2, p)).status).toBe('waiting');
    await expect(processBatch({ ...v2, waits: KEY_WAITS_MAX }, p)).rejects.toThrow(
      /being counted \(stuck-version\), and has been for over 60 min/,
    );
    expect(p.queue.later.map((l) => l.job.waits)).toEqual([1]);
  });

  it('a long extension read in several parts, one of them re-run after a crash, adds up to one upload', async () => {
    const { p, put } = versionedPorts();
    await processBatch(put('v1', EARLY), p);
    // a budget that drains at every check: each part ends after about 500 rows
    const options = { ...DEFAULT_INGEST_OPTIONS, timeMarginMs: 60_000, checkEveryRows: 100 };
    p.clock.drainPerCheck = 50_000;
    const job = put('v2', LATER);
    const outcomes = [];
    p.clock.remaining = 100_000;
    outcomes.push(await processBatch(job, p, options));
    expect(outcomes[0]).toMatchObject({ status: 'continued', alreadyCounted: 300 });
    expect(p.queue.sent[0].skipRows).toBe(300 + outcomes[0].rows);
    // the first continuation crashes after its merges, before sending the next: its redelivery repeats it
    let sends = 0;
    const send = p.queue.sendContinuation.bind(p.queue);
    p.queue.sendContinuation = async (c) => {
      if (sends++ === 0) throw new Error('SQS unavailable (injected)');
      return send(c);
    };
    for (let i = 0; i < p.queue.sent.length; i++) {
      p.clock.remaining = 100_000;
      const next = p.queue.sent[i];
      const out = await processBatch(next, p, options).catch(() => processBatch(next, p, options));
      outcomes.push(out);
      if (outcomes.length > 40) throw new Error('continuations do not end');
    }
    expect(outcomes.length).toBeGreaterThan(2);
    expect(outcomes.at(-1)?.status).toBe('done');
    expect(outcomes.reduce((s, o) => s + o.rows, 0)).toBe(ROWS.length - 300);
    expect(aggregatesSnapshot(p.aggregates)).toEqual(await oneUpload(LATER));
    // the key now builds on the whole longer file
    expect(p.manifest.keys.get(`${TEST_BUCKET}/${KEY}`)?.counted).toMatchObject({
      endRow: ROWS.length,
      bytes: Buffer.byteLength(LATER),
    });
  });
});
