import { describe, expect, it } from 'vitest';
import { DEFAULT_INGEST_OPTIONS, processBatch } from '../../shared/ingest/process-batch.ts';
import { aggregatesSnapshot, versionedIngestPorts } from '../helpers/ingest-ports.ts';
import { cdrBatch, HEADER } from './ingest-cdr-fixtures.ts';

/** Versioned in-memory ports, with an upload that runs every part of a new version of a key. */
function versionedPorts() {
  const { p, putVersion } = versionedIngestPorts();
  let n = 0;
  /** puts a new version of `key` and returns the job its S3 event makes */
  const put = (key: string, body: string | Buffer) => {
    return putVersion(key, `v${++n}`, body);
  };
  /** the first part of `key`'s new version, then every continuation it sends */
  const upload = async (key: string, body: string | Buffer, options = DEFAULT_INGEST_OPTIONS) => {
    const sent = p.queue.sent.length;
    const outcomes = [await processBatch(put(key, body), p, options)];
    for (let i = sent; i < p.queue.sent.length; i++) {
      p.clock.remaining = 100_000;
      outcomes.push(await processBatch(p.queue.sent[i], p, options));
    }
    return outcomes;
  };
  return { p, upload };
}

/** The aggregates of one upload of `body` alone: what each sequence of uploads must come to. */
async function oneUpload(body: string) {
  const { p, upload } = versionedPorts();
  await upload('cdr/only/day.csv', body);
  return aggregatesSnapshot(p.aggregates);
}

const DAY = cdrBatch({
  seed: 5,
  rowsPerWindow: 60,
  customers: ['GOOD', 'ROBO'],
  hours: 2,
  robocallers: ['ROBO'],
});
const ROWS = DAY.trimEnd().split('\n').slice(1);
/** the day file with its first `n` rows, as the switch writes it at some hour */
const upTo = (n: number, eol = '\n') => `${[HEADER, ...ROWS.slice(0, n)].join(eol)}${eol}`;

const FIRST = 'cdr/pbx1/manual-upload.csv';
const DAY_KEY = 'cdr/pbx1/2026-12-05/Master.csv';

describe('a version that extends a repeat under its key', () => {
  it('counts only its rows past the repeat: the same bytes as a batch counted under another key, then grown', async () => {
    const { p, upload } = versionedPorts();
    expect((await upload(FIRST, upTo(100)))[0]).toMatchObject({ status: 'done', calls: 100 });
    const [repeat] = await upload(DAY_KEY, upTo(100));
    expect(repeat).toMatchObject({ status: 'duplicate', calls: 0, reason: expect.stringContaining('bytes') });
    const [grown] = await upload(DAY_KEY, upTo(130));
    expect(grown).toMatchObject({ status: 'done', rows: 30, calls: 30, alreadyCounted: 100 });
    // each call counted once: the aggregates of the grown file uploaded alone
    expect(aggregatesSnapshot(p.aggregates)).toEqual(await oneUpload(upTo(130)));
  });

  it('counts only its rows past the repeat when the repeat had other line ends (the same lines, CRLF)', async () => {
    const { p, upload } = versionedPorts();
    await upload('cdr/sw2/small2.csv', upTo(100));
    const [repeat] = await upload('cdr/le/day.csv', upTo(100, '\r\n'));
    expect(repeat).toMatchObject({ status: 'duplicate', calls: 0, reason: expect.stringContaining('calls') });
    const [grown] = await upload('cdr/le/day.csv', upTo(140, '\r\n'));
    expect(grown).toMatchObject({ status: 'done', calls: 40, alreadyCounted: 100 });
    expect(aggregatesSnapshot(p.aggregates)).toEqual(await oneUpload(upTo(140)));
  });

  it('stays exact when the repeated batch grows too: rows it counted first are a repeat again, later rows counted once', async () => {
    const { p, upload } = versionedPorts();
    await upload(FIRST, upTo(100));
    await upload(DAY_KEY, upTo(100));
    // the original grows first: it counts rows 101-120
    expect((await upload(FIRST, upTo(120)))[0]).toMatchObject({
      status: 'done',
      calls: 20,
      alreadyCounted: 100,
    });
    // the same file under the repeat's key: its rows past the repeat are the ones the original just counted
    const [again] = await upload(DAY_KEY, upTo(120));
    expect(again).toMatchObject({ status: 'duplicate', calls: 0 });
    // then only the day key grows: rows 121-150 are counted there, once
    expect((await upload(DAY_KEY, upTo(150)))[0]).toMatchObject({
      status: 'done',
      calls: 30,
      alreadyCounted: 120,
    });
    expect(aggregatesSnapshot(p.aggregates)).toEqual(await oneUpload(upTo(150)));
  });

  it('counts only its rows past a repeat read in several parts (a big file sent again under another key)', async () => {
    const { p, upload } = versionedPorts();
    const parts = { ...DEFAULT_INGEST_OPTIONS, maxPartWindows: 2, checkEveryRows: 10 };
    const first = await upload(FIRST, upTo(200), parts);
    expect(first.length).toBeGreaterThan(1);
    const repeat = await upload(DAY_KEY, upTo(200), parts);
    expect(repeat.length).toBeGreaterThan(1);
    expect(repeat.every((o) => o.calls === 0)).toBe(true);
    const grown = await upload(DAY_KEY, upTo(ROWS.length), parts);
    expect(grown.reduce((n, o) => n + o.calls, 0)).toBe(ROWS.length - 200);
    expect(aggregatesSnapshot(p.aggregates)).toEqual(await oneUpload(upTo(ROWS.length)));
  });
});

const row = (id: string, start: string, called: string) =>
  `${id},${start},2026-11-27T16:01:02Z,2026-11-27T16:02:00Z,58,RC1,T1,+13124647890,${called},200,ANSWERED,A`;
const R1 = row('r1', '2026-11-27T16:01:00Z', '+16172531000');
const R2 = row('r2', '2026-11-27T16:01:00Z', '+16172531001');
/** a start time without its offset: quarantined wherever it is read */
const R3 = row('r3', '2026-11-27 16:01:00', '+16172531002');
const batchOf = (...rows: string[]) => `${[HEADER, ...rows].join('\n')}\n`;

describe("a repeat's own unusable rows", () => {
  it('are quarantined under its key and in its totals, never lost with the calls counted elsewhere', async () => {
    const { p, upload } = versionedPorts();
    await upload('cdr/rep/A.csv', batchOf(R1, R2));
    const [b] = await upload('cdr/rep/B.csv', batchOf(R1, R2, R3));
    expect(b).toMatchObject({ status: 'duplicate', calls: 0, rows: 3, quarantined: 1 });
    const item = await p.manifest.get(b.batchId as string);
    // rows in = its calls (counted by A.csv) + its quarantined row
    expect(item).toMatchObject({
      repeatOf: expect.stringContaining('cdr/rep/A.csv#'),
      totals: { rows: 3, calls: 0, quarantined: 1, repeated: 2 },
    });
    const quarantine = p.source.quarantine.get('cdr-bucket/quarantine/cdr/rep/B.csv') ?? '';
    expect(
      quarantine
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).line),
    ).toEqual([4]);
    expect(quarantine).toContain('r3,2026-11-27 16:01:00');
  });

  it('are quarantined under both keys when both batches hold them (a copy of the same bytes)', async () => {
    const { p, upload } = versionedPorts();
    const bad = batchOf(R1, R3, R2);
    await upload('cdr/rep/first.csv', bad);
    const [copy] = await upload('cdr/rep/copy.csv', bad);
    expect(copy).toMatchObject({
      status: 'duplicate',
      reason: expect.stringContaining('bytes'),
      quarantined: 1,
    });
    expect(p.source.quarantine.get('cdr-bucket/quarantine/cdr/rep/copy.csv')).toBe(
      p.source.quarantine.get('cdr-bucket/quarantine/cdr/rep/first.csv'),
    );
  });

  it('are its own when another batch holds the same calls with other bad rows (a NUL, invalid UTF-8)', async () => {
    const { p, upload } = versionedPorts();
    // a good row but for its customer id
    const [before, after] = row('r4', '2026-11-27T16:01:00Z', '+16172531004').split('RC1');
    const nulRow = `${before}RC\u0000X${after}`;
    const utf8Row = Buffer.concat([
      Buffer.from(`${before}RC`),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(after),
    ]);
    const lines = (...rows: Array<string | Buffer>) =>
      Buffer.concat([HEADER, ...rows].flatMap((r) => [Buffer.from(r), Buffer.from('\n')]));
    await upload('cdr/hs/nuls.csv', lines(R1, nulRow, R2));
    const [invalid] = await upload('cdr/hs/badutf8.csv', lines(R1, utf8Row, R2));
    expect(invalid).toMatchObject({ status: 'duplicate', calls: 0, quarantined: 1 });
    expect(p.source.quarantine.get('cdr-bucket/quarantine/cdr/hs/badutf8.csv')).toMatch(
      /"line":3,.*not valid UTF-8/,
    );
    // rows that are all bad hold no call: two such batches are never repeats of each other
    const [onlyNul] = await upload('cdr/hs/only-nul.csv', lines(nulRow));
    const [onlyUtf8] = await upload('cdr/hs/only-utf8.csv', lines(utf8Row));
    expect([onlyNul, onlyUtf8]).toMatchObject([
      { status: 'done', quarantined: 1 },
      { status: 'done', quarantined: 1 },
    ]);
  });
});
