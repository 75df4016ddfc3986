import { describe, expect, it } from 'vitest';
import { scoreCustomerWindows } from '../../shared/detect/analysis.ts';
import { severityRank } from '../../shared/detect/finding.ts';
import { windowToJson } from '../../shared/detect/window.ts';
import { MemoryWorkQueue } from '../../shared/ingest/memory-io.ts';
import { DEFAULT_INGEST_OPTIONS, processBatch } from '../../shared/ingest/process-batch.ts';
import { processMessage } from '../../shared/ingest/process-message.ts';
import { aggregatesSnapshot, ingestJob, memoryIngestPorts, TEST_BUCKET } from '../helpers/ingest-ports.ts';
import { cdrBatch, HEADER, HOUR0, smallRobocallHour } from './ingest-cdr-fixtures.ts';

const BUCKET = TEST_BUCKET;

function s3Event(key: string, size: number, eventName = 'ObjectCreated:Put'): string {
  return JSON.stringify({
    Records: [
      {
        eventName,
        s3: { bucket: { name: BUCKET }, object: { key, size, eTag: '"abc"', versionId: 'v9' } },
      },
    ],
  });
}

/** Runs an object's first part, then every continuation it sends, each with a fresh time budget. */
async function allParts(
  p: ReturnType<typeof memoryIngestPorts>,
  key: string,
  body: string,
  options: typeof DEFAULT_INGEST_OPTIONS,
) {
  const outcomes = [await processBatch(ingestJob(key, body), p, options)];
  while (p.queue.sent.length > outcomes.length - 1) {
    const next = p.queue.sent[outcomes.length - 1];
    p.clock.remaining = 100_000;
    outcomes.push(await processBatch(next, p, options));
    if (outcomes.length > 40) throw new Error('continuations do not end');
  }
  return outcomes;
}

/**
 * The batch ingested once in one part, and again in as many parts as `options` make (every
 * continuation followed): the parts' outcomes and both runs' aggregates, to compare.
 */
async function partsBesideOneRun(key: string, body: string, options: typeof DEFAULT_INGEST_OPTIONS) {
  const clean = memoryIngestPorts();
  clean.source.put(BUCKET, key, body);
  await processBatch(ingestJob(key, body), clean);
  const parted = memoryIngestPorts();
  parted.source.put(BUCKET, key, body);
  const outcomes = await allParts(parted, key, body, options);
  return {
    outcomes,
    parted: aggregatesSnapshot(parted.aggregates),
    clean: aggregatesSnapshot(clean.aggregates),
  };
}

const ROBO_BATCH = cdrBatch({
  seed: 7,
  rowsPerWindow: 300,
  customers: ['GOOD', 'ROBO'],
  hours: 2,
  robocallers: ['ROBO'],
  badRows: 3,
});

/** 4 customers on 40 trunks each, 2 hours: few customer-hours, many trunk-hour windows */
const WIDE_BATCH = cdrBatch({
  seed: 12,
  rowsPerWindow: 200,
  customers: ['C1', 'C2', 'C3', 'C4'],
  hours: 2,
  trunks: 40,
});

/** Fresh in-memory ports that ingested each (key, body) batch, one after the other in this order. */
async function ingestInOrder(order: Array<[string, string]>) {
  const p = memoryIngestPorts();
  for (const [key, body] of order) {
    p.source.put(BUCKET, key, body);
    await processBatch(ingestJob(key, body), p);
  }
  return p;
}

describe('processBatch: keys and messages', () => {
  it('decodes URL-encoded keys from S3 events and takes switch_id from the first segment after cdr/', async () => {
    // Prepare
    const p = memoryIngestPorts();
    const key = 'cdr/sbc.east/2026/11/27 16:00 ü.csv';
    p.source.put(BUCKET, key, ROBO_BATCH);
    // Act
    const [out] = await processMessage(s3Event('cdr/sbc.east/2026/11/27+16%3A00+%C3%BC.csv', 10), p);
    // Assess
    expect(out.status).toBe('done');
    expect(out.batchId).toBe(`${BUCKET}/${key}#v9`);
    const hourIndex = p.manifest.hours.get('2026-11-27T16');
    expect([...(hourIndex?.keys() ?? [])]).toEqual([`sbc.east#${BUCKET}/${key}#v9`]);
  });

  it('ignores keys outside cdr/, the s3:TestEvent and non-ObjectCreated events, without touching the stores', async () => {
    const p = memoryIngestPorts();
    p.source.put(BUCKET, 'reference/dno.txt', '+12025550143\n');
    const outside = await processMessage(s3Event('reference/dno.txt', 13), p);
    const noSwitch = await processMessage(s3Event('cdr/loose-file.csv', 13), p);
    const test = await processMessage(
      JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: BUCKET }),
      p,
    );
    const removed = await processMessage(s3Event('cdr/a/b.csv', 0, 'ObjectRemoved:Delete'), p);
    expect(outside.map((o) => o.status)).toEqual(['skipped']);
    expect(noSwitch.map((o) => o.status)).toEqual(['skipped']);
    expect(test).toEqual([]);
    expect(removed).toEqual([]);
    expect(p.manifest.batches.size).toBe(0);
    expect(p.aggregates.items.size).toBe(0);
  });

  it("takes a key whose switch segment is no switch id (cdr/../) for no batch: skipped and said, never a switch '..'", async () => {
    const p = memoryIngestPorts();
    for (const key of ['cdr/../etc/x.csv', 'cdr/./x.csv', 'cdr/sbc east/x.csv']) {
      p.source.put(BUCKET, key, ROBO_BATCH);
      const out = await processBatch(ingestJob(key, ROBO_BATCH), p);
      expect(out).toMatchObject({ status: 'skipped', reason: expect.stringContaining('is not one') });
    }
    expect(p.log.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      "object is not a CDR batch (expected cdr/<switch_id>/...): switch id '..' in the key is not one (letters, digits, '.', '_' or '-', starting with a letter or digit (at most 64)); ignored",
      "object is not a CDR batch (expected cdr/<switch_id>/...): switch id '.' in the key is not one (letters, digits, '.', '_' or '-', starting with a letter or digit (at most 64)); ignored",
      "object is not a CDR batch (expected cdr/<switch_id>/...): switch id 'sbc east' in the key is not one (letters, digits, '.', '_' or '-', starting with a letter or digit (at most 64)); ignored",
    ]);
    expect(p.manifest.batches.size).toBe(0);
    expect(p.aggregates.items.size).toBe(0);
  });

  it('records a zero-byte object in the manifest as empty and reads nothing', async () => {
    const p = memoryIngestPorts();
    p.source.put(BUCKET, 'cdr/sbc1/empty.csv', '');
    const [out] = await processMessage(s3Event('cdr/sbc1/empty.csv', 0), p);
    expect(out.status).toBe('empty');
    const item = p.manifest.batches.get(`${BUCKET}/cdr/sbc1/empty.csv#v9`);
    expect(item?.status).toBe('done');
    expect(item?.totals).toMatchObject({ rows: 0, format: 'empty' });
    expect(p.source.opens).toBe(0);
    // done, but said: a broken export job writes empty files
    expect(p.log.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      `s3://${BUCKET}/cdr/sbc1/empty.csv (switch sbc1): no rows: empty file (if the switch had calls, check its CDR export)`,
    ]);
  });

  it('ingests a header-only batch, or one of blank lines or spaces only, and warns that it has no rows', async () => {
    const p = memoryIngestPorts();
    for (const [key, body] of [
      ['cdr/sbc1/hdr.csv', `${HEADER}\n`],
      ['cdr/sbc1/blank.csv', '\n\n'],
      // padding of spaces and tabs, as some export jobs write for an hour without calls
      ['cdr/sbc1/spaces.csv', '   \r\n\t\n  '],
      // and before a header: skipped, the batch read as it would be without it
      ['cdr/sbc1/padded.csv', ` \n${HEADER}\n`],
    ]) {
      p.source.put(BUCKET, key, body);
      expect((await processBatch(ingestJob(key, body), p)).status).toBe('done');
    }
    expect(p.log.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      `s3://${BUCKET}/cdr/sbc1/hdr.csv (switch sbc1): header only, no rows (if the switch had calls, check its CDR export)`,
      `s3://${BUCKET}/cdr/sbc1/blank.csv (switch sbc1): no rows: empty file (if the switch had calls, check its CDR export)`,
      `s3://${BUCKET}/cdr/sbc1/spaces.csv (switch sbc1): no rows: empty file (if the switch had calls, check its CDR export)`,
      `s3://${BUCKET}/cdr/sbc1/padded.csv (switch sbc1): header only, no rows (if the switch had calls, check its CDR export)`,
    ]);
    // a batch with rows is not warned about
    const rows = memoryIngestPorts();
    rows.source.put(BUCKET, 'cdr/sbc1/ok.csv', ROBO_BATCH);
    await processBatch(ingestJob('cdr/sbc1/ok.csv', ROBO_BATCH), rows);
    expect(rows.log.lines.some((l) => l.message.includes('no rows'))).toBe(false);
  });

  it('records in the manifest why a batch cannot be read at all, and forgets it once a delivery reads it', async () => {
    const p = memoryIngestPorts();
    const key = 'cdr/sbc1/binary.csv';
    const binary = '\u007fELF\u0000\u0000\u0000\u0000\u0001\n';
    p.source.put(BUCKET, key, binary);
    await expect(processBatch(ingestJob(key, binary), p)).rejects.toThrow(/not a text file/);
    const [item] = p.manifest.batches.values();
    expect(await p.manifest.get(item.batchId)).toMatchObject({
      status: 'processing',
      failure: expect.stringMatching(/^s3:\/\/.*binary\.csv: not a text file \(binary data/),
      totals: null,
    });
    await p.manifest.finish(item.batchId, {
      rows: 1,
      calls: 1,
      quarantined: 0,
      firstMs: null,
      lastMs: null,
      format: 'canonical',
    });
    expect(await p.manifest.get(item.batchId)).toMatchObject({
      status: 'done',
      failure: null,
      totals: { rows: 1, calls: 1, quarantined: 0 },
    });
  });

  it('rejects a malformed message with a message saying what and where', async () => {
    const p = memoryIngestPorts();
    await expect(
      processMessage('{"Records":[{"eventName":"ObjectCreated:Put","s3":{}}]}', p),
    ).rejects.toThrow(/S3 event notification: Records\.0\.s3\.bucket/);
    await expect(processMessage('not json', p)).rejects.toThrow(/not JSON/);
    await expect(processMessage('{"continuation":{"bucket":"b"}}', p)).rejects.toThrow(
      /continuation message: continuation\.key/,
    );
  });
});

describe('processBatch: rows, quarantine, aggregates', () => {
  it('every row is either aggregated or quarantined, with line numbers and reasons in quarantine/<key>', async () => {
    const p = memoryIngestPorts();
    const key = 'cdr/sbc1/2026/11/27/16.csv';
    const body =
      `${HEADER}\n` +
      `ok-1,2026-11-27T16:01:00Z,,,0,C1,T1,+12025550143,+13125550199,486,NO_ANSWER,A\n` +
      `bad-1,yesterday,,,0,C1,T1,+12025550143,+13125550199,486,NO_ANSWER,A\n` +
      `ok-2,2026-11-27T16:02:00Z,2026-11-27T16:02:05Z,,40,C1,T2,+12025550143,+13125550100,200,ANSWERED,A\n` +
      `bad-2,2026-11-27T16:03:00Z,,,0,,T1,+12025550143,+13125550199,486,NO_ANSWER,A\n`;
    p.source.put(BUCKET, key, body);
    const out = await processBatch(ingestJob(key, body), p);
    expect(out).toMatchObject({ status: 'done', rows: 4, calls: 2, quarantined: 2 });
    const q = p.source.quarantine.get(`${BUCKET}/quarantine/${key}`);
    const lines = (q ?? '')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.line)).toEqual([3, 5]);
    expect(lines[0].reason).toMatch(/start_time/);
    expect(lines[1].reason).toMatch(/customer_id/);
    expect(lines[0].raw).toContain('bad-1');
    expect(p.source.objects.get(`${BUCKET}/${key}`)?.toString()).toBe(body); // the original is untouched
    const hour = await p.aggregates.hour('C1', HOUR0);
    expect(hour?.window.attempts).toBe(2);
    expect(hour?.trunkCalls).toEqual({ T1: 1, T2: 1 });
    const trunk = await p.aggregates.read('C1', 'T#T2#H#2026-11-27T16:00:00Z');
    expect(trunk?.window.answered).toBe(1);
    expect(p.manifest.batches.get(out.batchId ?? '')?.totals).toMatchObject({
      rows: 4,
      calls: 2,
      quarantined: 2,
      format: 'canonical',
    });
  });

  it('writes no quarantine object when every row is good', async () => {
    const p = memoryIngestPorts();
    const body = cdrBatch({ seed: 1, rowsPerWindow: 20, customers: ['A'], hours: 1 });
    p.source.put(BUCKET, 'cdr/s/x.csv', body);
    const out = await processBatch(ingestJob('cdr/s/x.csv', body), p);
    expect(out.quarantined).toBe(0);
    expect(p.source.quarantine.size).toBe(0);
  });

  it('counts rows in = aggregated + quarantined over a larger batch, and merges one window per customer-hour-trunk', async () => {
    const p = memoryIngestPorts();
    p.source.put(BUCKET, 'cdr/s/robo.csv', ROBO_BATCH);
    const out = await processBatch(ingestJob('cdr/s/robo.csv', ROBO_BATCH), p);
    expect(out.rows).toBe(2 * 2 * 300 + 3);
    expect(out.calls + out.quarantined).toBe(out.rows);
    expect(out.quarantined).toBe(3);
    let attempts = 0;
    for (const c of ['GOOD', 'ROBO'])
      for (let h = 0; h < 2; h++)
        attempts += (await p.aggregates.hour(c, HOUR0 + h * 3_600_000))?.window.attempts ?? 0;
    expect(attempts).toBe(out.calls);
    // 2 customers x 2 hours, each with a customer-hour and two trunk-hour windows
    expect(out.windowsMerged).toBe(12);
    expect(p.aggregates.commits).toBe(12);
  });

  it('a redelivered batch changes nothing and publishes nothing again', async () => {
    const p = memoryIngestPorts();
    p.source.put(BUCKET, 'cdr/s/robo.csv', ROBO_BATCH);
    await processBatch(ingestJob('cdr/s/robo.csv', ROBO_BATCH), p);
    const before = aggregatesSnapshot(p.aggregates);
    const published = p.events.published.length;
    // the manifest says done: a cheap skip
    expect((await processBatch(ingestJob('cdr/s/robo.csv', ROBO_BATCH), p)).status).toBe('duplicate');
    // even without the manifest's help (its items lost), markers keep the merge exactly once
    p.manifest.batches.clear();
    p.manifest.keys.clear();
    const again = await processBatch(ingestJob('cdr/s/robo.csv', ROBO_BATCH), p);
    expect(again).toMatchObject({ status: 'done', windowsMerged: 0, windowsAlreadyApplied: 12 });
    expect(aggregatesSnapshot(p.aggregates)).toEqual(before);
    expect(p.events.published.length).toBe(published);
  });

  it('a delivery that read the manifest before another delivery of its batch finished it counts nothing, and leaves its totals', async () => {
    const p = memoryIngestPorts();
    p.source.put(BUCKET, 'cdr/s/robo.csv', ROBO_BATCH);
    const job = ingestJob('cdr/s/robo.csv', ROBO_BATCH);
    const done = await processBatch(job, p);
    const before = aggregatesSnapshot(p.aggregates);
    const get = p.manifest.get.bind(p.manifest);
    const totals = (await get(done.batchId as string))?.totals;
    expect(totals).toMatchObject({ rows: done.rows, calls: done.calls });
    // the second delivery (the sweep's re-send) read the manifest before the first one began
    let first = true;
    p.manifest.get = async (id) => {
      if (!first) return get(id);
      first = false;
      return null;
    };
    const second = await processBatch(job, p);
    expect(second.status).toBe('duplicate');
    expect((await get(done.batchId as string))?.totals).toEqual(totals);
    expect(aggregatesSnapshot(p.aggregates)).toEqual(before);
    // the key is free for the next version
    expect(p.manifest.keys.get(`${BUCKET}/cdr/s/robo.csv`)?.claim).toBeNull();
  });

  it('the same bytes under another key are a repeat: counted once, by the batch that came first', async () => {
    const once = await ingestInOrder([['cdr/s/robo.csv', ROBO_BATCH]]);
    const p = await ingestInOrder([['cdr/s/robo.csv', ROBO_BATCH]]);
    const published = p.events.published.length;
    // a copy under another name, and a re-send by another switch
    for (const key of ['cdr/s/copy-of-robo.csv', 'cdr/s2/robo.csv']) {
      p.source.put(BUCKET, key, ROBO_BATCH);
      const repeat = await processBatch(ingestJob(key, ROBO_BATCH), p);
      expect(repeat).toMatchObject({
        status: 'duplicate',
        calls: 0,
        reason: expect.stringMatching(/repeats the bytes of .*robo\.csv/),
      });
    }
    expect(aggregatesSnapshot(p.aggregates)).toEqual(aggregatesSnapshot(once.aggregates));
    expect(p.events.published.length).toBe(published);
    // the first batch redelivered is still its own: the claim is its
    p.manifest.batches.clear();
    p.manifest.keys.clear();
    expect((await processBatch(ingestJob('cdr/s/robo.csv', ROBO_BATCH), p)).status).toBe('done');
    expect(aggregatesSnapshot(p.aggregates)).toEqual(aggregatesSnapshot(once.aggregates));
  });

  it('the same lines gzipped, with a BOM, other line ends or no final one are a repeat too, recorded with the batch they repeat', async () => {
    const { gzipSync } = await import('node:zlib');
    const once = await ingestInOrder([['cdr/s/robo.csv', ROBO_BATCH]]);
    const p = await ingestInOrder([['cdr/s/robo.csv', ROBO_BATCH]]);
    const published = p.events.published.length;
    const crlf = ROBO_BATCH.replaceAll('\n', '\r\n');
    for (const [key, body] of [
      ['cdr/s/robo.csv.gz', gzipSync(ROBO_BATCH)],
      ['cdr/s/robo-crlf.csv', crlf],
      ['cdr/s2/robo-crlf.csv.gz', gzipSync(crlf)],
      ['cdr/s/robo-bom.csv', `\ufeff${ROBO_BATCH}`],
      ['cdr/s/robo-no-final-lf.csv', ROBO_BATCH.replace(/\n$/, '')],
      ['cdr/s/robo-mac.csv', ROBO_BATCH.replaceAll('\n', '\r')],
      ['cdr/s/robo-crcrlf.csv', ROBO_BATCH.replaceAll('\n', '\r\r\n')],
      ['cdr/s/robo-blank-end.csv', `${ROBO_BATCH}\n\n`],
      ['cdr/s2/robo-bom-mac', gzipSync(`\ufeff${ROBO_BATCH.replaceAll('\n', '\r').slice(0, -1)}`)],
    ] as const) {
      p.source.put(BUCKET, key, body);
      const repeat = await processBatch(ingestJob(key, body), p);
      expect(repeat).toMatchObject({
        status: 'duplicate',
        calls: 0,
        reason: expect.stringMatching(/repeats the calls of .*cdr\/s\/robo\.csv#/),
      });
      const item = await p.manifest.get(repeat.batchId as string);
      expect(item).toMatchObject({ status: 'done', repeatOf: expect.stringContaining('cdr/s/robo.csv#') });
    }
    expect(aggregatesSnapshot(p.aggregates)).toEqual(aggregatesSnapshot(once.aggregates));
    expect(p.events.published.length).toBe(published);
    // the same calls written otherwise: JSON Lines, the columns in another order, the rows reversed
    const [head, ...rows] = ROBO_BATCH.trimEnd().split('\n');
    const columns = head.split(',');
    const records = rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [columns[i], v])));
    const order = [...columns].reverse();
    for (const [key, body] of [
      ['cdr/s3/robo.jsonl', `${records.map((r) => JSON.stringify(r)).join('\n')}\n`],
      [
        'cdr/s3/robo-reordered.csv',
        `${order.join(',')}\n${records
          .reverse()
          .map((r) => order.map((c) => r[c]).join(','))
          .join('\n')}\n`,
      ],
    ] as const) {
      p.source.put(BUCKET, key, body);
      const repeat = await processBatch(ingestJob(key, body), p);
      expect(repeat, key).toMatchObject({ status: 'duplicate', calls: 0 });
      expect(await p.manifest.get(repeat.batchId as string)).toMatchObject({
        repeatOf: expect.stringContaining('cdr/s/robo.csv#'),
      });
    }
    expect(aggregatesSnapshot(p.aggregates)).toEqual(aggregatesSnapshot(once.aggregates));
    // one call fewer is other calls: counted
    const fewer = `${head}\n${rows.slice(1).join('\n')}\n`;
    p.source.put(BUCKET, 'cdr/s3/robo-fewer.csv', fewer);
    expect((await processBatch(ingestJob('cdr/s3/robo-fewer.csv', fewer), p)).status).toBe('done');
    // a bare CR inside a line (of a batch with LF line ends) is not a line end: that batch holds other
    // rows, and is counted
    const other = ROBO_BATCH.replace(/\n([^,\n]+),/, '\n$1\r2,');
    p.source.put(BUCKET, 'cdr/s/other.csv', other);
    expect((await processBatch(ingestJob('cdr/s/other.csv', other), p)).status).not.toBe('duplicate');
  });

  // the tester's two calls, alike but for call ids and customers changed alike (.653/.657, C113/C117)
  const PAIR_HEADER = 'call_id,start_time,duration_s,customer_id,calling_number,called_number,sip_code';
  const PAIR = [
    '1795795293.653,2026-11-27T16:00:00Z,0,C113,2024561111,3015552671,480',
    '1795795293.657,2026-11-27T16:00:00Z,0,C117,2024561111,3015552671,480',
  ];

  it('a batch of other calls is no repeat, however alike their ids are changed', async () => {
    const p = await ingestInOrder([['cdr/s/first.csv', `${PAIR_HEADER}\n${PAIR[0]}\n`]]);
    const second = `${PAIR_HEADER}\n${PAIR[1]}\n`;
    p.source.put(BUCKET, 'cdr/s/second.csv', second);
    expect(await processBatch(ingestJob('cdr/s/second.csv', second), p)).toMatchObject({
      status: 'done',
      calls: 1,
    });
  });

  it('the same bytes or lines are a repeat of a batch whose calls were claimed under an earlier version of the calls key', async () => {
    const first = `${PAIR_HEADER}\n${PAIR.join('\n')}\n`;
    const p = await ingestInOrder([['cdr/s/first.csv', first]]);
    // the claims a batch counted before this version left: its bytes', its lines', and its calls' under
    // the key of the earlier words (`calls:`), which no batch's calls are compared with any more
    const [[batchId]] = [...p.manifest.batches.entries()];
    const calls = [...p.manifest.contents.keys()].filter((k) => k.startsWith('calls'));
    expect(calls).toEqual([expect.stringMatching(/^calls2:[0-9a-f]{32}#2$/)]);
    p.manifest.contents.delete(calls[0]);
    p.manifest.contents.set('calls:0123456789abcdef0123456789abcdef#2', batchId);
    const { gzipSync } = await import('node:zlib');
    for (const [key, body] of [
      ['cdr/s/copy.csv', first],
      ['cdr/s/copy.csv.gz', gzipSync(first)],
      ['cdr/s/copy-crlf.csv', first.replaceAll('\n', '\r\n')],
    ] as const) {
      p.source.put(BUCKET, key, body);
      expect(await processBatch(ingestJob(key, body), p), key).toMatchObject({
        status: 'duplicate',
        calls: 0,
        reason: expect.stringContaining(batchId),
      });
    }
  });
});

describe('processBatch: findings', () => {
  it('publishes a finding with batch context and example calls, attributes by severity, phone numbers never logged', async () => {
    const p = memoryIngestPorts();
    p.source.put(BUCKET, 'cdr/sbc9/robo.csv', ROBO_BATCH);
    await processBatch(ingestJob('cdr/sbc9/robo.csv', ROBO_BATCH), p);
    const robo = p.events.published.filter((e) => e.customer_id === 'ROBO');
    expect(robo.length).toBe(2); // one per robocalling hour
    const e = robo[0];
    expect(e).toMatchObject({ type: 'finding', batch: 'cdr/sbc9/robo.csv', switch_id: 'sbc9' });
    expect(e.example_calls.length).toBe(5);
    expect(e.reasons.map((r) => r.code)).toContain('SHORT_CALL_RATIO');
    expect(p.events.published.some((f) => f.customer_id === 'GOOD')).toBe(false);
    const stored = await p.aggregates.hour('ROBO', HOUR0);
    expect(stored?.sev).toBe(severityRank(e.severity));
    expect(JSON.stringify(p.log.lines)).not.toMatch(/\+1\d{10}/);
  });

  it('publishes again only when a later batch raises the window to a higher severity', async () => {
    // Prepare: a customer with clean traffic, then calls from a Do-Not-Originate number
    const p = memoryIngestPorts();
    p.reference.dno.add('+12029870143');
    const dnoRows = (prefix: string, minute: number) =>
      `${HEADER}\n${[0, 1]
        .map(
          (i) =>
            `${prefix}-${i},2026-11-27T16:${minute + i}:00Z,,,0,M,T1,+12029870143,+1312555010${i},486,NO_ANSWER,A`,
        )
        .join('\n')}\n`;
    const bodies = [
      cdrBatch({ seed: 3, rowsPerWindow: 200, customers: ['M'], hours: 1 }),
      dnoRows('dno', 10),
      dnoRows('dnox', 20),
      cdrBatch({
        seed: 5,
        rowsPerWindow: 300,
        customers: ['M'],
        hours: 1,
        robocallers: ['M'],
        idPrefix: 'r',
      }),
    ];
    const severities: string[][] = [];
    // Act
    for (const [i, body] of bodies.entries()) {
      p.source.put(BUCKET, `cdr/s/${i}.csv`, body);
      await processBatch(ingestJob(`cdr/s/${i}.csv`, body), p);
      severities.push(p.events.published.map((e) => e.severity));
    }
    // Assess: clean -> nothing; DNO -> high; more of the same -> still high, no new alert; a flood -> critical
    expect(severities).toEqual([[], ['high'], ['high'], ['high', 'critical']]);
    expect(p.events.published[0].reasons.map((r) => r.code)).toEqual(['DNO_CALLING_NUMBER']);
    expect((await p.aggregates.hour('M', HOUR0))?.sev).toBe(4);
    // a redelivery of the last batch (manifest lost) publishes nothing more
    p.manifest.batches.clear();
    await processBatch(ingestJob('cdr/s/3.csv', bodies[3]), p);
    expect(p.events.published.length).toBe(2);
  });

  it('a robocaller under every hourly gate: ingest judges its hours only, and notes its day for the day review', async () => {
    // Prepare: three batches of one hour each, 80 robocalls per hour
    const p = memoryIngestPorts();
    const bodies = [0, 1, 2].map((h) => smallRobocallHour(HOUR0 + h * 3_600_000, `h${h}-`));
    // Act
    for (const [i, body] of bodies.entries()) {
      p.source.put(BUCKET, `cdr/s/${i}.csv`, body);
      await processBatch(ingestJob(`cdr/s/${i}.csv`, body), p);
    }
    // Assess: no hour passes a gate, and the day is left to the review (review-days tests)
    expect(p.events.published).toEqual([]);
    expect(p.aggregates.days.size).toBe(0);
    const day = Date.UTC(2026, 10, 27);
    expect((await p.aggregates.touchedDays()).map((d) => d.dayMs)).toEqual([day]);
    expect((await p.aggregates.touchedCustomers(day)).map((c) => c.customerId)).toEqual(['SMALL']);
  });

  it('a batch of earlier hours arriving late re-judges the later hours it is history for', async () => {
    // Prepare: three quiet hours (the volume baseline), then an hour of ten times the calls
    const quiet = cdrBatch({ seed: 11, rowsPerWindow: 30, customers: ['V'], hours: 3 });
    const burst = cdrBatch({
      seed: 12,
      rowsPerWindow: 300,
      customers: ['V'],
      hours: 1,
      startHourMs: HOUR0 + 3 * 3_600_000,
      idPrefix: 'b',
    });
    // Act: in time order, and with the burst's batch first (its hour judged with no history yet)
    const inOrder = await ingestInOrder([
      ['cdr/s/quiet.csv', quiet],
      ['cdr/s/burst.csv', burst],
    ]);
    const late = await ingestInOrder([
      ['cdr/s/burst.csv', burst],
      ['cdr/s/quiet.csv', quiet],
    ]);
    // Assess: the same verdict for the burst hour either way; late, it comes with the batch that
    // completed its history, which holds none of its calls
    const spike = (e: { reasons: Array<{ code: string }> }) =>
      e.reasons.some((r) => r.code === 'VOLUME_SPIKE');
    const burstHour = new Date(HOUR0 + 3 * 3_600_000).toISOString().replace('.000Z', 'Z');
    const verdict = (p: Awaited<ReturnType<typeof ingestInOrder>>) =>
      p.events.published.filter((e) => e.window_start === burstHour && spike(e));
    expect(verdict(inOrder)).toHaveLength(1);
    expect(verdict(inOrder)[0].batch).toBe('cdr/s/burst.csv');
    expect(verdict(late)).toHaveLength(1);
    expect(verdict(late)[0]).toMatchObject({
      batch: 'cdr/s/quiet.csv',
      example_calls: [],
      severity: verdict(inOrder)[0].severity,
      score: verdict(inOrder)[0].score,
    });
    expect((await late.aggregates.hour('V', HOUR0 + 3 * 3_600_000))?.sev).toBe(
      severityRank(verdict(inOrder)[0].severity),
    );
    // judged again by a redelivery of the quiet batch, it is not published twice
    late.manifest.batches.clear();
    const before = late.events.published.length;
    await processBatch(ingestJob('cdr/s/quiet.csv', quiet), late);
    expect(late.events.published.length).toBe(before);
  });

  it('in any arrival order, every hour is published at least at the severity its whole day gives it', async () => {
    // Prepare: six hours from two switches, each carrying half of every customer's calls: a customer
    // whose fifth hour is ten times its first four (a volume spike), a robocaller from the third hour
    // (reasons hours running), and a well-behaved customer. The plain customers call from one valid
    // number each, answered four calls in five, a minute or more.
    const plainRows = (customer: string, calling: string, h: number, sw: number, n: number) =>
      Array.from({ length: n }, (_, i) => {
        const t = HOUR0 + h * 3_600_000 + Math.floor(((i * 2 + sw) * 3_599_000) / (2 * n));
        const answered = i % 5 !== 0;
        const dur = answered ? 60 + ((i * 37) % 300) : 0;
        const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
        const called = `+131224${String(10_000 + ((h * 2 + sw) * 1000 + i) * 7).slice(-5)}`;
        return `${customer}${sw}-${h}-${i},${iso(t)},${answered ? iso(t + 5000) : ''},${iso(t + 5000 + dur * 1000)},${dur},${customer},T1,${calling},${called},${answered ? 200 : 486},${answered ? 'ANSWERED' : 'NO_ANSWER'},A\n`;
      }).join('');
    const hourBatch = (h: number, sw: number) => {
      let rows =
        plainRows('V', '+12127360101', h, sw, h === 4 ? 160 : 15) + plainRows('G', '+12127360202', h, sw, 60);
      if (h >= 2) {
        const robo = cdrBatch({
          startHourMs: HOUR0 + h * 3_600_000,
          hours: 1,
          idPrefix: `s${sw}h${h}-`,
          seed: 300 + h * 2 + sw,
          rowsPerWindow: 100,
          customers: ['R'],
          robocallers: ['R'],
        });
        rows += robo.slice(HEADER.length + 1);
      }
      return `${HEADER}\n${rows}`;
    };
    const batches: Array<[string, string]> = [];
    for (let h = 0; h < 6; h++)
      for (const sw of [1, 2]) batches.push([`cdr/sw${sw}/h${h}.csv`, hourBatch(h, sw)]);
    // the whole day's verdict: every stored hour of the customer judged at once, as analyze does
    const whole = await ingestInOrder(batches);
    const ref = { ...(await whole.reference.numbers()), customers: new Map() };
    const dayVerdict = new Map<string, number>();
    for (const customerId of ['V', 'G', 'R']) {
      const stored = await whole.aggregates.customerHours(customerId, HOUR0, HOUR0 + 5 * 3_600_000);
      const findings = scoreCustomerWindows(
        customerId,
        stored.map((s) => s.window),
        ref,
        whole.reference.policyDocument,
        null,
      );
      for (const f of findings) dayVerdict.set(`${customerId} ${f.window_start}`, severityRank(f.severity));
    }
    // the spike is the fifth hour's only verdict; the robocaller's hours fire; the other customer is clean
    const spikeHour = new Date(HOUR0 + 4 * 3_600_000).toISOString().replace('.000Z', 'Z');
    expect([...dayVerdict.keys()].filter((k) => k.startsWith('V '))).toEqual([`V ${spikeHour}`]);
    expect([...dayVerdict.keys()].filter((k) => k.startsWith('R '))).toHaveLength(4);
    expect([...dayVerdict.keys()].filter((k) => k.startsWith('G '))).toEqual([]);
    // Act and assess: newest hour first, one switch's day after the other's, and shuffled (seeded)
    let seed = 7;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    const shuffled = () => {
      const order = [...batches];
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      return order;
    };
    const orders = [
      [...batches].reverse(),
      [...batches].sort(([a], [b]) => a.localeCompare(b)),
      ...Array.from({ length: 4 }, shuffled),
    ];
    for (const order of orders) {
      const p = await ingestInOrder(order);
      const published = new Map<string, number>();
      for (const e of p.events.published) {
        const k = `${e.customer_id} ${e.window_start}`;
        published.set(k, Math.max(published.get(k) ?? 0, severityRank(e.severity)));
      }
      for (const [k, rank] of dayVerdict)
        expect({ window: k, order: order.map(([key]) => key), rank: published.get(k) ?? 0 }).toMatchObject({
          window: k,
          rank: expect.toSatisfy((r: number) => r >= rank),
        });
      // half an hour's calls of a clean customer are no reason either
      expect(p.events.published.filter((e) => e.customer_id === 'G')).toEqual([]);
    }
  });

  it('a failed publish is retried by the redelivery and the aggregates are not counted twice', async () => {
    const p = memoryIngestPorts();
    p.source.put(BUCKET, 'cdr/s/robo.csv', ROBO_BATCH);
    p.events.failNext = 1;
    await expect(processBatch(ingestJob('cdr/s/robo.csv', ROBO_BATCH), p)).rejects.toThrow(/injected/);
    const afterFailure = aggregatesSnapshot(p.aggregates);
    const again = await processBatch(ingestJob('cdr/s/robo.csv', ROBO_BATCH), p);
    expect(again.status).toBe('done');
    expect(again.windowsMerged).toBe(0);
    expect(aggregatesSnapshot(p.aggregates)).toEqual(afterFailure);
    expect(p.events.published.filter((e) => e.customer_id === 'ROBO').length).toBe(2);
  });
});

describe('processBatch: continuation', () => {
  it('a tiny time budget splits the object into parts that add up to one clean run', async () => {
    // Prepare: the reference run in one invocation
    const clean = memoryIngestPorts();
    clean.source.put(BUCKET, 'cdr/s/robo.csv', ROBO_BATCH);
    await processBatch(ingestJob('cdr/s/robo.csv', ROBO_BATCH), clean);
    // a budget that drains at every check: each part ends after about 500 rows
    const p = memoryIngestPorts();
    p.source.put(BUCKET, 'cdr/s/robo.csv', ROBO_BATCH);
    p.clock.remaining = 100_000;
    p.clock.drainPerCheck = 50_000;
    const options = { ...DEFAULT_INGEST_OPTIONS, timeMarginMs: 60_000, checkEveryRows: 250 };
    // Act: run the first part, then every continuation it sends (each with a fresh budget)
    const outcomes = await allParts(p, 'cdr/s/robo.csv', ROBO_BATCH, options);
    // Assess
    expect(outcomes.length).toBeGreaterThan(2);
    expect(outcomes.at(-1)?.status).toBe('done');
    expect(outcomes.slice(0, -1).every((o) => o.status === 'continued')).toBe(true);
    expect(outcomes.reduce((s, o) => s + o.rows, 0)).toBe(1203);
    expect(aggregatesSnapshot(p.aggregates)).toEqual(aggregatesSnapshot(clean.aggregates));
    const item = p.manifest.batches.get(outcomes[0].batchId ?? '');
    expect(item?.totals).toMatchObject({ rows: 1203, quarantined: 3 });
    expect(Object.keys(item?.parts ?? {}).length).toBe(outcomes.length);
    // the last part holds the bad rows at the end of the file: its own quarantine object
    const lastPart = outcomes.length - 1;
    expect(p.source.quarantine.has(`${BUCKET}/quarantine/cdr/s/robo.csv.part-${lastPart}`)).toBe(true);
    // a redelivered middle part is a duplicate once its continuation went out
    expect((await processBatch(p.queue.sent[0], p, options)).status).toBe('duplicate');
  });

  it('a retried export that wrote its rows again counts each call once, however the batch is split into parts', async () => {
    // the batch, then its first 600 data rows once more (a job that timed out and started over)
    const lines = ROBO_BATCH.trimEnd().split('\n');
    const repeated = `${lines.join('\n')}\n${lines.slice(1, 601).join('\n')}\n`;
    const key = 'cdr/s/retried.csv';
    const once = memoryIngestPorts();
    once.source.put(BUCKET, 'cdr/s/robo.csv', ROBO_BATCH);
    await processBatch(ingestJob('cdr/s/robo.csv', ROBO_BATCH), once);
    const p = memoryIngestPorts();
    p.source.put(BUCKET, key, repeated);
    p.clock.remaining = 100_000;
    p.clock.drainPerCheck = 50_000;
    const options = { ...DEFAULT_INGEST_OPTIONS, timeMarginMs: 60_000, checkEveryRows: 250 };
    const outcomes = await allParts(p, key, repeated, options);
    expect(outcomes.length).toBeGreaterThan(2);
    // the same windows as the batch without its repeats; the 600 repeats quarantined beside its 3 bad rows
    expect(aggregatesSnapshot(p.aggregates)).toEqual(aggregatesSnapshot(once.aggregates));
    expect(p.manifest.batches.get(outcomes[0].batchId ?? '')?.totals).toMatchObject({
      rows: 1803,
      quarantined: 603,
    });
    const quarantined = [...p.source.quarantine.values()].flatMap((q) =>
      q
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    );
    expect(
      quarantined.filter((q) => q.reason.startsWith('repeats the call 1203 line(s) above')),
    ).toHaveLength(600);
  });

  it('a batch from many customers is read in parts of bounded windows that add up to one clean run', async () => {
    // 60 customers x 2 hours = 120 customer-hour windows, 600 rows
    const many = cdrBatch({
      seed: 11,
      rowsPerWindow: 5,
      customers: Array.from({ length: 60 }, (_, i) => `C${i}`),
      hours: 2,
      trunks: 1,
    });
    // plenty of time: only the window bound ends a part (checked every 10 rows, so at most 2 more)
    const options = { ...DEFAULT_INGEST_OPTIONS, maxPartWindows: 20, checkEveryRows: 10 };
    const { outcomes, parted, clean } = await partsBesideOneRun('cdr/s/many.csv', many, options);
    expect(outcomes.length).toBeGreaterThanOrEqual(6);
    expect(outcomes.slice(0, -1).every((o) => o.status === 'continued')).toBe(true);
    expect(outcomes.at(-1)?.status).toBe('done');
    // trunks: 1, so a part's merged windows are its customer windows (and their one trunk each)
    for (const o of outcomes) expect(o.windowsMerged).toBeLessThanOrEqual(2 * 22);
    expect(outcomes.reduce((s, o) => s + o.rows, 0)).toBe(600);
    expect(parted).toEqual(clean);
  });

  it('a customer on many trunks: trunk-hour windows count towards the part bound too', async () => {
    // 4 customers x 2 hours = 8 customer-hours, but about 40 trunk-hours each: some 330 windows
    const wide = WIDE_BATCH;
    const options = { ...DEFAULT_INGEST_OPTIONS, maxPartWindows: 60, checkEveryRows: 10 };
    const { outcomes, parted, clean } = await partsBesideOneRun('cdr/s/wide.csv', wide, options);
    // counting customer-hours alone, all 8 would fit one part
    expect(outcomes.length).toBeGreaterThanOrEqual(5);
    // checked every 10 rows: at most 10 windows past the bound, and the part's customer-hours (8 at most)
    for (const o of outcomes) expect(o.windowsMerged).toBeLessThanOrEqual(60 + 10 + 8);
    expect(outcomes.reduce((s, o) => s + o.rows, 0)).toBe(1600);
    expect(parted).toEqual(clean);
  });

  it('says in the log why each part ended: windows, or the time of the invocation', async () => {
    const wide = WIDE_BATCH;
    const windows = memoryIngestPorts();
    windows.source.put(BUCKET, 'cdr/s/wide.csv', wide);
    await allParts(windows, 'cdr/s/wide.csv', wide, {
      ...DEFAULT_INGEST_OPTIONS,
      maxPartWindows: 60,
      checkEveryRows: 10,
    });
    const timed = memoryIngestPorts();
    timed.source.put(BUCKET, 'cdr/s/robo.csv', ROBO_BATCH);
    timed.clock.remaining = 100_000;
    timed.clock.drainPerCheck = 50_000;
    await processBatch(ingestJob('cdr/s/robo.csv', ROBO_BATCH), timed, {
      ...DEFAULT_INGEST_OPTIONS,
      checkEveryRows: 250,
    });
    const why = (p: ReturnType<typeof memoryIngestPorts>) =>
      p.log.lines.filter((l) => l.message.startsWith('batch part done')).map((l) => l.fields?.endedBecause);
    expect(new Set(why(windows))).toEqual(new Set(['it held 60 windows (customer-hours and trunk-hours)']));
    expect(why(timed)).toEqual(["the invocation's time was nearly up"]);
  });

  it('a part re-run after a crash covers exactly the rows its first attempt fixed, whatever the clock says', async () => {
    const p = memoryIngestPorts();
    p.source.put(BUCKET, 'cdr/s/robo.csv', ROBO_BATCH);
    p.clock.remaining = 100_000;
    p.clock.drainPerCheck = 50_000;
    const options = { ...DEFAULT_INGEST_OPTIONS, checkEveryRows: 250 };
    // the continuation cannot be sent: the part fails after its merges
    p.queue.sendContinuation = async () => {
      throw new Error('SQS unavailable (injected)');
    };
    await expect(processBatch(ingestJob('cdr/s/robo.csv', ROBO_BATCH), p, options)).rejects.toThrow(/SQS/);
    const afterFirst = aggregatesSnapshot(p.aggregates);
    // the redelivery has plenty of time, yet must stop where the first attempt did
    const q = new MemoryWorkQueue();
    p.queue = q;
    p.clock.remaining = 900_000;
    p.clock.drainPerCheck = 0;
    const again = await processBatch(ingestJob('cdr/s/robo.csv', ROBO_BATCH), p, options);
    expect(again).toMatchObject({ status: 'continued', windowsMerged: 0 });
    expect(aggregatesSnapshot(p.aggregates)).toEqual(afterFirst);
    expect(q.sent[0].skipRows).toBe(again.rows);
  });
});

it('window items keep distinct counters exact up to 2048 keys, then HLL (bounded item size)', async () => {
  const p = memoryIngestPorts();
  const body = cdrBatch({
    seed: 11,
    rowsPerWindow: 3000,
    customers: ['BIG'],
    hours: 1,
    robocallers: ['BIG'],
  });
  p.source.put(BUCKET, 'cdr/s/big.csv', body);
  await processBatch(ingestJob('cdr/s/big.csv', body), p);
  const stored = await p.aggregates.hour('BIG', HOUR0);
  expect(stored?.window.calling.isExact).toBe(false);
  expect(JSON.stringify(windowToJson(stored!.window)).length).toBeLessThan(120_000);
});

describe('processBatch: bounded decompression', () => {
  it('fails a batch that decompresses past the configured limit loudly, with nothing counted', async () => {
    // Prepare: 1 MB of zeros after the header gzips to about 1 KB, far past a 64 KB limit
    const { gzipSync } = await import('node:zlib');
    const p = memoryIngestPorts();
    const key = 'cdr/sbc1/2026/11/27/bomb.csv.gz';
    const body = gzipSync(Buffer.concat([Buffer.from(`${HEADER}\n`), Buffer.alloc(1024 * 1024, 48)]));
    p.source.put(BUCKET, key, body);
    // Act + Assess
    await expect(
      processBatch(ingestJob(key, body), p, { ...DEFAULT_INGEST_OPTIONS, maxBatchBytes: 64 * 1024 }),
    ).rejects.toThrow(/decompresses to more than 65536 bytes/);
    expect(p.aggregates.items.size).toBe(0);
    expect(p.events.published).toHaveLength(0);
  });
});
