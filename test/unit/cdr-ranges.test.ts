import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { aggregateFileInParallel, splitPoints } from '../../cli/analyze-parallel.ts';
import { pushRange } from '../../cli/analyze-range.ts';
import { ANALYZE_TRUNKS } from '../../cli/analyze-trunks.ts';
import { generateCanonicalRows } from '../../scripts/sample/canonical-csv.ts';
import type { CustomerAttribution } from '../../shared/cdr/attribution.ts';
import { BatchParser } from '../../shared/cdr/batch-parser.ts';
import { readBatch } from '../../shared/cdr/read-batch.ts';
import type { QuarantinedRow } from '../../shared/cdr/record.ts';
import { ZoneClock } from '../../shared/cdr/time.ts';
import { parseTrunkMap } from '../../shared/config/trunks.ts';
import { Aggregator, WindowLimitError } from '../../shared/detect/aggregator.ts';
import { emptyReference } from '../../shared/detect/reference.ts';
import { windowKey } from '../../shared/detect/window.ts';
import { UnattributedTally } from '../../shared/ingest/unattributed-summary.ts';
import { nativeFixtureDay } from '../helpers/native-day.ts';

/**
 * A big batch read as byte ranges by several workers: the ranges meet at record boundaries and
 * cover every byte once, a cut inside a quoted field is caught, and the parallel read gives the
 * windows, stats and quarantine of one reader, in or out of time order.
 */

const dir = mkdtempSync(join(tmpdir(), 'traceguard-ranges-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LINES = [...generateCanonicalRows({ rows: 3000, seed: 5, customers: 9 })];
const TEXT = LINES.join('');
/** the same rows as JSON Lines, one object per row */
const NAMES = LINES[0].trim().split(',');
const JSON_LINES = LINES.slice(1).map(
  (l) =>
    `${JSON.stringify(
      Object.fromEntries(
        l
          .trim()
          .split(',')
          .map((v, i) => [NAMES[i], v]),
      ),
    )}\n`,
);
const JSONL = JSON_LINES.join('');

function file(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

async function collect(path: string, gzip: boolean, from: number, to: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  await pushRange({ path, gzip, from, to, header: true }, (b) => parts.push(Buffer.from(b)));
  return Buffer.concat(parts);
}

describe('byte ranges of a batch', () => {
  const plain = file('b.csv', Buffer.from(TEXT));
  const gz = file('b.csv.gz', gzipSync(TEXT));
  const header = Buffer.from(LINES[0]);

  for (const [name, path, gzip] of [
    ['plain', plain, false],
    ['gzip', gz, true],
  ] as const) {
    it(`${name}: two ranges cover every record once, the second after the header`, async () => {
      for (const cut of [header.length - 3, header.length, 1000, 12_345, TEXT.length - 2, TEXT.length + 5]) {
        const first = await collect(path, gzip, 0, cut);
        const second = await collect(path, gzip, cut, Number.POSITIVE_INFINITY);
        expect(second.subarray(0, header.length).equals(header)).toBe(true);
        expect(Buffer.concat([first, second.subarray(header.length)]).toString()).toBe(TEXT);
        // the first range ends just after a newline (or at the end of the batch)
        expect(first.length === TEXT.length || first[first.length - 1] === 10).toBe(true);
      }
    });
  }

  it('JSON Lines: two ranges cover every line once, with no header given to the second', async () => {
    const jsonl = file('b.jsonl', Buffer.from(JSONL));
    for (const cut of [1, 1000, 12_345, JSONL.length - 2, JSONL.length + 5]) {
      const parts: Buffer[][] = [[], []];
      await pushRange({ path: jsonl, gzip: false, from: 0, to: cut, header: false }, (b) =>
        parts[0].push(Buffer.from(b)),
      );
      await pushRange(
        { path: jsonl, gzip: false, from: cut, to: Number.POSITIVE_INFINITY, header: false },
        (b) => parts[1].push(Buffer.from(b)),
      );
      expect(Buffer.concat([...parts[0], ...parts[1]]).toString()).toBe(JSONL);
    }
  });

  it('a cut inside a quoted field leaves the first range with a record open', async () => {
    const quoted = `${LINES[0]}${LINES[1].replace(/,T(\d+),/, ',"T$1\n\nstill the trunk",')}${LINES.slice(2).join('')}`;
    const path = file('q.csv', Buffer.from(quoted));
    const cut = quoted.indexOf('\n\nstill') + 1;
    const parser = new BatchParser({ source: 'q.csv' }, { call: () => {}, quarantine: () => {} });
    await pushRange({ path, gzip: false, from: 0, to: cut, header: true }, (b) => parser.push(b));
    expect(parser.position().pendingBytes).toBeGreaterThan(0);
  });

  it('split points give gzip ranges after the first a smaller share (they also inflate the prefix)', () => {
    expect(splitPoints(1000, 2, false)).toEqual([500, 1000]);
    const [cut, end] = splitPoints(1000, 2, true);
    expect(cut).toBeGreaterThan(500);
    expect(cut).toBeLessThan(600);
    expect(end).toBeGreaterThanOrEqual(999);
  });
});

async function oneReader(path: string, zone: string | null = null, attribution?: CustomerAttribution) {
  const agg = new Aggregator(emptyReference(), { trunkWindows: ANALYZE_TRUNKS });
  const quarantined: QuarantinedRow[] = [];
  const unattributed = new UnattributedTally();
  const { createReadStream } = await import('node:fs');
  const stats = await readBatch(
    createReadStream(path),
    { source: path, format: 'auto', zone: zone ? new ZoneClock(zone) : null, attribution },
    {
      call: (r) => agg.add(r),
      packed: (p) => agg.addPacked(p),
      quarantine: (q) => {
        quarantined.push(q);
        unattributed.quarantined(q);
      },
    },
  );
  return { agg, stats, quarantined, unattributed };
}

/** every window's counts, and the calls per trunk and hour findings show (analyze keeps no trunk windows) */
function windowsOf(agg: Aggregator) {
  const trunkCalls = [...agg.customerWindows().keys()].flatMap((c) =>
    agg.trunkAttemptsOf(c).map((t) => `${c} ${t.trunkId} ${t.hourMs} ${t.attempts}`),
  );
  return [...agg.windows()]
    .map(
      (w) =>
        `${windowKey(w)} ${w.attempts} ${w.answered} ${w.calling.count()} ${w.called.count()} ${w.pairs.count()}`,
    )
    .concat(trunkCalls)
    .sort();
}

describe('analyze in parallel over byte ranges', () => {
  const bad = 'x,yesterday noon,,,,C0001,T1,+12125550143,+12125550101,200,ANSWERED,A,,\n';
  const cases: Array<[string, string]> = [
    [
      'time-ordered, with a quarantined row in each half',
      `${LINES[0]}${bad}${LINES.slice(1, 2000).join('')}${bad}${LINES.slice(2000).join('')}`,
    ],
    // the last 300 rows of the morning arrive at the end: late calls for frozen windows
    [
      'out of time order',
      `${LINES[0]}${LINES.slice(1, 700).join('')}${LINES.slice(1000).join('')}${LINES.slice(700, 1000).join('')}`,
    ],
  ];
  // JSON Lines: no header; a line that is no JSON and one in another shape, in each half
  const notJson = '{"call_id": "x", "start_time": \n';
  const shaped =
    '{"call_id":"y","start_time":"2026-11-27T10:00:00Z","customer_id":"C0001","called_number":"+12125550101","attestation":"A","leg":{"a":1}}\n';
  cases.push(
    [
      'JSON Lines, with a bad line and an odd one in each half',
      `${notJson}${JSON_LINES.slice(0, 1500).join('')}${shaped}${notJson}${JSON_LINES.slice(1500).join('')}${shaped.replace('"y"', '"y2"')}`,
    ],
    [
      'JSON Lines out of time order',
      `${JSON_LINES.slice(0, 700).join('')}${JSON_LINES.slice(1000).join('')}${JSON_LINES.slice(700, 1000).join('')}`,
    ],
    // the last row's line, told by the last range, is the file's
    ['canonical, no line end after its last row', TEXT.slice(0, -1)],
    ['JSON Lines, no line end after its last line', JSONL.slice(0, -1)],
  );
  for (const [name, text] of cases) {
    for (const gzip of [false, true]) {
      it(`${name}${gzip ? ', gzip' : ''}: same windows, stats and quarantine as one reader`, async () => {
        const bytes = gzip ? gzipSync(text) : Buffer.from(text);
        const path = file(`p-${name.length}-${gzip}.csv`, bytes);
        const single = await oneReader(path);
        const agg = new Aggregator(emptyReference(), { trunkWindows: ANALYZE_TRUNKS });
        const quarantined: QuarantinedRow[] = [];
        const read = await aggregateFileInParallel(path, bytes.length, emptyReference(), agg, {
          format: 'auto',
          zone: null,
          count: 2,
          onQuarantine: (_, q) => quarantined.push(q),
        });
        expect(read).not.toBeNull();
        const stats = read?.stats;
        expect({ ...stats, source: '' }).toEqual({ ...single.stats, source: '' });
        expect(stats?.openLastRowLine).toBe(name.includes('no line end') ? text.split('\n').length : null);
        expect(single.quarantined).toHaveLength(name.startsWith('time') || name.includes('bad line') ? 2 : 0);
        expect(stats?.format).toBe(name.startsWith('JSON') ? 'jsonl' : 'canonical');
        expect(quarantined).toEqual(single.quarantined);
        expect(windowsOf(agg)).toEqual(windowsOf(single.agg));
      }, 30_000);
    }
  }

  it('counts a call repeated within one half once, as one reader does', async () => {
    const text = `${LINES[0]}${LINES.slice(1, 100).join('')}${LINES[5]}${LINES.slice(100).join('')}`;
    const path = file('repeat-in-half.csv', Buffer.from(text));
    const single = await oneReader(path);
    const agg = new Aggregator(emptyReference(), { trunkWindows: ANALYZE_TRUNKS });
    const quarantined: QuarantinedRow[] = [];
    const read = await aggregateFileInParallel(path, Buffer.byteLength(text), emptyReference(), agg, {
      format: 'auto',
      zone: null,
      count: 2,
      onQuarantine: (_, q) => quarantined.push(q),
    });
    expect(read).not.toBeNull();
    expect(single.quarantined.map((q) => [q.line, q.reason])).toEqual([
      [101, expect.stringMatching(/^repeats the call 95 line\(s\) above/)],
    ]);
    expect(quarantined).toEqual(single.quarantined);
    expect({ ...read?.stats, source: '' }).toEqual({ ...single.stats, source: '' });
    expect(windowsOf(agg)).toEqual(windowsOf(single.agg));
  });

  it('reads a batch as a whole when a row of its second half repeats a call of the first', async () => {
    const text = `${LINES.join('')}${LINES[5]}`;
    const path = file('repeat-across.csv', Buffer.from(text));
    const single = await oneReader(path);
    expect(single.quarantined).toHaveLength(1);
    expect(single.stats.calls).toBe(LINES.length - 1);
    const read = await aggregateFileInParallel(
      path,
      Buffer.byteLength(text),
      emptyReference(),
      new Aggregator(emptyReference(), { trunkWindows: ANALYZE_TRUNKS }),
      { format: 'auto', zone: null, count: 2 },
    );
    // null: the caller reads the file on one thread, which counts the call once
    expect(read).toBeNull();
  });

  // exports concatenated: a header line again, with its columns in another order (reversed here), and
  // the rows after it written in that order. Each case: its text, its header lines after the first,
  // and whether ranges apply
  const reversed = (line: string) => `${line.trim().split(',').reverse().join(',')}\n`;
  const concatenated: Array<[string, string, number, boolean]> = [
    [
      'the other order in force where the ranges meet: read on one thread',
      `${LINES.slice(0, 1000).join('')}${[LINES[0], ...LINES.slice(1000)].map(reversed).join('')}`,
      1,
      false,
    ],
    [
      'the other order only in the first half, the first back before the ranges meet',
      `${LINES.slice(0, 800).join('')}${[LINES[0], ...LINES.slice(800, 1200)].map(reversed).join('')}${LINES[0]}${LINES.slice(1200).join('')}`,
      2,
      true,
    ],
    [
      'the other order only in the second half',
      `${LINES.slice(0, 2500).join('')}${[LINES[0], ...LINES.slice(2500)].map(reversed).join('')}`,
      1,
      true,
    ],
    // ranges could read its rows, but their reasons would not name the columns as it does
    [
      'the same order, spelled another way, in force where the ranges meet: read on one thread',
      `${LINES.slice(0, 1000).join('')}${LINES[0].toUpperCase().replaceAll('_', ' ')}${LINES.slice(1000).join('')}`,
      1,
      false,
    ],
  ];
  for (const [name, text, headers, inRanges] of concatenated) {
    for (const gzip of [false, true]) {
      it(`a header line again, ${name}${gzip ? ', gzip' : ''}: what one reader reads`, async () => {
        const bytes = gzip ? gzipSync(text) : Buffer.from(text);
        const path = file(`concat-${name.length}-${gzip}.csv`, bytes);
        const single = await oneReader(path);
        // every row a call, every header line after the first quarantined as one
        expect(single.quarantined.map((q) => q.reason)).toEqual(
          Array(headers).fill('repeats the header (files concatenated?)'),
        );
        expect(single.stats).toMatchObject({ calls: LINES.length - 1, quarantined: headers });
        const agg = new Aggregator(emptyReference(), { trunkWindows: ANALYZE_TRUNKS });
        const quarantined: QuarantinedRow[] = [];
        const read = await aggregateFileInParallel(path, bytes.length, emptyReference(), agg, {
          format: 'auto',
          zone: null,
          count: 2,
          quarantineToFile: true,
          onQuarantine: (_, q) => quarantined.push(q),
        });
        if (!inRanges) {
          // the range after the cut would read its rows by the first header: the caller reads the
          // file on one thread
          expect(read).toBeNull();
          return;
        }
        expect(read).not.toBeNull();
        expect({ ...read?.stats, source: '' }).toEqual({ ...single.stats, source: '' });
        expect(quarantined).toEqual(single.quarantined);
        expect(windowsOf(agg)).toEqual(windowsOf(single.agg));
      }, 30_000);
    }
  }

  // native switch CSV has no header: each range is read as the layout the first row shows. Rows of
  // the fixtures over twelve hours, some without an account code (found by the trunk map, or
  // quarantined as unattributed), a row with a bad time in each half
  const NY = 'America/New_York';
  const trunks = parseTrunkMap(
    readFileSync(join(import.meta.dirname, '../fixtures/native/trunks.csv'), 'utf8'),
    'trunks.csv',
  );
  // a bad start time after the first row of every sixth hour
  const badTime = (row: string, h: number, copy: number, i: number) =>
    h % 6 === 0 && copy === 0 && i === 0 ? row.replace(/"2026-11-27 \d\d:/, '"2026-11-27 25:') : null;
  const nativeDay = (fixture: string, switchId: string) => ({
    text: `${nativeFixtureDay(fixture, 8, 20, 40, badTime).join('\n')}\n`,
    attribution: trunks.forSwitch(switchId),
  });
  const asterisk = nativeDay('asterisk-no-accountcode.csv', 'pbx-asterisk-1');
  const freeswitch = nativeDay('freeswitch-no-accountcode.csv', 'pbx-freeswitch-1');
  const natives: Array<[string, string, 'asterisk' | 'freeswitch', CustomerAttribution | undefined]> = [
    ['Asterisk, with a trunk map', asterisk.text, 'asterisk', asterisk.attribution],
    ['Asterisk, without one (unattributed rows)', asterisk.text, 'asterisk', undefined],
    ['FreeSWITCH, with a trunk map', freeswitch.text, 'freeswitch', freeswitch.attribution],
  ];
  for (const [name, text, layout, attribution] of natives) {
    it(`${name}: same windows, stats, quarantine and unattributed rows as one reader`, async () => {
      const path = file(`native-${name.length}.csv`, Buffer.from(text));
      const single = await oneReader(path, NY, attribution);
      const agg = new Aggregator(emptyReference(), { trunkWindows: ANALYZE_TRUNKS });
      const quarantined: QuarantinedRow[] = [];
      const read = await aggregateFileInParallel(path, Buffer.byteLength(text), emptyReference(), agg, {
        format: 'auto',
        zone: NY,
        count: 2,
        attribution,
        quarantineToFile: true,
        onQuarantine: (_, q) => quarantined.push(q),
      });
      expect(read).not.toBeNull();
      expect(read?.stats.format).toBe(layout);
      expect({ ...read?.stats, source: '' }).toEqual({ ...single.stats, source: '' });
      expect(single.stats.calls).toBeGreaterThan(1000);
      expect(quarantined).toEqual(single.quarantined);
      // the two planted bad start times, named by the file's own column (start, start_stamp)
      expect(quarantined.filter((q) => /^start(_stamp)? '/.test(q.reason))).toHaveLength(2);
      expect(read?.unattributed.counts()).toEqual(single.unattributed.counts());
      // the fixtures' peers the map does not cover stay unattributed either way
      expect(single.unattributed.unattributed).toBeGreaterThan(0);
      expect(windowsOf(agg)).toEqual(windowsOf(single.agg));
    }, 30_000);
  }

  it('workers whose windows together pass the run limit fail it at once (no second read on one thread)', async () => {
    const text = `${LINES[0]}${LINES.slice(1).join('')}`;
    const path = file('p-limit.csv', Buffer.from(text));
    // each worker holds its share; the main thread, allowed fewer windows than the day has, refuses them
    const agg = new Aggregator(emptyReference(), { trunkWindows: ANALYZE_TRUNKS, maxWindows: 3 });
    await expect(
      aggregateFileInParallel(path, Buffer.byteLength(text), emptyReference(), agg, {
        format: 'auto',
        zone: null,
        count: 2,
      }),
    ).rejects.toThrow(WindowLimitError);
  }, 30_000);
});
