import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LAYOUT_RECORDS, nativeLayoutOf } from '../../shared/cdr/batch-lead.ts';
import { checkBatchStart } from '../../shared/cdr/read-batch.ts';
import { ZoneClock } from '../../shared/cdr/time.ts';
import { HEADER, parse } from '../helpers/parse.ts';

/**
 * A headerless batch read as `auto` (the default) has its layout told by its first several records,
 * not its first alone: one bad row at the start is quarantined like any bad row, and the batch is
 * read as it is with its format given. A batch none of whose first records has a layout is refused.
 */

const NY = new ZoneClock('America/New_York');

/** An Asterisk cdr_csv row, every text field quoted as Asterisk writes them; `n` makes it its own call. */
const asterisk = (n: number, userfield = '') =>
  [
    `C${n % 3}`,
    `20255501${String(n % 100).padStart(2, '0')}`,
    '3125550199',
    'from-trunk',
    '"Acme" <2025550143>',
    `SIP/carrier-a-${String(n).padStart(8, '0')}`,
    'SIP/out-00000020',
    'Dial',
    'SIP/out/3125550199,60',
    `2026-11-27 11:${String(n % 60).padStart(2, '0')}:07`,
    '2026-11-27 11:59:10',
    '2026-11-27 12:00:10',
    '63',
    '60',
    'ANSWERED',
    'DOCUMENTATION',
    `1764261067.${n}`,
    userfield,
  ]
    .map((f) => `"${f.replaceAll('"', '""')}"`)
    .join(',');

/** A FreeSWITCH mod_cdr_csv row of the default template. */
const freeswitch = (n: number) =>
  `"Agent","+12025551000","13125552000","C${n % 2}","2026-11-27 11:00:${String(n % 60).padStart(2, '0')}","2026-11-27 11:00:59","2026-11-27 11:01:59","59","59","NORMAL_CLEARING","u-${n}","","K1","PCMU","PCMU"`;

/** The 14-field first line of a tester's batch: an Asterisk row cut short. */
const CUT_SHORT =
  '"","2027365000","3017365001","from-trunk","""Smith, John 0"" <2027365000>","SIP/acme-00000001","SIP/out-00000002","Dial","SIP/out/3017365001,60,tTr","2026-11-20 09:15:00","2026-11-20 09:15:07","2026-11-20 09:17:10","128","123"';

describe('auto: the layout of a headerless batch is told by its first records', () => {
  it('one bad first row is quarantined; the batch reads as it does with its format given', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => asterisk(i, i === 4 ? 'multi\nline' : ''));
    const text = `${CUT_SHORT}\n${rows.join('\n')}\n`;
    const given = await parse(text, { format: 'asterisk', zone: NY });
    for (const chunk of [7, 300, undefined]) {
      const auto = await parse(text, { zone: NY, chunk });
      expect(auto).toEqual(given);
    }
    expect(given.stats).toMatchObject({ format: 'asterisk', rows: 13, calls: 12, quarantined: 1 });
    expect(given.quarantined.map((q) => [q.line, q.reason])).toEqual([
      [1, 'has 14 fields, Asterisk cdr_csv has 16 to 21'],
    ]);
  });

  it('a batch of fewer records than that: told by the ones it has', async () => {
    const { stats, quarantined } = await parse(`${CUT_SHORT}\n${asterisk(1)}\n`, { zone: NY });
    expect(stats).toMatchObject({ format: 'asterisk', rows: 2, calls: 1, quarantined: 1 });
    expect(quarantined[0].line).toBe(1);
  });

  it('FreeSWITCH after two bad lines; the layout most of the first records have decides', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => freeswitch(i));
    const text = `junk,line\n${asterisk(99)}\n${rows.join('\n')}\n`;
    const { stats, quarantined } = await parse(text, { zone: NY });
    expect(stats).toMatchObject({ format: 'freeswitch', rows: 12, calls: 10, quarantined: 2 });
    expect(quarantined.map((q) => [q.line, q.reason])).toEqual([
      [1, 'has 2 fields, the FreeSWITCH default template has 15'],
      [2, 'has 18 fields, the FreeSWITCH default template has 15'],
    ]);
  });

  it('blank lines before the rows decide nothing', async () => {
    const { stats } = await parse(`\n   \n${CUT_SHORT}\n${asterisk(1)}\n${asterisk(2)}\n`, { zone: NY });
    expect(stats).toMatchObject({ format: 'asterisk', rows: 3, calls: 2, quarantined: 1 });
  });

  it('refuses a batch none of whose first records has a layout, saying what its first line is; one is enough', async () => {
    // a random text file, and text rows after a junk line
    await expect(parse('hello,world\nfoo,bar\nbaz\n', { zone: NY })).rejects.toThrow(
      /^test\.csv: line 1: not a CDR batch: no CSV header \(it names no column Traceguard knows: call_id, start_time, \.\.\.\) and not an Asterisk or FreeSWITCH layout \(2 fields\)$/,
    );
    // a log line with semicolons in it is no header separated by semicolons
    const syslog =
      'Mar 27 16:00:00 sip1 /usr/sbin/kamailio[123]: ACC: transaction answered: timestamp=1795795200;method=INVITE;from_tag=a;to_tag=b;call_id=x@y;code=200;reason=OK;src_user=2024561111;dst_user=13015552671\n';
    await expect(parse(syslog, { zone: NY })).rejects.toThrow(
      /^test\.csv: line 1: not a CDR batch: no CSV header \(it names no column Traceguard knows: call_id, start_time, \.\.\.\) and not an Asterisk or FreeSWITCH layout \(1 field\)$/,
    );
    // a header of names separated so still says how, known names or not
    for (const header of ['Call ID;Start Time;Customer', 'Anruf;Beginn;Kunde', '"id";"from";"to"'])
      await expect(parse(`${header}\n1;2;3\n`, { zone: NY })).rejects.toThrow(
        /line 1: not a CDR batch: the header is separated by semicolons; CDR CSV is comma-separated/,
      );
    // a canonical CSV missing a required column: its rows are no native rows either
    const noCustomer = HEADER.replace('customer_id,', '');
    await expect(
      parse(`${noCustomer}\na,2026-11-27T16:00:00Z,,,5,T1,2025550143,3125550199,200,,A,,\n`),
    ).rejects.toThrow(/line 1: header lacks required column\(s\) customer_id$/);
    // a native row after as many bad ones as the records it is told from: not looked for; one
    // bad line fewer, and it is
    const junk = (n: number) => Array.from({ length: n }, (_, i) => `junk,${i}`).join('\n');
    await expect(parse(`${junk(LAYOUT_RECORDS)}\n${asterisk(1)}\n`, { zone: NY })).rejects.toThrow(
      /line 1: not a CDR batch/,
    );
    const { stats } = await parse(`${junk(LAYOUT_RECORDS - 1)}\n${asterisk(1)}\n`, { zone: NY });
    expect(stats).toMatchObject({ format: 'asterisk', calls: 1, quarantined: LAYOUT_RECORDS - 1 });
  });

  it('the layout is told the same way before a batch is cut into ranges', () => {
    const text = `${CUT_SHORT}\n${asterisk(1)}\n${asterisk(2)}\n`;
    expect(nativeLayoutOf(Buffer.from(text))).toBe('asterisk');
    expect(nativeLayoutOf(Buffer.from(`junk,line\n${freeswitch(1)}\n${freeswitch(2)}\n`))).toBe('freeswitch');
    expect(nativeLayoutOf(Buffer.from('hello,world\nfoo,bar\n'))).toBeNull();
  });

  it('upload checks a batch with a bad first row as ingest reads it: readable', async () => {
    async function* body() {
      yield Buffer.from(`${CUT_SHORT}\n${asterisk(1)}\n`);
    }
    const stats = await checkBatchStart(body(), { source: 'Master.csv', zone: NY });
    expect(stats).toMatchObject({ format: 'asterisk', rows: 2 });
  });

  it('any Asterisk batch with one junk line before it still reads all its rows, as they read without it', async () => {
    const junk = fc
      .array(fc.stringMatching(/^[a-z0-9 ]{0,12}$/), { minLength: 1, maxLength: 25 })
      .filter((fields) => fields.join('').trim() !== '')
      .map((fields) => fields.join(','));
    await fc.assert(
      fc.asyncProperty(
        junk,
        fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 4096 }),
        async (bad, ids, chunk) => {
          const rows = ids.map((n, i) => asterisk(n * 100 + i));
          const good = await parse(`${rows.join('\n')}\n`, { zone: NY });
          const withJunk = await parse(`${bad}\n${rows.join('\n')}\n`, { zone: NY, chunk });
          expect(withJunk.stats).toMatchObject({
            format: 'asterisk',
            rows: good.stats.rows + 1,
            calls: good.stats.calls,
          });
          expect(withJunk.calls.map((c) => [c.callId, c.line - 1, c.startMs])).toEqual(
            good.calls.map((c) => [c.callId, c.line, c.startMs]),
          );
          expect(withJunk.quarantined[0].line).toBe(1);
          expect(withJunk.quarantined.slice(1).map((q) => [q.line - 1, q.reason])).toEqual(
            good.quarantined.map((q) => [q.line, q.reason]),
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});
