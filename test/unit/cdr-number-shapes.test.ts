import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runAnalyze } from '../../cli/analyze-run.ts';
import { destinationOf, normalizeCalledNumber, normalizeNumber } from '../../shared/cdr/phone.ts';
import { processBatch } from '../../shared/ingest/process-batch.ts';
import { fileBatches } from '../../shared/traceback/files.ts';
import { lookupInBatches } from '../../shared/traceback/lookup.ts';
import { validateTracebackRequest } from '../../shared/traceback/request.ts';
import { ingestJob, memoryIngestPorts, TEST_BUCKET } from '../helpers/ingest-ports.ts';
import { parse } from '../helpers/parse.ts';

/**
 * Called numbers and caller IDs in shapes switches and exports write that did not read as numbers:
 * a `+` escaped as a URI escapes it (`%2B`), the `#` that ends dialling, a spreadsheet's scientific
 * notation. A called number that did not read became an on-net call, which no rule judges: PSTN
 * traffic escaped every rule without a word.
 */

const called = (raw: string) => destinationOf(normalizeCalledNumber(raw).value);
const E164 = '+13015552671';

describe('a + escaped as %2B', () => {
  it('is read in a SIP or tel URI, behind a display name, and in a bare number, as caller ID and as called number', () => {
    for (const raw of [
      'sip:%2B13015552671@sbc.example;user=phone',
      'sips:%2b13015552671@sbc.example',
      'tel:%2B13015552671',
      '<sip:%2B13015552671@sbc.example;user=phone>',
      '"Front desk" <sip:%2B13015552671@sbc.example>;tag=1',
      '%2B13015552671',
      '%2B13015552671@10.0.0.1',
      '%2B1%20301%20555%202671',
      // a full-width + escaped as its UTF-8 bytes
      '%EF%BC%8B13015552671',
    ]) {
      expect(normalizeNumber(raw), raw).toMatchObject({ value: E164, cls: 'valid' });
      expect(normalizeCalledNumber(raw), raw).toMatchObject({ value: E164, cls: 'valid' });
      expect(called(raw), raw).toBe('pstn');
    }
    // verstat inside the user part is still read
    expect(normalizeNumber('sip:%2B13015552671;verstat=TN-Validation-Passed@h')).toMatchObject({
      value: E164,
      verstat: 'TN-Validation-Passed',
    });
  });

  it('other escapes are decoded too: a user name, 911, a withheld caller ID', () => {
    expect(normalizeCalledNumber('sip:%61lice@pbx').value).toBe('alice');
    expect(called('sip:%61lice@pbx')).toBe('on_net');
    expect(called('sip:%39%31%31@pbx')).toBe('emergency');
    expect(normalizeNumber('sip:Private%20Caller@pbx').cls).toBe('blank');
  });

  it('an escape that decodes to no text is kept as written, invalid; a called one is not on-net', () => {
    for (const raw of ['%2G13015552671', '13015552671%', '%E013015552671']) {
      expect(normalizeNumber(raw), raw).toMatchObject({ value: raw, cls: 'invalid_digits' });
      expect(called(raw), raw).toBe('pstn');
    }
  });
});

describe('the # that ends dialling', () => {
  it('is no part of the number, as caller ID and as called number', () => {
    for (const raw of [
      '13015552671#',
      '+1 301 555 2671#',
      '(301) 555-2671 #',
      '%2B13015552671#',
      'sip:13015552671%23@sbc.example',
    ]) {
      expect(normalizeNumber(raw), raw).toMatchObject({ value: E164, cls: 'valid' });
      expect(normalizeCalledNumber(raw), raw).toMatchObject({ value: E164, cls: 'valid' });
    }
  });

  it('nor of a number behind a per-call code or the outside-line 9, nor of 911 or an extension', () => {
    for (const raw of ['*6713015552671#', '9 1 301 555 2671#', '913015552671#', '9*6713015552671#'])
      expect(normalizeCalledNumber(raw).value, raw).toBe(E164);
    expect(called('911#')).toBe('emergency');
    expect(normalizeCalledNumber('1008#').value).toBe('1008');
    expect(called('1008#')).toBe('on_net');
    // a # elsewhere is not the end of dialling: an extension after the number, a feature code
    expect(normalizeCalledNumber('+13015552671#12').value).toBe(E164);
    expect(normalizeCalledNumber('*72#').value).toBe('*72#');
    expect(called('*72#')).toBe('on_net');
  });
});

describe('on-net is what looks like the customer’s own switch', () => {
  it('extensions, short codes, feature codes and SIP user names', () => {
    for (const raw of ['1008', '4', '5552671', '*97', '*7213015552671', 'voicemail', 'conf-room-13015552671'])
      expect(called(raw), raw).toBe('on_net');
  });

  it('a dial string with a public number’s digits that did not normalize is PSTN, not on-net', () => {
    for (const raw of [
      '13015552671x',
      '13015552671abc',
      '1301555267100000',
      '3.01556E+09',
      '91025550143',
      // the outside-line 9 and a seven-digit local number
      '95552671',
    ]) {
      expect(normalizeCalledNumber(raw).cls, raw).toBe('invalid_digits');
      expect(called(raw), raw).toBe('pstn');
    }
  });

  it('no dial string with 8 digits or more and junk around them is on-net unless a feature code or user name', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{8,16}$/),
        fc.constantFrom('', '!', '%', '.', '&', '=', '$', '?', 'x', 'abc', '#x', '~'),
        fc.constantFrom('', '!', '=', '(', '&', '$', '~'),
        (digits, after, before) => {
          const d = called(before + digits + after);
          expect(d, before + digits + after).toBe('pstn');
        },
      ),
    );
  });
});

describe('a number in scientific notation', () => {
  const header = 'call_id,start_time,customer_id,calling_number,called_number';

  it('quarantines its row, naming the column and the value: its digits are gone', async () => {
    const { calls, quarantined } = await parse(
      `${header}\n${[
        'a,2026-11-27T16:00:00Z,C1,2024561111,3.01556E+09',
        'b,2026-11-27T16:00:00Z,C1,2024561111,1.30156e+10',
        'c,2026-11-27T16:00:00Z,C1,2024561111,"3,01556E+09"',
        'd,2026-11-27T16:00:00Z,C1,2.02456E+09,13015552671',
        'e,2026-11-27T16:00:00Z,C1,2024561111, 3E+09 ',
        'f,2026-11-27T16:00:00Z,C1,2024561111,13015552671',
      ].join('\n')}\n`,
    );
    expect(calls.map((c) => c.callId)).toEqual(['f']);
    expect(quarantined.map((q) => [q.line, q.reason.slice(0, q.reason.indexOf(' is '))])).toEqual([
      [2, "called_number '3.01556E+09'"],
      [3, "called_number '1.30156e+10'"],
      [4, "called_number '3,01556E+09'"],
      [5, "calling_number '2.02456E+09'"],
      [6, "called_number '3E+09'"],
    ]);
    expect(quarantined[0].reason).toMatch(
      /is a number in scientific notation, as a spreadsheet rewrites long numbers: its digits are rounded away .* \(export the column as text\)$/,
    );
  });

  it('in JSON Lines, a JSON number so written is quarantined too, not read as the number it rounds to', async () => {
    const row = (id: string, number: string) =>
      `{"call_id":"${id}","start_time":"2026-11-27T16:00:00Z","customer_id":"C1","calling_number":"+12024561111","called_number":${number}}`;
    const { calls, quarantined } = await parse(
      `${[row('a', '3.01556E+09'), row('b', '13015552671'), row('c', '13015552671.0'), row('d', '3.015552671e9')].join('\n')}\n`,
      { format: 'jsonl' },
    );
    expect(calls.map((c) => [c.callId, c.called])).toEqual([
      ['b', E164],
      ['c', E164],
    ]);
    expect(quarantined.map((q) => q.reason.slice(0, q.reason.indexOf(' is ')))).toEqual([
      "called_number '3.01556E+09'",
      "called_number '3.015552671e9'",
    ]);
  });
});

describe('a batch with such numbers, read by analyze and traceback lookup', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-number-shapes-'));
  const dno = join(dir, 'dno.txt');
  writeFileSync(dno, '2024561111\n');
  const hidden = join(dir, 'hidden.csv');
  writeFileSync(
    hidden,
    [
      'call_id,start_time,duration_s,customer_id,calling_number,called_number,sip_code',
      'h1,2026-11-27T16:00:00Z,0,H1,2024561111,sip:%2B13015552671@sbc.example;user=phone,480',
      'h2,2026-11-27T16:00:00Z,0,H2,sip:%2B12024561111@sbc.example;user=phone,13015552671,480',
      'h3,2026-11-27T16:00:00Z,0,H3,2024561111,13015552671#,480',
      'h4,2026-11-27T16:00:00Z,0,H4,2024561111,3.01556E+09,480',
      'h5,2026-11-27T16:00:00Z,0,H5,2024561111,%2B13015552671,480',
      '',
    ].join('\n'),
  );
  /** 400 calls of a robocall campaign whose called numbers a spreadsheet rewrote */
  const excel = join(dir, 'robo_excel.csv');
  writeFileSync(
    excel,
    `call_id,start_time,duration_s,customer_id,calling_number,called_number,sip_code\n${Array.from(
      { length: 400 },
      (_, i) =>
        `x${i},2026-11-27T16:${String(Math.floor(i / 7) % 60).padStart(2, '0')}:00Z,${i % 10 === 0 ? 40 : 2},R1,${2024561100 + (i % 50)},3.01555E+09,${i % 10 === 0 ? 200 : 480}`,
    ).join('\n')}\n`,
  );

  afterEach(() => {
    vi.restoreAllMocks();
  });

  async function analyze(path: string, dnoPath?: string) {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const out = [...(await runAnalyze([path], { inputFormat: 'auto', format: 'json', dno: dnoPath }))].join(
      '',
    );
    return { doc: JSON.parse(out), stderr: written.join('') };
  }

  it('counts every call to a public number as PSTN, finds the %2B caller ID on the DNO list, quarantines the scientific one', async () => {
    const { doc, stderr } = await analyze(hidden, dno);
    expect(doc.summary).toMatchObject({ rows: 5, calls: 4, quarantined: 1, on_net_calls: 0 });
    const byCustomer = Object.fromEntries(
      doc.findings.map((f: { customer_id: string; reasons: Array<{ code: string }> }) => [
        f.customer_id,
        f.reasons.map((r) => r.code),
      ]),
    );
    expect(byCustomer).toEqual({
      H1: ['DNO_CALLING_NUMBER'],
      H2: ['DNO_CALLING_NUMBER'],
      H3: ['DNO_CALLING_NUMBER'],
      H5: ['DNO_CALLING_NUMBER'],
    });
    expect(stderr).toContain("hidden.csv:5: called_number '3.01556E+09' is a number in scientific notation");
  });

  it('a traceback request naming the numbers finds the calls', async () => {
    const request = validateTracebackRequest(
      {
        traceback_id: 'ITG-T-2',
        received_at: '2026-11-28T14:05:00Z',
        call_time: '2026-11-27T16:00:00Z',
        calling_number: '+12024561111',
        called_number: E164,
        requester: 'ITG',
      },
      'test request',
    );
    const answer = await lookupInBatches(request, fileBatches([hidden]), {});
    expect(answer.status).toBe('found');
    expect(answer.matches.map((m) => m.call_id)).toEqual(['h1', 'h2', 'h3', 'h5']);
  });

  it('a campaign whose called numbers a spreadsheet rewrote is quarantined, not 400 on-net calls', async () => {
    const { doc, stderr } = await analyze(excel);
    expect(doc.summary).toMatchObject({ rows: 400, calls: 0, quarantined: 400, on_net_calls: 0 });
    expect(stderr).toMatch(/400 row\(s\) quarantined/);
  });
});

describe('a customer whose calls were mostly on-net', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-mostly-on-net-'));
  /** `calls` calls of customer T1 in one hour, the first `onNet` of them to extensions */
  const batch = (calls: number, onNet: number, customer = 'T1') =>
    `call_id,start_time,customer_id,calling_number,called_number\n${Array.from(
      { length: calls },
      (_, i) =>
        `c${i},2026-11-27T16:${String(i % 60).padStart(2, '0')}:00Z,${customer},+1202456${String(1000 + (i % 100))},${i < onNet ? String(1000 + (i % 20)) : `+1301555${String(2000 + i).slice(-4)}`}`,
    ).join('\n')}\n`;

  afterEach(() => {
    vi.restoreAllMocks();
  });

  async function stderrOf(text: string): Promise<string> {
    const path = join(dir, 'batch.csv');
    writeFileSync(path, text);
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    [...(await runAnalyze([path], { inputFormat: 'auto', format: 'json' }))];
    return written.join('');
  }

  it('analyze says so in one line naming the customer and its share, from half of 100 calls', async () => {
    expect(await stderrOf(batch(100, 50))).toBe(
      "traceguard: the input: most calls of 1 customer went to on-net destinations (extensions, feature codes, SIP user names), which no rule judges: T1 (50 of 100 calls, 50%). An office PBX's calls are so; a trunking customer's are for the PSTN, and then its called numbers were likely mangled on the way (check the called_number column as the switch writes it)\n",
    );
    // under half, or too few calls to tell
    expect(await stderrOf(batch(100, 49))).toBe('');
    expect(await stderrOf(batch(99, 99))).toBe('');
  });

  it('the ingest log warns once per batch part, with the shares as fields', async () => {
    const p = memoryIngestPorts();
    const key = 'cdr/sbc-1/batch.csv';
    const body = batch(200, 150, 'T7');
    p.source.put(TEST_BUCKET, key, body);
    const outcome = await processBatch(ingestJob(key, body), p);
    expect(outcome).toMatchObject({ status: 'done', calls: 200 });
    const warnings = p.log.lines.filter((l) => l.level === 'warn' && l.message.includes('on-net'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toMatch(
      new RegExp(
        `^s3://${TEST_BUCKET}/cdr/sbc-1/batch.csv \\(switch sbc-1\\): most calls of 1 customer went to on-net destinations .*: T7 \\(150 of 200 calls, 75%\\)\\. `,
      ),
    );
    expect(warnings[0].fields).toMatchObject({ mostlyOnNet: [{ customerId: 'T7', calls: 200, onNet: 150 }] });
  });
});
