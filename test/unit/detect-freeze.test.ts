import { describe, expect, it } from 'vitest';
import { generateCanonicalRows } from '../../scripts/sample/canonical-csv.ts';
import { BatchParser } from '../../shared/cdr/batch-parser.ts';
import { HOUR_MS } from '../../shared/cdr/time.ts';
import { Aggregator, type AggregatorOptions, spillReserveBytes } from '../../shared/detect/aggregator.ts';
import { forEachPartHour, readCustomers } from '../../shared/detect/aggregator-transfer.ts';
import { TRUNKS_CALLS } from '../../shared/detect/customer-hours.ts';
import { DistinctCounter } from '../../shared/detect/distinct.ts';
import { emptyReference } from '../../shared/detect/reference.ts';
import {
  COUNTER_FIELDS,
  emptyWindow,
  reuseWindow,
  type WindowAggregate,
  windowKey,
  windowToJson,
} from '../../shared/detect/window.ts';

/**
 * Bounded-memory aggregation for one big batch (analyze's worker threads): freezing the sets of
 * hours the input has left behind, rebuilding windows a late call reaches, and merging contiguous
 * shares of the input, must all give exactly the windows one plain reader gives.
 */

// time-ordered rows over one day (about 208 per hour), 12 customers, a fresh called number per row
const LINES = [...generateCanonicalRows({ rows: 5000, seed: 11, customers: 12 })];
const HEADER_LINE = LINES[0];
const DATA = LINES.slice(1);

function aggregate(rows: string[], opts: AggregatorOptions = {}): Aggregator {
  const agg = new Aggregator(emptyReference(), opts);
  const parser = new BatchParser(
    { source: 't.csv', format: 'canonical' },
    { call: (r) => agg.add(r), packed: (p) => agg.addPacked(p), quarantine: () => {} },
  );
  parser.push(Buffer.from(HEADER_LINE + rows.join('')));
  parser.end();
  return agg;
}

/** Every window's counters and distinct counts, by key: what findings can read of a window. */
function summary(agg: Aggregator): Array<Record<string, unknown>> {
  const out = [...agg.windows()].map((w: WindowAggregate) => {
    const row: Record<string, unknown> = {
      key: windowKey(w),
      calling: w.calling.count(),
      called: w.called.count(),
      pairs: w.pairs.count(),
      hist: w.durationHist.join(','),
      first: w.firstMs,
      last: w.lastMs,
    };
    for (const f of COUNTER_FIELDS) row[f] = w[f];
    return row;
  });
  return out.sort((a, b) => String(a.key).localeCompare(String(b.key)));
}

function recount(agg: Aggregator, rows: string[], opts: AggregatorOptions = {}): void {
  const refs = agg.recountNeeded();
  const wanted = new Set(refs.map((r) => `${r.customerId}|${r.hourIdx * HOUR_MS}`));
  const again = aggregate(rows, { ...opts, only: (c, hourMs) => wanted.has(`${c}|${hourMs}`) });
  agg.replaceWindows(again, refs);
}

const plain = summary(aggregate(DATA));

/**
 * Contiguous shares of the rows read apart, as analyze's workers read them (a later share keeps the
 * hours up to its first call when freezing), moved as numbers and imported in input order.
 */
function importedShares(shares: string[][], opts: AggregatorOptions = {}): Aggregator {
  const merged = new Aggregator(emptyReference(), { trunkWindows: opts.trunkWindows });
  shares.forEach((rows, k) => {
    const freeze = opts.freeze && { ...opts.freeze, keepFirstHour: k > 0 };
    const { state, buffers } = aggregate(rows, { ...opts, freeze }).exportWindows();
    merged.importWindows(structuredClone(state, { transfer: buffers }));
  });
  return merged;
}

/** a spilling reader keeps trunk calls, not whole trunk windows (analyze's workers do the same) */
const modeOf = (spill: boolean): AggregatorOptions => (spill ? { trunkWindows: 'calls' } : {});

describe('bounded-memory aggregation', () => {
  it('freezing time-ordered input keeps every count and drops the sets of hours 2+ behind', () => {
    const frozen = aggregate(DATA, { freeze: { behindHours: 2 } });
    expect(frozen.recountNeeded()).toEqual([]);
    expect(summary(frozen)).toEqual(plain);
    const windows = [...frozen.customerWindows().values()].flat();
    const last = Math.max(...windows.map((w) => w.hourMs));
    for (const w of windows) {
      // hours at least 2 behind the latest are frozen, the two latest are not; calling sets stay
      expect(w.called.isFrozen).toBe(w.hourMs <= last - 2 * HOUR_MS);
      expect(w.pairs.isFrozen).toBe(w.hourMs <= last - 2 * HOUR_MS);
      expect(w.calling.isFrozen).toBe(false);
    }
    expect(() => windows[0].called.has(1)).toThrow(/frozen/);
  });

  it('a call that arrives for a frozen window is rebuilt exactly by a recount pass', () => {
    // every 7th row of the first six hours moved to the end of the batch
    const early = DATA.filter((_, i) => i < DATA.length / 4 && i % 7 === 0);
    const rows = [...DATA.filter((_, i) => !(i < DATA.length / 4 && i % 7 === 0)), ...early];
    const expected = summary(aggregate(rows));
    expect(expected).toEqual(plain); // same rows, other order: same windows
    const frozen = aggregate(rows, { freeze: { behindHours: 2 } });
    expect(frozen.recountNeeded().length).toBeGreaterThan(0);
    expect(summary(frozen)).not.toEqual(expected);
    recount(frozen, rows);
    expect(frozen.recountNeeded()).toEqual([]);
    expect(summary(frozen)).toEqual(expected);
  });

  it.each([false, true])(
    'contiguous shares aggregated apart (spilling hours: %s) and imported in input order equal one reader',
    (spill) => {
      const whole = aggregate(DATA, modeOf(spill));
      for (const cut of [1, 777, 2500, 4321, DATA.length - 1]) {
        const merged = importedShares([DATA.slice(0, cut), DATA.slice(cut)], {
          freeze: { behindHours: 2 },
          spill,
          ...modeOf(spill),
        });
        // time-ordered shares meet in one hour that neither froze: nothing to recount
        expect(merged.recountNeeded()).toEqual([]);
        expect(summary(merged)).toEqual(summary(whole));
        expect([...merged.customerWindows().keys()]).toEqual([...whole.customerWindows().keys()]);
      }
    },
  );

  it('a spilling reader writes hours out as they freeze: a late call reopens its hour, which the importer recounts', () => {
    // every 7th row of the first six hours moved to the end: hours long written out get calls again
    const early = DATA.filter((_, i) => i < DATA.length / 4 && i % 7 === 0);
    const rows = [...DATA.filter((_, i) => !(i < DATA.length / 4 && i % 7 === 0)), ...early];
    const spilling = aggregate(rows, { freeze: { behindHours: 2 }, spill: true, trunkWindows: 'calls' });
    // its windows are no longer all in memory: it hands none out, it only exports
    expect(() => [...spilling.windows()]).toThrow(/spilled hours for export/);
    expect(() => spilling.trunkAttemptsOf('C0001')).toThrow(/spilled hours for export/);
    const merged = new Aggregator(emptyReference(), { trunkWindows: 'calls' });
    const { state, buffers } = spilling.exportWindows();
    merged.importWindows(structuredClone(state, { transfer: buffers }));
    // the moved rows reach the first six hours again
    expect(new Set(merged.recountNeeded().map((r) => r.hourIdx)).size).toBeGreaterThanOrEqual(4);
    recount(merged, rows, { trunkWindows: 'calls' });
    expect(summary(merged)).toEqual(summary(aggregate(DATA, { trunkWindows: 'calls' })));
  });

  it('a window reused after it was written out is as empty as a new one, whatever its sets had become', () => {
    const used = emptyWindow('C1', 'T1', 7 * HOUR_MS, 100, 40);
    for (let k = 0; k < 500; k++) {
      used.calling.add(1_000_000 + k); // past the limit: HyperLogLog
      used.called.add(k);
      used.pairs.add(k * 7);
    }
    used.called.freeze();
    used.attempts = 500;
    used.answered = 3;
    used.durationHist[2] = 3;
    used.firstMs = 7 * HOUR_MS + 5;
    used.lastMs = 8 * HOUR_MS - 5;
    const reused = reuseWindow(used, 'C2', '', 9 * HOUR_MS, 12);
    expect(reused).toBe(used);
    expect(windowToJson(reused)).toEqual(windowToJson(emptyWindow('C2', '', 9 * HOUR_MS, 100, 12)));
    for (const set of [reused.calling, reused.called, reused.pairs]) {
      expect(set.isExact).toBe(true);
      expect(set.isFrozen).toBe(false);
      set.add(42);
      expect(set.count()).toBe(1);
    }
  });

  it('a later share writes its first hour out with its sets once the input is past it, not holding it to the end', () => {
    const rows = DATA.slice(2600);
    const opts: AggregatorOptions = {
      freeze: { behindHours: 2, keepFirstHour: true },
      spill: true,
      trunkWindows: 'calls',
    };
    const { state } = aggregate(rows, opts).exportWindows();
    const spilled: Array<{ hourIdx: number; frozen: boolean }> = [];
    const kept: number[] = [];
    for (const item of readCustomers(state, TRUNKS_CALLS)) {
      if (!('part' in item)) continue;
      const { part } = item;
      const before = spilled.length;
      forEachPartHour(part, (hourIdx, frozen) => {
        if (spilled.length - before < part.spilled.length) spilled.push({ hourIdx, frozen });
        else kept.push(hourIdx);
      });
    }
    const first = Math.min(...spilled.map((h) => h.hourIdx));
    const last = Math.max(...kept);
    // the first hour went out as soon as the input was two hours past it, sets and all (the share
    // before this one holds the same hour, and the two merge from their keys); later hours went out
    // frozen; the reader held only its last two hours at the end
    expect(spilled.filter((h) => h.hourIdx === first).length).toBe(12);
    expect(spilled.every((h) => h.frozen === (h.hourIdx !== first))).toBe(true);
    expect(kept.every((h) => h >= last - 1)).toBe(true);
    const merged = importedShares([DATA.slice(0, 2600), rows], opts);
    expect(merged.recountNeeded()).toEqual([]);
    expect(summary(merged)).toEqual(summary(aggregate(DATA, modeOf(true))));
  });

  it('a spilling reader reserves as many bytes as its input, at most 2^28 of them', () => {
    expect(spillReserveBytes(4_000_000)).toBe(4_000_000);
    expect(spillReserveBytes(2 ** 40)).toBe(2 ** 28);
  });

  it('spilling needs freezing, and keeps no whole trunk windows', () => {
    expect(() => new Aggregator(emptyReference(), { spill: true })).toThrow(/needs freeze/);
    expect(
      () => new Aggregator(emptyReference(), { spill: true, freeze: { behindHours: 2 }, trunkWindows: true }),
    ).toThrow(/trunk windows/);
  });

  it('a reader that writes out the hours it left behind whole (sets and all) needs no recount, however late the calls: imported, it equals one plain reader', () => {
    const opts: AggregatorOptions = {
      trunkWindows: 'calls',
      freeze: { behindHours: 2, keepSets: true },
      spill: true,
    };
    // in time order, then shuffled (every hour reached again long after it was written out)
    const shuffled = DATA.map((line, i) => ({ line, k: (i * 7919) % DATA.length }))
      .sort((a, b) => a.k - b.k)
      .map((r) => r.line);
    const expected = summary(aggregate(DATA, { trunkWindows: 'calls' }));
    for (const rows of [DATA, shuffled]) {
      const reader = aggregate(rows, opts);
      expect(reader.recountNeeded()).toEqual([]);
      const { state } = reader.exportWindows();
      // read in time order, all but the last hours went out as numbers while the input went on
      const spilled = [...readCustomers(state, TRUNKS_CALLS)].reduce(
        (n, item) => n + ('part' in item ? item.part.spilled.length : 0),
        0,
      );
      if (rows === DATA) expect(spilled).toBeGreaterThanOrEqual(12 * 21);
      const merged = new Aggregator(emptyReference(), { trunkWindows: 'calls' });
      merged.importWindows(state);
      expect(merged.recountNeeded()).toEqual([]);
      expect(summary(merged)).toEqual(expected);
      // calls per trunk hour by hour, each hour's trunks in the order the input first used them
      const trunkCalls = (agg: Aggregator) =>
        [...agg.eachCustomer()].map((c) => [
          c.customerId,
          c.trunkAttempts.sort((a, b) => a.hourMs - b.hourMs),
        ]);
      expect(trunkCalls(merged)).toEqual(trunkCalls(aggregate(rows, { trunkWindows: 'calls' })));
    }
    expect(() => new Aggregator(emptyReference(), { freeze: { behindHours: 2, keepSets: true } })).toThrow(
      /needs spill/,
    );
  });

  it('imported shares are built customer by customer when scored, anew each time, as one reader has them', () => {
    // two trunks per customer, so trunk calls per hour are part of what must come out the same
    const rows = DATA.map((line, i) => (i % 3 === 0 ? line.replace(/,T(\d+),/, ',X$1,') : line));
    // what scoring reads of a window: everything, and of its called-number and pair sets the counts
    const scored = (w: WindowAggregate) => ({
      ...windowToJson({ ...w, called: new DistinctCounter(), pairs: new DistinctCounter() }),
      called: w.called.count(),
      pairs: w.pairs.count(),
    });
    const view = (agg: Aggregator) =>
      [...agg.eachCustomer()]
        .map((c) => ({
          customerId: c.customerId,
          windows: c.windows.map(scored),
          trunkAttempts: c.trunkAttempts,
        }))
        .sort((a, b) => a.customerId.localeCompare(b.customerId));
    const expected = view(aggregate(rows, { trunkWindows: 'calls' }));
    const merged = importedShares([rows.slice(0, 1700), rows.slice(1700, 3300), rows.slice(3300)], {
      trunkWindows: 'calls',
    });
    expect(view(merged)).toEqual(expected);
    // nothing is kept from a pass: the next one builds other objects with the same contents
    const [a] = merged.eachCustomer();
    const [b] = merged.eachCustomer();
    // (not .not.toBe: its hint compares the two deeply, which lists the keys a frozen set dropped)
    expect(a.windows[0] === b.windows[0]).toBe(false);
    expect(scored(a.windows[0])).toEqual(scored(b.windows[0]));
    expect(view(merged)).toEqual(expected);
    // an hour one share holds alone comes with the counts of its called and pair sets only; an hour
    // two shares hold was merged from their keys (and its counts equal one reader's, above)
    const windows = [...merged.eachCustomer()].flatMap((c) => c.windows);
    expect(windows.some((w) => w.called.isFrozen && w.pairs.isFrozen && !w.calling.isFrozen)).toBe(true);
    expect(windows.some((w) => !w.called.isFrozen)).toBe(true);
  });

  it.each([false, true])(
    'shares that both hold a window one of them froze (spilling hours: %s) are recounted, then equal one reader',
    (spill) => {
      // the second share starts with rows of hour 0, then continues at hour 12: hour 0 is frozen in
      // the first share and open in the second
      const cut = DATA.length / 2;
      const stray = DATA.filter((_, i) => i < cut && i % 50 === 0);
      const rows = [...DATA.slice(0, cut).filter((_, i) => i % 50 !== 0), ...stray, ...DATA.slice(cut)];
      const split = cut - stray.length;
      const merged = importedShares([rows.slice(0, split), rows.slice(split)], {
        freeze: { behindHours: 2 },
        spill,
        ...modeOf(spill),
      });
      expect(merged.recountNeeded().length).toBeGreaterThan(0);
      recount(merged, rows, modeOf(spill));
      expect(summary(merged)).toEqual(summary(aggregate(DATA, modeOf(spill))));
    },
  );

  it('the trunk windows of an hour split between shares merge like one reader', () => {
    // a second trunk for every customer in the second half: hours split in one share or the other
    const rows = DATA.map((line, i) =>
      i > DATA.length / 2 && i % 3 === 0 ? line.replace(/,T(\d+),/, ',X$1,') : line,
    );
    const expected = summary(aggregate(rows));
    for (const cut of [2600, 2700]) {
      expect(summary(importedShares([rows.slice(0, cut), rows.slice(cut)]))).toEqual(expected);
    }
  });

  it('release frees the transfers an importer holds at once: their buffers are detached, and nothing is read after', () => {
    const spilling = aggregate(DATA, { freeze: { behindHours: 2 }, spill: true, trunkWindows: 'calls' });
    const { state, buffers } = spilling.exportWindows();
    const moved = structuredClone(state, { transfer: buffers });
    const merged = new Aggregator(emptyReference(), { trunkWindows: 'calls' });
    merged.importWindows(moved);
    expect([...merged.eachCustomer()].length).toBe(12);
    expect(moved.data.buffer.byteLength).toBeGreaterThan(0);
    merged.release();
    expect(moved.data.buffer.byteLength).toBe(0);
    expect([...merged.eachCustomer()]).toEqual([]);
  });
});
