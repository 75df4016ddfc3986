import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSwitchConfig } from '../../shared/config/switches.ts';
import type { FindingEvent } from '../../shared/ingest/finding-event.ts';
import { reviewShardOf } from '../../shared/ingest/keys.ts';
import type { IngestJob } from '../../shared/ingest/messages.ts';
import {
  type BatchOutcome,
  DEFAULT_INGEST_OPTIONS,
  processBatch,
} from '../../shared/ingest/process-batch.ts';
import { reviewDays } from '../../shared/ingest/review-days.ts';
import { cdrBatch, HOUR0, smallRobocallHour } from '../unit/ingest-cdr-fixtures.ts';
import {
  BUCKET,
  type DynamoHarness,
  type DynamoPorts,
  job,
  measureWrites,
  dynamoPorts as portsOver,
  run,
  startDynamoHarness,
  throttling,
  transactionConflict,
  writeGrowthBatches,
} from './ingest-dynamo.ts';

let h: DynamoHarness;

beforeAll(async () => {
  h = await startDynamoHarness();
});
afterAll(async () => {
  await h?.stop();
});

/** Ports over DynamoDB Local (aggregates, manifest); S3, SNS and SQS stay in memory. */
const dynamoPorts = () => portsOver(h);

/** The window items (not markers, a day's severity item or the day review's notes): what detection reads. */
async function windows(p: DynamoPorts): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const item of await h.scan(p.tables.aggregates)) {
    const sk = String(item.sk);
    if (sk.startsWith('APPLIED#') || sk.startsWith('D#') || String(item.pk).startsWith('REVIEW#')) continue;
    out[`${item.pk}|${sk}`] = { w: JSON.parse(String(item.w)), tc: item.tc };
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

const A = cdrBatch({
  seed: 21,
  rowsPerWindow: 200,
  customers: ['GOOD', 'ROBO'],
  hours: 2,
  robocallers: ['ROBO'],
  badRows: 2,
});
const B = cdrBatch({
  seed: 22,
  rowsPerWindow: 150,
  customers: ['GOOD', 'ROBO'],
  hours: 2,
  robocallers: ['ROBO'],
  idPrefix: 'b',
});

describe('ingest against DynamoDB Local', () => {
  it('the same batch delivered 3 times at once, then again, leaves the aggregates of one clean run', async () => {
    const clean = await dynamoPorts();
    await run(clean, 'cdr/s1/a.csv', A);
    const p = await dynamoPorts();
    p.source.put(BUCKET, 'cdr/s1/a.csv', A);
    const outcomes = await Promise.allSettled([0, 1, 2].map(() => processBatch(job('cdr/s1/a.csv', A), p)));
    // a delivery that lost a race may fail and be redelivered: that is what SQS would do
    for (const o of outcomes) if (o.status === 'rejected') await processBatch(job('cdr/s1/a.csv', A), p);
    const again = await processBatch(job('cdr/s1/a.csv', A), p);
    expect(again.status).toBe('duplicate');
    expect(await windows(p)).toEqual(await windows(clean));
    const merged = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.windowsMerged] : []));
    expect(merged.reduce((s, n) => s + n, 0)).toBeLessThanOrEqual(12);
    // one finding per robocalling hour, not one per delivery
    expect(p.events.published.filter((e) => e.customer_id === 'ROBO').length).toBe(2);
  });

  it("a small robocaller's day, its batches each delivered twice at once, is published once by the day review, on an item of its own", async () => {
    const p = await dynamoPorts();
    const bodies = [0, 1].map((h) => smallRobocallHour(HOUR0 + h * 3_600_000, `d${h}-`));
    for (const [i, body] of bodies.entries()) {
      p.source.put(BUCKET, `cdr/s1/small-${i}.csv`, body);
      const outcomes = await Promise.allSettled(
        [0, 1].map(() => processBatch(job(`cdr/s1/small-${i}.csv`, body), p)),
      );
      for (const o of outcomes)
        if (o.status === 'rejected') await processBatch(job(`cdr/s1/small-${i}.csv`, body), p);
    }
    // ingest judges hours only; each customer-day is noted once, in the review's partitions
    expect(p.events.published.filter((e) => e.customer_id === 'SMALL')).toEqual([]);
    const notes = (await h.scan(p.tables.aggregates)).filter((i) => String(i.pk).startsWith('REVIEW#'));
    expect(notes.map((i) => [i.pk, i.sk]).sort()).toEqual([
      ['REVIEW#2026-11-27T00:00:00Z#' + reviewShardOf('SMALL'), 'SMALL'],
      ['REVIEW#DAYS', '2026-11-27T00:00:00Z'],
    ]);
    // two reviews at once, once the day and its grace are over: the day's claim decides
    p.clock.nowMs = Date.UTC(2026, 10, 28, 3);
    const review = () =>
      reviewDays({
        store: p.aggregates,
        events: p.events,
        clock: p.clock,
        reference: p.reference,
        manifest: p.manifest,
        graceMs: 2 * 3_600_000,
        holdMs: 6 * 3_600_000,
        parallel: 4,
        marginMs: 0,
      });
    const reports = await Promise.all([review(), review()]);
    const days = p.events.published.filter((e) => e.customer_id === 'SMALL');
    expect(days.map((e) => [e.window_start, e.window_end, e.severity])).toEqual([
      ['2026-11-27T00:00:00Z', '2026-11-28T00:00:00Z', 'critical'],
    ]);
    expect(reports.flatMap((r) => r.reviewed.map((d) => d.published)).sort()).toEqual([0, 1]);
    const items = await h.scan(p.tables.aggregates);
    const day = items.find((item) => item.pk === 'CUST#SMALL' && String(item.sk).startsWith('D#'));
    expect(day).toMatchObject({ sk: 'D#2026-11-27T00:00:00Z', sev: 4 });
    expect(day?.w).toBeUndefined();
    // the notes are forgotten
    expect(items.filter((i) => String(i.pk).startsWith('REVIEW#'))).toEqual([]);
    // reading the customer's hours never returns the day's item
    const hours = await p.aggregates.customerHours('SMALL', HOUR0 - 86_400_000, HOUR0 + 86_400_000);
    expect(hours.map((s) => s.window.hourMs)).toEqual([HOUR0, HOUR0 + 3_600_000]);
  });

  it('the day review holds a day while a batch begun since it started is not done, with a query per hour and no scan', async () => {
    const p = await dynamoPorts();
    const bodies = [0, 1, 2].map((h) => smallRobocallHour(HOUR0 + h * 3_600_000, `w${h}-`));
    await run(p, 'cdr/s1/w-0.csv', bodies[0]);
    await run(p, 'cdr/s1/w-1.csv', bodies[1]);
    // the third hour's delivery dies while reading it: begun, nothing of it read or recorded
    p.source.put(BUCKET, 'cdr/s1/w-2.csv', bodies[2]);
    const open = p.source.open.bind(p.source);
    p.source.open = async () => {
      throw new Error('killed');
    };
    await expect(processBatch(job('cdr/s1/w-2.csv', bodies[2]), p)).rejects.toThrow('killed');
    p.source.open = open;
    const review = () =>
      reviewDays({
        store: p.aggregates,
        events: p.events,
        clock: p.clock,
        reference: p.reference,
        manifest: p.manifest,
        graceMs: 2 * 3_600_000,
        holdMs: 6 * 3_600_000,
        parallel: 4,
        marginMs: 0,
      });
    // Act: once the day and its grace are over
    p.clock.nowMs = Date.UTC(2026, 10, 28, 3);
    const before = h.commands.snapshot();
    const held = await review();
    // Assess: held for that batch, read from the hours begun since the day started (28 of them) and
    // the batch items they name, never a scan
    expect(held.held).toEqual([
      {
        day: '2026-11-27T00:00:00Z',
        until: '2026-11-28T08:00:00Z',
        batches: [
          {
            batchId: `${BUCKET}/cdr/s1/w-2.csv#${job('cdr/s1/w-2.csv', bodies[2]).etag}`,
            state: 'in progress',
          },
        ],
      },
    ]);
    expect(held.reviewed).toEqual([]);
    const reads = h.commands.since(before);
    expect(reads.Scan).toBeUndefined();
    expect(reads.BatchGetItem).toBe(1);
    expect(p.events.published.filter((e) => e.customer_id === 'SMALL')).toEqual([]);
    // Act: the redelivery reads it, then the next run
    await processBatch(job('cdr/s1/w-2.csv', bodies[2]), p);
    p.clock.nowMs = Date.UTC(2026, 10, 28, 4);
    const judged = await review();
    // Assess: judged once, on its three hours
    expect(judged.held).toEqual([]);
    expect(judged.reviewed).toEqual([
      { day: '2026-11-27T00:00:00Z', customers: 1, published: 1, left: 0, missing: [] },
    ]);
    const [event] = p.events.published.filter((e) => e.customer_id === 'SMALL');
    expect(event.metrics).toMatchObject({ calls: 240, active_hours: 3 });
  });

  it('the same bytes under two keys at once are counted once, whichever claims them first', async () => {
    const clean = await dynamoPorts();
    await run(clean, 'cdr/s1/a.csv', A);
    const p = await dynamoPorts();
    p.source.put(BUCKET, 'cdr/s1/a.csv', A);
    p.source.put(BUCKET, 'cdr/s2/copy-of-a.csv', A);
    const outcomes = await Promise.all([
      processBatch(job('cdr/s1/a.csv', A), p),
      processBatch(job('cdr/s2/copy-of-a.csv', A), p),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['done', 'duplicate']);
    expect(await windows(p)).toEqual(await windows(clean));
  });

  it('two different batches for the same customer-hours merged concurrently sum up exactly', async () => {
    const sequential = await dynamoPorts();
    await run(sequential, 'cdr/s1/a.csv', A);
    await run(sequential, 'cdr/s2/b.csv', B);
    const p = await dynamoPorts();
    p.source.put(BUCKET, 'cdr/s1/a.csv', A);
    p.source.put(BUCKET, 'cdr/s2/b.csv', B);
    const [a, b] = await Promise.all([
      processBatch(job('cdr/s1/a.csv', A), p),
      processBatch(job('cdr/s2/b.csv', B), p),
    ]);
    expect(a.status).toBe('done');
    expect(b.status).toBe('done');
    const got = await windows(p);
    expect(got).toEqual(await windows(sequential));
    const hour = got['CUST#ROBO|H#2026-11-27T16:00:00Z'] as { w: { attempts: number } };
    expect(hour.w.attempts).toBe(350);
  });

  it('throttling and transaction conflicts are retried and change nothing', async () => {
    const clean = await dynamoPorts();
    await run(clean, 'cdr/s1/a.csv', A);
    const p = await dynamoPorts();
    let calls = 0;
    h.faults.injected = 0;
    // the merge path's calls (batched reads, transactions); a throttled manifest or scoring call
    // fails the message (SQS redelivers). The part's 12 windows go in one read and one transaction:
    // the first read is throttled, then the transaction alternately throttled and cancelled by a
    // conflict on its first window, 8 faults in all, then left alone.
    h.faults.fault = (command, input) => {
      const items = input.TransactItems as Array<{ Put?: { TableName?: string } }> | undefined;
      const table =
        input.TableName ??
        items?.[0]?.Put?.TableName ??
        Object.keys((input.RequestItems as Record<string, unknown> | undefined) ?? {})[0];
      if (table !== p.tables.aggregates) return null;
      if (command !== 'TransactWriteItemsCommand' && command !== 'BatchGetItemCommand') return null;
      calls++;
      if (calls > 9) return null;
      if (calls % 2 === 1) return throttling();
      if (command === 'TransactWriteItemsCommand') return transactionConflict();
      return null;
    };
    try {
      const out = await run(p, 'cdr/s1/a.csv', A);
      expect(out.status).toBe('done');
      expect(out.windowsMerged).toBe(12);
      // every window was charged for the throttled read and transactions; the conflicting one also for its conflicts
      expect(out.mergeAttempts).toBe(11 * (1 + 4 + 1) + (1 + 7 + 1));
    } finally {
      h.faults.fault = null;
    }
    expect(h.faults.injected).toBe(8);
    expect(await windows(p)).toEqual(await windows(clean));
  });

  it('throttling that never stops fails the message so SQS redelivers it; the redelivery completes it', async () => {
    // 10 customers x 2 hours x 3 windows = 60 windows: two transactions (50 + 10)
    const C = cdrBatch({
      seed: 23,
      rowsPerWindow: 30,
      customers: Array.from({ length: 10 }, (_, i) => `K${i}`),
      hours: 2,
      robocallers: ['K1'],
    });
    const clean = await dynamoPorts();
    await run(clean, 'cdr/s1/c.csv', C);
    const p = await dynamoPorts();
    let transacts = 0;
    // the first merge transaction goes through, every later one is throttled (not the manifest's)
    h.faults.fault = (command, input) =>
      command === 'TransactWriteItemsCommand' &&
      JSON.stringify(input).includes(p.tables.aggregates) &&
      ++transacts > 1
        ? throttling()
        : null;
    try {
      p.source.put(BUCKET, 'cdr/s1/c.csv', C);
      const fastRetries = { ...DEFAULT_INGEST_OPTIONS, retryBaseMs: 2 };
      await expect(processBatch(job('cdr/s1/c.csv', C), p, fastRetries)).rejects.toThrow(
        /gave up after 10 attempts/,
      );
    } finally {
      h.faults.fault = null;
    }
    const out = await processBatch(job('cdr/s1/c.csv', C), p);
    // the group that went through is skipped by its markers, the other one is merged now
    expect([10, 50]).toContain(out.windowsAlreadyApplied);
    expect(out.windowsMerged + out.windowsAlreadyApplied).toBe(60);
    expect(await windows(p)).toEqual(await windows(clean));
  });

  it('an SNS failure mid-batch: the redelivery publishes what is missing, once, and counts nothing twice', async () => {
    const p = await dynamoPorts();
    const published: FindingEvent[] = [];
    let publishes = 0;
    p.events.publishFinding = async (event) => {
      if (++publishes === 2) throw new Error('SNS unavailable (injected)');
      published.push(event);
    };
    const options = { ...DEFAULT_INGEST_OPTIONS, parallel: 1 };
    p.source.put(BUCKET, 'cdr/s1/a.csv', A);
    await expect(processBatch(job('cdr/s1/a.csv', A), p, options)).rejects.toThrow(/SNS/);
    const afterFailure = await windows(p);
    expect(published.length).toBe(1);
    const out = await processBatch(job('cdr/s1/a.csv', A), p, options);
    expect(out).toMatchObject({ status: 'done', windowsMerged: 0, findingsPublished: 1 });
    expect(await windows(p)).toEqual(afterFailure);
    expect(published.map((e) => e.window_start).sort()).toEqual([
      '2026-11-27T16:00:00Z',
      '2026-11-27T17:00:00Z',
    ]);
  });

  it('a run killed between claim and confirm: once its claims are given back (a local restart), the redelivery publishes at once', async () => {
    const p = await dynamoPorts();
    const options = { ...DEFAULT_INGEST_OPTIONS, parallel: 1 };
    p.source.put(BUCKET, 'cdr/s1/killed.csv', A);
    // the killed run: it claimed the first window to publish and never got further
    let claimed!: () => void;
    const stuck = new Promise<void>((resolve) => {
      claimed = resolve;
    });
    void processBatch(
      job('cdr/s1/killed.csv', A),
      {
        ...p,
        events: {
          publishFinding: () => {
            claimed();
            return new Promise(() => {});
          },
        },
      },
      options,
    );
    await stuck;
    expect(await p.aggregates.releaseAllClaims()).toBe(1);
    const published: FindingEvent[] = [];
    p.events.publishFinding = async (event) => {
      published.push(event);
    };
    const out = await processBatch(job('cdr/s1/killed.csv', A), p, options);
    expect(out).toMatchObject({ status: 'done', findingsPublished: 2 });
    expect(published).toHaveLength(2);
  });

  it('an object split into continuation parts leaves the aggregates of a single run', async () => {
    const clean = await dynamoPorts();
    await run(clean, 'cdr/s1/a.csv', A);
    const p = await dynamoPorts();
    p.source.put(BUCKET, 'cdr/s1/a.csv', A);
    const options = { ...DEFAULT_INGEST_OPTIONS, checkEveryRows: 100 };
    p.clock.drainPerCheck = 450_000; // the second check of every part (row 200) finds the budget spent
    const outcomes: BatchOutcome[] = [];
    let next: IngestJob | undefined = job('cdr/s1/a.csv', A);
    while (next) {
      p.clock.remaining = 500_000;
      outcomes.push(await processBatch(next, p, options));
      next = outcomes.at(-1)?.status === 'continued' ? p.queue.sent.at(-1) : undefined;
    }
    expect(outcomes.map((o) => o.rows)).toEqual([200, 200, 200, 200, 2]);
    expect(outcomes.reduce((s, o) => s + o.rows, 0)).toBe(802);
    expect(await windows(p)).toEqual(await windows(clean));
    const manifest = await h.scan(p.tables.manifest);
    const batchItem = manifest.find((i) => i.sk === 'BATCH');
    expect(batchItem).toMatchObject({ status: 'done', rows: 802, quarantined: 2, format: 'canonical' });
    expect(
      manifest
        .filter((i) => String(i.pk).startsWith('HOUR#'))
        .map((i) => i.pk)
        .sort(),
    ).toEqual(['HOUR#2026-11-27T16', 'HOUR#2026-11-27T17']);
  });

  it('DynamoDB writes grow with windows, not rows (10k vs 100k rows)', async () => {
    const { small, large, windows: windowCount } = writeGrowthBatches();
    const s = await measureWrites(h, small);
    const l = await measureWrites(h, large);
    expect(l.out.rows).toBe(100_020);
    // 10 customers x 3 hours, each with a customer-hour and 2 trunk-hour windows
    expect(windowCount).toBe(10 * 3 * 3);
    for (const m of [s, l]) {
      expect(m.out.windowsMerged).toBe(windowCount);
      // transactions of up to 50 windows; manifest: begin (the batch and its begun item in one
      // transaction), content claims (its bytes before the read, its lines and its calls after it), key
      // claim, part, 3 hours, finish (the batch and its key in one transaction); the day review's notes, one BatchWriteItem for the 10 customer-days and one
      // for the day; claim + confirm per finding
      const transactions = Math.ceil(windowCount / 50);
      expect(m.requests).toBe(transactions + 1 + 3 + 1 + 1 + 3 + 1 + 2 + 2 * m.out.findingsPublished);
      // items still one marker + one window item per window, and a note per customer-day and day
      expect(m.items).toBe(2 * windowCount + 2 + 3 + 1 + 1 + 3 + 2 + 10 + 1 + 2 * m.out.findingsPublished);
      expect(m.commands.TransactWriteItems).toBe(transactions + 2);
      expect(m.commands.BatchWriteItem).toBe(2);
      // windows read 100 per BatchGetItem; the only single reads are the manifest's (start, finish)
      expect(m.commands.BatchGetItem).toBe(Math.ceil(windowCount / 100));
      expect(m.commands.GetItem).toBe(2);
    }
    console.log(
      `DynamoDB writes (${windowCount} windows; findings ${s.out.findingsPublished} / ${l.out.findingsPublished}): ${s.out.rows} rows -> ${s.requests} requests (${s.items} items) in ${s.ms} ms; ` +
        `${l.out.rows} rows -> ${l.requests} requests (${l.items} items) in ${l.ms} ms`,
    );
    console.log('DynamoDB requests by command (100k rows):', JSON.stringify(l.commands));
  });
});

describe('re-uploads under the same key, against DynamoDB Local', () => {
  const KEY = 'cdr/sbc-a/2026-11-27/Master.csv';
  const rows = A.trimEnd().split('\n');
  const early = `${rows.slice(0, 301).join('\n')}\n`;
  const middle = `${rows.slice(0, 601).join('\n')}\n`;
  const later = A;

  /** ports whose S3 keeps every version of KEY, told apart by ETag as in an unversioned bucket */
  async function versioned() {
    const p = await dynamoPorts();
    const bodies = new Map<string, Buffer>();
    p.source.open = async (o) => {
      const body = bodies.get(o.etag);
      return body
        ? (async function* () {
            yield body;
          })()
        : null;
    };
    const put = (body: string) => {
      const j = job(KEY, body);
      bodies.set(j.etag, Buffer.from(body));
      return j;
    };
    return { p, put };
  }

  async function oneUpload(body: string) {
    const { p, put } = await versioned();
    await processBatch(put(body), p);
    return windows(p);
  }

  it('an extension counts only the rows it adds; a changed version is refused, its reason on its manifest item', async () => {
    const { p, put } = await versioned();
    await processBatch(put(early), p);
    expect(await processBatch(put(later), p)).toMatchObject({ status: 'done', alreadyCounted: 300 });
    expect(await windows(p)).toEqual(await oneUpload(later));
    const changed = `${rows.slice(0, 2).join('\n')}\n${rows.slice(3).join('\n')}\n`;
    const refused = await processBatch(put(changed), p);
    expect(refused.status).toBe('refused');
    expect(await windows(p)).toEqual(await oneUpload(later));
    expect(await p.manifest.get(refused.batchId ?? '')).toMatchObject({
      status: 'done',
      refused: expect.stringMatching(/^replaces a batch already counted under this key/),
    });
    const items = await h.scan(p.tables.manifest);
    const keyItem = items.find((i) => i.pk === `KEY#${BUCKET}/${KEY}`);
    expect(keyItem).toMatchObject({ counted: { endRow: rows.length - 1, bytes: Buffer.byteLength(later) } });
    expect(keyItem?.claim).toBeUndefined();
  });

  it('a version delivered 3 times at once, and two versions at once, are each counted once', async () => {
    const { p, put } = await versioned();
    await processBatch(put(early), p);
    const v2 = put(middle);
    const three = await Promise.allSettled([processBatch(v2, p), processBatch(v2, p), processBatch(v2, p)]);
    // a delivery that lost the race to finish is redelivered and finds the batch done
    for (const s of three)
      if (s.status === 'rejected') expect((await processBatch(v2, p)).status).toBe('duplicate');
    expect(await windows(p)).toEqual(await oneUpload(middle));
    const [v3, v4] = [put(`${rows.slice(0, 801).join('\n')}\n`), put(later)];
    const settled = await Promise.allSettled([processBatch(v3, p), processBatch(v4, p)]);
    // a version that found the key held was sent back to wait (a delivery that lost the race to finish
    // fails, and is redelivered)
    const waiting = settled.flatMap((s, i) => (s.status === 'rejected' ? [[v3, v4][i]] : []));
    for (const s of settled)
      if (s.status === 'rejected') expect(String(s.reason)).toMatch(/being counted|key/);
    waiting.push(...p.queue.later.map((l) => l.job));
    expect(waiting.length).toBeGreaterThan(0);
    // each comes again after the one counting finished: an older version is then refused, a newer extends
    for (const j of waiting) await processBatch(j, p);
    expect(await windows(p)).toEqual(await oneUpload(later));
  });
});

describe('a file sent again after its switch was configured, against DynamoDB Local', () => {
  /** canonical rows whose times carry no offset: quarantined until the switch's zone is configured */
  const local = A.replace(/(\d\d:\d\d:\d\d)(?:\.\d+)?Z/g, '$1');
  const ZONED = 'switch_id,format,timezone\ns2,canonical,UTC\n';

  it('the same bytes under another key count every call: the batch that counted none gave back its claim', async () => {
    const clean = await dynamoPorts();
    const counted = await run(clean, 'cdr/s1/a.csv', A);
    const p = await dynamoPorts();
    const first = await run(p, 'cdr/s1/a.csv', local);
    expect(first).toMatchObject({ status: 'done', calls: 0, quarantined: counted.rows });
    p.reference.switchConfig = parseSwitchConfig(ZONED, 'switches.csv');
    expect(await run(p, 'cdr/s2/a.csv', local)).toMatchObject({ status: 'done', calls: counted.calls });
    expect(await windows(p)).toEqual(await windows(clean));
  });

  it('the same bytes under the same key (the same batch id) are read again once, and counted once', async () => {
    const clean = await dynamoPorts();
    const counted = await run(clean, 'cdr/s2/a.csv', A);
    const p = await dynamoPorts();
    expect(await run(p, 'cdr/s2/a.csv', local)).toMatchObject({ status: 'done', calls: 0 });
    p.reference.switchConfig = parseSwitchConfig(ZONED, 'switches.csv');
    // delivered twice at once: one reopens the batch and counts it, the other finds it read or waits
    const both = await Promise.allSettled([run(p, 'cdr/s2/a.csv', local), run(p, 'cdr/s2/a.csv', local)]);
    for (const s of both) if (s.status === 'rejected') await run(p, 'cdr/s2/a.csv', local);
    for (const l of p.queue.later) await processBatch(l.job, p);
    expect((await p.manifest.get(`${BUCKET}/cdr/s2/a.csv#${job('x', local).etag}`))?.totals).toMatchObject({
      calls: counted.calls,
    });
    expect(await windows(p)).toEqual(await windows(clean));
  });
});
