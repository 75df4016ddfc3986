import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { repeatedHourSummary } from '../../shared/cdr/repeated-hour.ts';
import {
  parseTimestamp,
  WALL_REPEATED,
  WALL_SINGLE,
  WALL_SKIPPED,
  ZoneClock,
} from '../../shared/cdr/time.ts';
import { parseSwitchConfig } from '../../shared/config/switches.ts';
import { processBatch } from '../../shared/ingest/process-batch.ts';
import { ingestJob, memoryIngestPorts, TEST_BUCKET } from '../helpers/ingest-ports.ts';
import { parse } from '../helpers/parse.ts';

/**
 * Local wall-clock times on the days clocks change: the hour they go back holds each wall time twice,
 * the hour they go forward none. Neither may be read silently as some instant.
 */
const NY = new ZoneClock('America/New_York');
const utc = (text: string) => Date.parse(text);

describe('ZoneClock.localToUtc on clock-change days', () => {
  it('gives both instants of a repeated wall time, the first returned', () => {
    expect(parseTimestamp('2026-11-01 01:30:00', NY)).toBe(utc('2026-11-01T05:30:00Z')); // EDT
    expect(NY.wallKind).toBe(WALL_REPEATED);
    expect(NY.laterMs).toBe(utc('2026-11-01T06:30:00Z')); // EST
    // the hour's edges: 01:00 is repeated, 00:59:59 and 02:00 are not
    expect(parseTimestamp('2026-11-01 01:00:00', NY)).toBe(utc('2026-11-01T05:00:00Z'));
    expect(NY.wallKind).toBe(WALL_REPEATED);
    expect(parseTimestamp('2026-11-01 00:59:59', NY)).toBe(utc('2026-11-01T04:59:59Z'));
    expect(NY.wallKind).toBe(WALL_SINGLE);
    expect(parseTimestamp('2026-11-01 02:00:00', NY)).toBe(utc('2026-11-01T07:00:00Z'));
    expect(NY.wallKind).toBe(WALL_SINGLE);
  });

  it('gives no instant for a wall time the clocks skip', () => {
    expect(parseTimestamp('2026-03-08 02:30:00', NY)).toBeNaN();
    expect(NY.wallKind).toBe(WALL_SKIPPED);
    expect(parseTimestamp('2026-03-08 01:59:59', NY)).toBe(utc('2026-03-08T06:59:59Z'));
    expect(NY.wallKind).toBe(WALL_SINGLE);
    expect(parseTimestamp('2026-03-08 03:00:00', NY)).toBe(utc('2026-03-08T07:00:00Z'));
    expect(NY.wallKind).toBe(WALL_SINGLE);
  });

  it('knows the southern hemisphere changes the other way round', () => {
    const sydney = new ZoneClock('Australia/Sydney');
    // back on 5 April 2026 at 03:00 (02:00-03:00 twice), forward on 4 October at 02:00
    expect(sydney.localToUtc(Date.UTC(2026, 3, 5, 2, 30))).toBe(utc('2026-04-04T15:30:00Z'));
    expect(sydney.wallKind).toBe(WALL_REPEATED);
    expect(sydney.laterMs).toBe(utc('2026-04-04T16:30:00Z'));
    expect(sydney.localToUtc(Date.UTC(2026, 9, 4, 2, 30))).toBeNaN();
    expect(sydney.wallKind).toBe(WALL_SKIPPED);
  });

  it('reads each wall time as exactly the instants that show it (property)', () => {
    const zones = ['America/New_York', 'America/Chicago', 'Europe/London', 'Australia/Sydney', 'Asia/Tokyo'];
    const clocks = zones.map((z) => new ZoneClock(z));
    // wall times in a few days around every change of 2026, to the minute
    const changes = [Date.UTC(2026, 2, 8), Date.UTC(2026, 2, 29), Date.UTC(2026, 3, 5)];
    changes.push(Date.UTC(2026, 9, 4), Date.UTC(2026, 9, 25), Date.UTC(2026, 10, 1));
    const wall = fc
      .tuple(fc.constantFrom(...changes), fc.integer({ min: -2 * 24 * 60, max: 2 * 24 * 60 }))
      .map(([day, minutes]) => day + minutes * 60_000);
    fc.assert(
      fc.property(fc.nat(clocks.length - 1), wall, (i, wallMs) => {
        const clock = clocks[i];
        // every instant within 15 h of the wall time, by the minute, that the zone shows as it
        const shows: number[] = [];
        for (let t = wallMs - 15 * 3_600_000; t <= wallMs + 15 * 3_600_000; t += 60_000)
          if (t + clock.offsetAt(t) === wallMs) shows.push(t);
        const ms = clock.localToUtc(wallMs);
        const read = clock.wallKind === WALL_SKIPPED ? [] : [ms];
        if (clock.wallKind === WALL_REPEATED) read.push(clock.laterMs);
        expect(read).toEqual(shows);
      }),
      { numRuns: 400 },
    );
  });
});

/** one Asterisk cdr_csv row (17 columns, the uniqueid last; '' for none) */
function asterisk(
  start: string,
  answer: string,
  end: string,
  uniqueid: string,
  called = '13127365101',
): string {
  const fields = ['ACME', '2127365000', called, 'from-internal', '"" <2127365000>', 'SIP/acme-00000001'];
  fields.push(
    'SIP/carrier-00000002',
    'Dial',
    '',
    start,
    answer,
    end,
    '65',
    '60',
    'ANSWERED',
    'DOCUMENTATION',
  );
  return [...fields, uniqueid].map((f) => `"${f.replaceAll('"', '""')}"`).join(',');
}

describe('an Asterisk Master.csv across both clock changes of a New York switch', () => {
  const epoch = (iso: string) => `${utc(iso) / 1000}.7`;
  const rows = [
    // 1: not in the repeated hour, its end is (the first 01:00:35, after the start)
    asterisk(
      '2026-11-01 00:59:30',
      '2026-11-01 00:59:35',
      '2026-11-01 01:00:35',
      epoch('2026-11-01T04:59:30Z'),
    ),
    // 2, 3: 01:30 twice; the uniqueid says which
    asterisk(
      '2026-11-01 01:30:00',
      '2026-11-01 01:30:05',
      '2026-11-01 01:31:05',
      epoch('2026-11-01T05:30:00Z'),
    ),
    asterisk(
      '2026-11-01 01:30:00',
      '2026-11-01 01:30:05',
      '2026-11-01 01:31:05',
      epoch('2026-11-01T06:30:00Z'),
    ),
    // 4: the uniqueid with a systemname before it
    asterisk('2026-11-01 01:45:00', '', '2026-11-01 01:45:20', `pbx1-${epoch('2026-11-01T06:45:00Z')}`),
    // 5: a start late in the first 01:xx, an end early in the second: the end is the second
    asterisk(
      '2026-11-01 01:59:30',
      '2026-11-01 01:59:35',
      '2026-11-01 01:00:35',
      epoch('2026-11-01T05:59:30Z'),
    ),
    // 6: no uniqueid to tell: the first, counted
    asterisk('2026-11-01 01:10:00', '', '2026-11-01 01:10:10', 'line-id'),
    // 7: a uniqueid far from both (a record started later, after a transfer): the first, counted
    asterisk('2026-11-01 01:20:00', '', '2026-11-01 01:20:10', epoch('2026-11-01T04:00:00Z')),
    // 8: 02:30 on 8 March does not exist in New York
    asterisk(
      '2026-03-08 02:30:00',
      '2026-03-08 02:30:05',
      '2026-03-08 02:31:05',
      epoch('2026-03-08T07:30:00Z'),
    ),
    // 9: an end in the skipped hour
    asterisk('2026-03-08 01:59:00', '', '2026-03-08 02:00:10', epoch('2026-03-08T06:59:00Z')),
  ];

  it('stores the instants the rows tell, quarantines the times that do not exist, counts the guesses', async () => {
    const { calls, quarantined, stats } = await parse(`${rows.join('\n')}\n`, { zone: NY });
    expect(stats.format).toBe('asterisk');
    const at = (line: number) => calls.find((c) => c.line === line);
    const iso = (ms: number | null | undefined) => (ms == null ? ms : new Date(ms).toISOString());
    expect(iso(at(1)?.endMs)).toBe('2026-11-01T05:00:35.000Z');
    expect(iso(at(2)?.startMs)).toBe('2026-11-01T05:30:00.000Z');
    expect([at(3)?.startMs, at(3)?.answerMs, at(3)?.endMs].map(iso)).toEqual([
      '2026-11-01T06:30:00.000Z',
      '2026-11-01T06:30:05.000Z',
      '2026-11-01T06:31:05.000Z',
    ]);
    expect(iso(at(4)?.startMs)).toBe('2026-11-01T06:45:00.000Z');
    expect([at(5)?.startMs, at(5)?.endMs].map(iso)).toEqual([
      '2026-11-01T05:59:30.000Z',
      '2026-11-01T06:00:35.000Z',
    ]);
    expect(iso(at(6)?.startMs)).toBe('2026-11-01T05:10:00.000Z');
    expect(iso(at(7)?.startMs)).toBe('2026-11-01T05:20:00.000Z');
    expect(quarantined.map((q) => [q.line, q.reason])).toEqual([
      [
        8,
        "start '2026-03-08 02:30:00' does not exist in America/New_York: its clocks skip that hour when they go forward, so the switch's clock or its time zone in the switch configuration is wrong",
      ],
      [9, expect.stringMatching(/^end '2026-03-08 02:00:10' does not exist in America\/New_York: /)],
    ]);
    expect(stats).toMatchObject({ rows: 9, calls: 7, quarantined: 2, repeatedHourGuessed: 2 });
  });

  it('says the guesses once per batch, with the fix', () => {
    expect(repeatedHourSummary('Master.csv', 2, 9, 'America/New_York')).toBe(
      '2 of 9 rows in Master.csv start in the hour that America/New_York lives twice when its clocks go back, ' +
        'and nothing in them tells which of the two: each is read as the first, an hour early if the call was in the second; ' +
        'have the switch write its times in UTC or with their offset',
    );
    expect(repeatedHourSummary('Master.csv', 0, 9, 'America/New_York')).toBeNull();
  });
});

describe('FreeSWITCH rows in the repeated hour (the default template carries no epoch)', () => {
  const fs = (start: string, uuid: string) =>
    `"Acme","2025550143","3125550199","acme","${start}","","${start}","0","0","NO_ANSWER","${uuid}","","ACCT9","PCMU","PCMU"`;
  const batch = `${[fs('2026-11-01 00:30:00', 'u-1'), fs('2026-11-01 01:30:00', 'u-2'), fs('2026-11-01 01:40:00', 'u-3')].join('\n')}\n`;

  it('reads them as the first occurrence and counts them', async () => {
    const { calls, stats } = await parse(batch, { zone: NY });
    expect(calls.map((c) => new Date(c.startMs).toISOString())).toEqual([
      '2026-11-01T04:30:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T05:40:00.000Z',
    ]);
    expect(stats.repeatedHourGuessed).toBe(2);
  });

  it('ingest warns once for the batch part, naming the switch', async () => {
    const key = 'cdr/pbx-fs-1/2026-11-01/fs.csv';
    const p = memoryIngestPorts();
    p.reference.switchConfig = parseSwitchConfig(
      'switch_id,format,timezone\npbx-fs-1,freeswitch,America/New_York\n',
      'switches.csv',
    );
    p.source.put(TEST_BUCKET, key, batch);
    const out = await processBatch(ingestJob(key, batch), p);
    expect(out).toMatchObject({ status: 'done', rows: 3, calls: 3 });
    const warnings = p.log.lines.filter(
      (l) => l.level === 'warn' && l.fields?.repeatedHourGuessed !== undefined,
    );
    expect(warnings.map((w) => [w.message, w.fields?.repeatedHourGuessed])).toEqual([
      [repeatedHourSummary(`s3://${TEST_BUCKET}/${key} (switch pbx-fs-1)`, 2, 3, 'America/New_York'), 2],
    ]);
  });
});
