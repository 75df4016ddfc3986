import { describe, expect, it } from 'vitest';
import { anonymousKeyFile, KeyFileReader, KeyFileWriter } from '../../cli/key-file.ts';
import { generateCanonicalRows } from '../../scripts/sample/canonical-csv.ts';
import { BatchParser } from '../../shared/cdr/batch-parser.ts';
import { HOUR_MS } from '../../shared/cdr/time.ts';
import { Aggregator, type AggregatorOptions, spillReserveBytes } from '../../shared/detect/aggregator.ts';
import { type CustomerPart, readCustomers } from '../../shared/detect/aggregator-transfer.ts';
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
 * Bounded-memory aggregation for one big batch (analyze's worker threads): writing out the hours the
 * input has left behind, reopening an hour a late call reaches, and merging contiguous shares of the
 * input, must all give exactly the windows one plain reader gives.
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

/**
 * Contiguous shares of the rows read apart, as analyze's workers read them, moved as numbers and
 * imported in input order.
 */
function importedShares(shares: string[][], opts: AggregatorOptions = {}): Aggregator {
  const merged = new Aggregator(emptyReference(), { trunkWindows: opts.trunkWindows });
  for (const rows of shares) {
    const { state, buffers } = aggregate(rows, opts).exportWindows();
    merged.importWindows(structuredClone(state, { transfer: buffers }));
  }
  return merged;
}

/** a spilling reader keeps trunk calls, not whole trunk windows (analyze's workers do the same) */
const modeOf = (spill: boolean): AggregatorOptions => (spill ? { trunkWindows: 'calls' } : {});

/** every 7th row of the first six hours moved to the end: hours long written out get calls again */
const LATE = (() => {
  const early = DATA.filter((_, i) => i < DATA.length / 4 && i % 7 === 0);
  return [...DATA.filter((_, i) => !(i < DATA.length / 4 && i % 7 === 0)), ...early];
})();

/** Calls `fn` with the hour index of each of a part's hours, as written: spilled ones, then its record's. */
function forEachPartHour(part: CustomerPart, fn: (hourIdx: number) => void): void {
  const src = part.src;
  for (const at of part.spilled) {
    src.seek(at);
    fn(src.num());
  }
  src.seek(part.at);
  for (let h = src.num(); h > 0; h--) {
    fn(src.num());
    src.num(); // flags
  }
}

/** the records each customer's hour is in, by customer and hour, in a transfer */
function recordsPerHour(state: ReturnType<Aggregator['exportWindows']>['state']): Map<string, number> {
  const records = new Map<string, number>();
  for (const item of readCustomers(state, TRUNKS_CALLS)) {
    if (!('part' in item)) continue;
    forEachPartHour(item.part, (hourIdx) => {
      const key = `${item.customer}|${hourIdx}`;
      records.set(key, (records.get(key) ?? 0) + 1);
    });
  }
  return records;
}

describe('bounded-memory aggregation', () => {
  it.each([1, 2])(
    'a reader writing out the hours it left %i behind holds only the hours still open, and imported equals one plain reader',
    (behindHours) => {
      const reader = aggregate(DATA, { trunkWindows: 'calls', spill: { behindHours } });
      // its windows are no longer all in memory: it hands none out, it only exports
      expect(() => [...reader.windows()]).toThrow(/spilled hours for export/);
      expect(() => reader.trunkAttemptsOf('C0001')).toThrow(/spilled hours for export/);
      const { state } = reader.exportWindows();
      const spilled: number[] = [];
      const kept: number[] = [];
      for (const item of readCustomers(state, TRUNKS_CALLS)) {
        if (!('part' in item)) continue;
        const { part } = item;
        let n = 0;
        forEachPartHour(part, (hourIdx) => {
          if (n++ < part.spilled.length) spilled.push(hourIdx);
          else kept.push(hourIdx);
        });
      }
      // in time order every hour went out once, as the input left it behind, but the last ones
      const last = Math.max(...kept);
      expect(kept.every((h) => h > last - behindHours)).toBe(true);
      expect(Math.max(...spilled)).toBeLessThanOrEqual(last - behindHours);
      expect([...recordsPerHour(state).values()].every((n) => n === 1)).toBe(true);
      const merged = new Aggregator(emptyReference(), { trunkWindows: 'calls' });
      merged.importWindows(state);
      expect(summary(merged)).toEqual(summary(aggregate(DATA, { trunkWindows: 'calls' })));
    },
  );

  it('a late call opens an hour already written out again, and the importer merges the two exactly', () => {
    const reader = aggregate(LATE, { trunkWindows: 'calls', spill: { behindHours: 1 } });
    const { state, buffers } = reader.exportWindows();
    const moved = structuredClone(state, { transfer: buffers });
    // the moved rows reach the first six hours again: those hours are in two records
    const twice = [...recordsPerHour(moved)].filter(([, n]) => n === 2).map(([key]) => key.split('|')[1]);
    expect(new Set(twice).size).toBeGreaterThanOrEqual(4);
    const merged = new Aggregator(emptyReference(), { trunkWindows: 'calls' });
    merged.importWindows(moved);
    expect(summary(merged)).toEqual(summary(aggregate(DATA, { trunkWindows: 'calls' })));
  });

  it.each([false, true])(
    'contiguous shares aggregated apart (spilling hours: %s) and imported in input order equal one reader',
    (spill) => {
      const whole = aggregate(DATA, modeOf(spill));
      for (const cut of [1, 777, 2500, 4321, DATA.length - 1]) {
        const merged = importedShares([DATA.slice(0, cut), DATA.slice(cut)], {
          ...(spill ? { spill: { behindHours: 1 } } : {}),
          ...modeOf(spill),
        });
        expect(summary(merged)).toEqual(summary(whole));
        expect([...merged.customerWindows().keys()]).toEqual([...whole.customerWindows().keys()]);
      }
    },
  );

  it('shares that both hold hours the first wrote out long before merge exactly, with no second pass', () => {
    // the second share starts with rows of the first half's hours, then continues at hour 12
    const cut = DATA.length / 2;
    const stray = DATA.filter((_, i) => i < cut && i % 50 === 0);
    const rows = [...DATA.slice(0, cut).filter((_, i) => i % 50 !== 0), ...stray, ...DATA.slice(cut)];
    const split = cut - stray.length;
    const merged = importedShares([rows.slice(0, split), rows.slice(split)], {
      spill: { behindHours: 1 },
      ...modeOf(true),
    });
    expect(summary(merged)).toEqual(summary(aggregate(DATA, modeOf(true))));
  });

  it('a window reused after it was written out is as empty as a new one, whatever its sets had become', () => {
    const used = emptyWindow('C1', 'T1', 7 * HOUR_MS, 100, 40);
    for (let k = 0; k < 500; k++) {
      used.calling.add(1_000_000 + k); // past the limit: HyperLogLog
      used.called.add(k);
      used.pairs.add(k * 7);
    }
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

  it('a spilling reader reserves as many bytes as its input, at most 2^28 of them', () => {
    expect(spillReserveBytes(4_000_000)).toBe(4_000_000);
    expect(spillReserveBytes(2 ** 40)).toBe(2 ** 28);
  });

  it('a spilling reader keeps no whole trunk windows', () => {
    expect(() => new Aggregator(emptyReference(), { spill: { behindHours: 1 }, trunkWindows: true })).toThrow(
      /trunk windows/,
    );
  });

  it('a reader that writes out the hours it left behind equals one plain reader however late the calls, trunk calls included', () => {
    const opts: AggregatorOptions = { trunkWindows: 'calls', spill: { behindHours: 2 } };
    // shuffled: every hour reached again long after it was written out
    const shuffled = DATA.map((line, i) => ({ line, k: (i * 7919) % DATA.length }))
      .sort((a, b) => a.k - b.k)
      .map((r) => r.line);
    const expected = summary(aggregate(DATA, { trunkWindows: 'calls' }));
    for (const rows of [DATA, LATE, shuffled]) {
      const { state } = aggregate(rows, opts).exportWindows();
      const merged = new Aggregator(emptyReference(), { trunkWindows: 'calls' });
      merged.importWindows(state);
      expect(summary(merged)).toEqual(expected);
      // calls per trunk hour by hour, each hour's trunks in the order the input first used them
      const trunkCalls = (agg: Aggregator) =>
        [...agg.eachCustomer()].map((c) => [
          c.customerId,
          c.trunkAttempts.sort((a, b) => a.hourMs - b.hourMs),
        ]);
      expect(trunkCalls(merged)).toEqual(trunkCalls(aggregate(rows, { trunkWindows: 'calls' })));
    }
  });

  it('keys kept in a file: windows import, merge and compare hour with hour as with keys in memory, however late the calls', () => {
    const shuffled = DATA.map((line, i) => ({ line, k: (i * 7919) % DATA.length }))
      .sort((a, b) => a.k - b.k)
      .map((r) => r.line);
    /** the rows read in `shares`, each share's keys in a file of its own (or in memory), imported in order */
    const imported = (shares: string[][], inFile: boolean) => {
      const merged = new Aggregator(emptyReference(), { trunkWindows: 'calls' });
      for (const rows of shares) {
        const fd = inFile ? anonymousKeyFile() : null;
        if (inFile) expect(fd).not.toBeNull();
        const keys = fd === null ? undefined : new KeyFileWriter(fd);
        const { state } = aggregate(rows, {
          trunkWindows: 'calls',
          spill: { behindHours: 1, keys },
        }).exportWindows();
        keys?.finish();
        if (fd !== null) state.keys = new KeyFileReader(fd);
        merged.importWindows(state);
        sizes.push(state.data.length);
      }
      return merged;
    };
    const sizes: number[] = [];
    // scoring's view: each set counted, and each hour's calling and called numbers new against the
    // hour before (the sets' keys read back when that compares them)
    const scored = (agg: Aggregator) =>
      [...agg.eachCustomer()].map((c) =>
        c.windows.map((w, i) => [
          w.hourMs,
          w.calling.count(),
          w.called.count(),
          w.pairs.count(),
          i === 0 ? null : w.calling.countNotIn(c.windows[i - 1].calling),
          i === 0 ? null : w.called.countNotIn(c.windows[i - 1].called),
        ]),
      );
    const half = DATA.length / 2;
    for (const shares of [[DATA], [LATE], [shuffled], [DATA.slice(0, half), DATA.slice(half)]]) {
      sizes.length = 0;
      const inMemory = imported(shares, false);
      const memoryBytes = sizes.reduce((a, b) => a + b, 0);
      sizes.length = 0;
      const inFile = imported(shares, true);
      const fileBytes = sizes.reduce((a, b) => a + b, 0);
      expect(summary(imported(shares, true))).toEqual(summary(inMemory));
      expect(scored(inFile)).toEqual(scored(inMemory));
      // the keys are most of what the hours take; in a file, they are not held
      expect(fileBytes).toBeLessThan(memoryBytes / 2);
      inFile.release();
    }
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
    // an hour one share holds alone comes with the counts of its sets, which read their keys from the
    // transfer when first wanted (above, windowToJson wanted the calling numbers and got one reader's);
    // an hour two shares hold was merged from its keys
    const windows = [...merged.eachCustomer()].flatMap((c) => c.windows);
    const alone = windows.find((w) => w.called.isFrozen && w.pairs.isFrozen && w.calling.isFrozen);
    if (!alone) throw new Error('no hour that one share holds alone');
    const count = alone.calling.count();
    expect(alone.calling.toJSON().e).toHaveLength(count);
    expect(alone.calling.isFrozen).toBe(false);
    expect(alone.calling.count()).toBe(count);
    expect(windows.some((w) => !w.called.isFrozen && !w.calling.isFrozen)).toBe(true);
  });

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
    const spilling = aggregate(DATA, { spill: { behindHours: 1 }, trunkWindows: 'calls' });
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
