import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startupSweepLines } from '../../local/glue/startup-sweep.ts';
import { reconcileRequest } from '../../shared/aws/reconcile-config.ts';
import { objectCreatedMessage, parseIngestMessage } from '../../shared/ingest/messages.ts';
import type { BatchObject } from '../../shared/ingest/ports.ts';
import {
  type ListedObject,
  type ReconcileOptions,
  type ReconcilePorts,
  reconcileBatches,
} from '../../shared/ingest/reconcile.ts';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const MINUTE = 60_000;

/** A bucket, a manifest and a queue in memory: the sweep's whole world. */
function world(objects: ListedObject[], ingested: string[] = []) {
  const sorted = [...objects].sort((a, b) => (a.key < b.key ? -1 : 1));
  const known = new Set(ingested);
  /** batches the manifest holds as processing, with when that began */
  const processing = new Map<string, number>();
  const claims = new Set<string>();
  const sent: BatchObject[] = [];
  const state = { checkpoint: null as string | null, listCalls: 0, failSend: false };
  const ports: ReconcilePorts = {
    listing: {
      async page(prefix, startAfter, limit) {
        state.listCalls++;
        const after = sorted.filter(
          (o) => o.key.startsWith(prefix) && (startAfter === null || o.key > startAfter),
        );
        return { objects: after.slice(0, limit), more: after.length > limit };
      },
      versionOf: async () => null,
    },
    ledger: {
      known: async (batchId, staleBeforeMs) =>
        known.has(batchId) || (processing.get(batchId) ?? Number.NEGATIVE_INFINITY) >= staleBeforeMs,
      checkpoint: async () => state.checkpoint,
      saveCheckpoint: async (key) => {
        state.checkpoint = key;
      },
      claimRequeue: async (batchId) => !claims.has(batchId) && Boolean(claims.add(batchId)),
      requeued: async (batchId) => claims.has(batchId),
      releaseRequeue: async (batchId) => {
        claims.delete(batchId);
      },
    },
    requeue: {
      send: async (object) => {
        if (state.failSend) throw new Error('queue unavailable');
        sent.push(object);
      },
    },
  };
  return { ports, sent, state, known, processing };
}

const object = (key: string, ageMinutes: number, etag = `e-${key.length}`): ListedObject => ({
  key,
  etag: `"${etag}"`,
  size: 100,
  lastModifiedMs: NOW - ageMinutes * MINUTE,
});
const options: ReconcileOptions = {
  bucket: 'cdr-bucket',
  graceMs: 15 * MINUTE,
  maxObjects: 100,
  nowMs: NOW,
  dryRun: false,
};

describe('reconciliation sweep', () => {
  it('re-enqueues an old object with no manifest entry, once; later runs report it as still failing', async () => {
    const w = world(
      [object('cdr/sw1/a.csv', 60, 'aa'), object('cdr/sw1/b.csv', 60, 'bb'), object('cdr/sw1/young.csv', 2)],
      ['cdr-bucket/cdr/sw1/a.csv#aa'],
    );
    const first = await reconcileBatches(w.ports, options);
    expect(first.missing).toEqual([
      {
        key: 'cdr/sw1/b.csv',
        batchId: 'cdr-bucket/cdr/sw1/b.csv#bb',
        lastModified: expect.any(String),
        action: 'requeued',
      },
    ]);
    expect(first).toMatchObject({ scanned: 3, young: 1, checkpoint: null });
    expect(w.sent).toEqual([
      { bucket: 'cdr-bucket', key: 'cdr/sw1/b.csv', versionId: null, etag: 'bb', size: 100 },
    ]);

    const second = await reconcileBatches(w.ports, options);
    expect(second.missing.map((m) => m.action)).toEqual(['still-failing']);
    expect(w.sent).toHaveLength(1);

    w.known.add('cdr-bucket/cdr/sw1/b.csv#bb');
    expect((await reconcileBatches(w.ports, options)).missing).toEqual([]);
  });

  it('re-enqueues a batch that began and never finished (dead-lettered mid-ingest), once; one still in flight is left alone', async () => {
    const w = world([object('cdr/sw1/dead.csv', 240, 'dd'), object('cdr/sw1/busy.csv', 240, 'bb')]);
    // ingest marked both processing; the first three hours ago, its message since dead-lettered
    w.processing.set('cdr-bucket/cdr/sw1/dead.csv#dd', NOW - 180 * MINUTE);
    w.processing.set('cdr-bucket/cdr/sw1/busy.csv#bb', NOW - 2 * MINUTE);
    const first = await reconcileBatches(w.ports, options);
    expect(first.missing.map((m) => [m.key, m.action])).toEqual([['cdr/sw1/dead.csv', 'requeued']]);
    expect(w.sent.map((o) => o.key)).toEqual(['cdr/sw1/dead.csv']);
    // still not done on the next run: reported, not sent again
    expect((await reconcileBatches(w.ports, options)).missing.map((m) => m.action)).toEqual([
      'still-failing',
    ]);
    expect(w.sent).toHaveLength(1);
  });

  it("the local stack's sweep on start takes new objects at once, and failed batches only as the schedule would, once", async () => {
    const config = {
      CDR_BUCKET: 'cdr-bucket',
      MANIFEST_TABLE: 'manifest',
      INGEST_QUEUE_URL: 'http://localhost/q',
      RECONCILE_GRACE_SECONDS: 900,
      RECONCILE_MAX_OBJECTS: 100,
    };
    const onStart = reconcileRequest({ graceSeconds: 0, fromStart: true }, config, NOW);
    const w = world([
      object('cdr/sw1/lost.csv', 1, 'll'), // uploaded just before a crash, its event lost
      object('cdr/sw1/retrying.csv', 60, 'rr'), // failed 5 minutes ago, its message waits for the retry
      object('cdr/sw1/dead.csv', 240, 'dd'), // failed three hours ago, dead-lettered since
    ]);
    w.processing.set('cdr-bucket/cdr/sw1/retrying.csv#rr', NOW - 5 * MINUTE);
    w.processing.set('cdr-bucket/cdr/sw1/dead.csv#dd', NOW - 180 * MINUTE);

    const first = await reconcileBatches(w.ports, onStart);
    expect(first.missing.map((m) => [m.key, m.action])).toEqual([
      ['cdr/sw1/dead.csv', 'requeued'],
      ['cdr/sw1/lost.csv', 'requeued'],
    ]);
    expect(startupSweepLines(first)).toEqual([
      expect.stringMatching(
        /^2 CDR object\(s\) never ingested .*; re-enqueued once: cdr\/sw1\/dead.csv, cdr\/sw1\/lost.csv$/,
      ),
    ]);

    // every later start: what was re-enqueued and still fails is reported as such, not re-enqueued again
    w.known.add('cdr-bucket/cdr/sw1/lost.csv#ll');
    const again = await reconcileBatches(w.ports, onStart);
    expect(again.missing.map((m) => [m.key, m.action])).toEqual([['cdr/sw1/dead.csv', 'still-failing']]);
    expect(startupSweepLines(again)).toEqual([
      expect.stringMatching(
        /^1 CDR object\(s\) still not ingested after their one re-enqueue; .*dead-letter queue.*: cdr\/sw1\/dead.csv$/,
      ),
    ]);
    expect(startupSweepLines(again).join('\n')).not.toMatch(/re-enqueued once/);
    expect(w.sent.map((o) => o.key)).toEqual(['cdr/sw1/dead.csv', 'cdr/sw1/lost.csv']);
    expect(startupSweepLines({ ...again, missing: [] })).toEqual([]);
  });

  it('a dry run changes nothing: no message, no claim, no checkpoint', async () => {
    const w = world([object('cdr/sw1/b.csv', 60)]);
    w.state.checkpoint = 'cdr/sw0/z';
    const report = await reconcileBatches(w.ports, { ...options, dryRun: true, fromStart: true });
    expect(report.missing.map((m) => m.action)).toEqual(['would-requeue']);
    expect(w.sent).toEqual([]);
    expect(w.state.checkpoint).toBe('cdr/sw0/z');
    expect((await reconcileBatches(w.ports, options)).missing.map((m) => m.action)).toEqual(['requeued']);
  });

  it('a dry run decides as the real run: a batch re-enqueued before is still failing, not to be re-enqueued', async () => {
    const w = world([object('cdr/sw1/b.csv', 60)]);
    expect((await reconcileBatches(w.ports, options)).missing.map((m) => m.action)).toEqual(['requeued']);
    const dryRun = await reconcileBatches(w.ports, { ...options, dryRun: true });
    const real = await reconcileBatches(w.ports, options);
    expect(dryRun.missing.map((m) => m.action)).toEqual(['still-failing']);
    expect(real.missing.map((m) => m.action)).toEqual(['still-failing']);
    expect(w.sent).toHaveLength(1);
  });

  it('pages from the checkpoint, stops after maxObjects, and starts over after the end', async () => {
    const keys = Array.from({ length: 25 }, (_, i) => `cdr/sw/${String(i).padStart(3, '0')}.csv`);
    const w = world(keys.map((k) => object(k, 60)));
    const first = await reconcileBatches(w.ports, { ...options, maxObjects: 10 });
    expect(first).toMatchObject({ scanned: 10, checkpoint: keys[9] });
    const second = await reconcileBatches(w.ports, { ...options, maxObjects: 10 });
    expect(second.missing.map((m) => m.key)).toEqual(keys.slice(10, 20));
    const third = await reconcileBatches(w.ports, { ...options, maxObjects: 10 });
    expect(third).toMatchObject({ scanned: 5, checkpoint: null });
    expect(w.sent.map((o) => o.key)).toEqual(keys);
  });

  it('gives the claim back when the send fails, so the next run re-enqueues it', async () => {
    const w = world([object('cdr/sw1/b.csv', 60)]);
    w.state.failSend = true;
    await expect(reconcileBatches(w.ports, options)).rejects.toThrow(/queue unavailable/);
    w.state.failSend = false;
    expect((await reconcileBatches(w.ports, options)).missing.map((m) => m.action)).toEqual(['requeued']);
  });

  it('the re-enqueued message is read by ingest as the same object, whatever the key', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 60, unit: 'binary' }),
        fc.option(fc.stringMatching(/^[A-Za-z0-9._]{1,32}$/), { nil: null }),
        (tail, versionId) => {
          const o = { bucket: 'b', key: `cdr/${tail}`, versionId, etag: 'abc', size: 7 };
          const parsed = parseIngestMessage(objectCreatedMessage(o));
          expect(parsed).toEqual({ kind: 'jobs', ignoredEvents: [], jobs: [{ ...o, part: 0, skipRows: 0 }] });
        },
      ),
    );
  });
});
