import { readFileSync } from 'node:fs';
import { deflateRawSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchParser } from '../../shared/cdr/batch-parser.ts';
import type { QuarantinedRow } from '../../shared/cdr/record.ts';
import { ZoneClock } from '../../shared/cdr/time.ts';
import { HEADER, parse } from '../helpers/parse.ts';

const NY = new ZoneClock('America/New_York');

describe('canonical CSV', () => {
  it('matches columns by header name in any order and case, ignoring unknown columns', async () => {
    const text =
      'Called_Number,EXTRA,customer_id,Start_Time,calling_number,call_id,duration_s,sip_code\n3125550199,zz,C1,2026-11-27T16:31:07Z,2025550143,abc,42,200\n';
    const { calls, stats } = await parse(text);
    expect(stats.format).toBe('canonical');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      callId: 'abc',
      customerId: 'C1',
      calling: '+12025550143',
      called: '+13125550199',
      durationS: 42,
      answered: true,
    });
    expect(calls[0].startMs).toBe(Date.UTC(2026, 10, 27, 16, 31, 7));
  });

  it("reads other exporters' spellings of a column name: spaces, hyphens, dots or none between its words", async () => {
    const text =
      'Call ID,Start-Time,CustomerID,calling.number,Called Number,Duration_S,SIP Code\nabc,2026-11-27T16:31:07Z,C1,2025550143,3125550199,42,200\n';
    const { calls, quarantined } = await parse(text);
    expect(quarantined).toEqual([]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      callId: 'abc',
      customerId: 'C1',
      calling: '+12025550143',
      durationS: 42,
    });
    // a row's reason names the column as the header writes it, so it can be found in the file
    const bad = await parse(
      'Call ID,Start Time,customer_id,calling_number,Called Number\nz,27/11/2026 16:31:07,C1,2025550143,3125550199\ny,2026-11-27T16:31:07Z,C1,2025550143,\n',
    );
    expect(bad.quarantined.map((q) => q.reason)).toEqual([
      expect.stringMatching(/^Start Time '27\/11\/2026 16:31:07' is not an ISO 8601 time/),
      'Called Number is empty',
    ]);
    // the column's own name wins over another spelled with the same letters: read as before
    const both = await parse(
      'call_id,CallID,start_time,customer_id,calling_number,called_number\nmine,theirs,1764261067,C1,2025550143,3125550199\n',
    );
    expect(both.calls.map((c) => c.callId)).toEqual(['mine']);
    // two other spellings of one column leave no telling which holds the value
    await expect(
      parse(
        'Call ID,CallId,start_time,customer_id,calling_number,called_number\na,b,1764261067,C1,2025550143,3125550199\n',
      ),
    ).rejects.toThrow(/header names call_id twice \(columns 1 and 2\)/);
  });

  it('handles a UTF-8 BOM, CRLF, quoted commas, doubled quotes and newlines inside quotes', async () => {
    const text = `\uFEFF${HEADER}\r\n"a,1",2026-11-27T16:00:00Z,,,0,"C""1",T1,2025550143,3125550199,486,BUSY,,,\r\n"b\nmulti",2026-11-27T16:00:01Z,,,5,C2,T1,2025550143,3125550199,200,,A,,10.0.0.1\r\n`;
    for (const chunk of [1, 3, 7, 1000]) {
      const { calls, quarantined } = await parse(text, { chunk });
      expect(quarantined).toEqual([]);
      expect(calls.map((c) => c.callId)).toEqual(['a,1', 'b\nmulti']);
      expect(calls[0].customerId).toBe('C"1');
      expect(calls[1].line).toBe(3);
      expect(calls[1].sourceIp).toBe('10.0.0.1');
    }
  });

  it('fails the whole batch loudly when a required column is missing from the header', async () => {
    await expect(parse('call_id,start_time,calling_number\nx,1764261067,2025550143\n')).rejects.toThrow(
      /test.csv: line 1: header lacks required column\(s\) customer_id, called_number/,
    );
    // without call_id or start_time the line is still a header of canonical names: it says so too
    await expect(
      parse('start_time,customer_id,calling_number,called_number\n1764261067,C1,2025550143,3125550199\n'),
    ).rejects.toThrow(/test.csv: line 1: header lacks required column\(s\) call_id$/);
    // a line naming no canonical column is no header at all
    await expect(parse('a,b,c\n1,2,3\n')).rejects.toThrow(/not a CDR batch: no CSV header/);
  });

  it('forced to canonical, a batch in another layout says which, as detection would', async () => {
    const canonical = { format: 'canonical' as const };
    const semicolons = `${HEADER.replaceAll(',', ';')}\nx1;2026-12-01T14:00:00Z;;;10;C;;2127180101;2125559876\n`;
    await expect(parse(semicolons, canonical)).rejects.toThrow(
      /^test.csv: line 1: not a CDR batch: the header is separated by semicolons; CDR CSV is comma-separated/,
    );
    await expect(parse(HEADER.replaceAll(',', '\t'), canonical)).rejects.toThrow(
      /line 1: not a CDR batch: the header is separated by tabs/,
    );
    const jsonl = '\uFEFF {"call_id":"j1","start_time":"2026-11-20T15:00:00Z","customer_id":"J1"}\n';
    await expect(parse(jsonl, canonical)).rejects.toThrow(
      /^test.csv: line 1: the format is canonical, but the batch looks like JSON Lines \(one object per line\): use format jsonl or auto$/,
    );
    const asterisk =
      '"","2025550143","13125550199","from-pstn","","SIP/acme-0000001f","","Dial","x","2026-11-27 11:45:00","2026-11-27 11:45:01","2026-11-27 11:45:05",5,4,"ANSWERED","DOCUMENTATION","1.1",""\n';
    await expect(parse(asterisk, canonical)).rejects.toThrow(
      /line 1: the format is canonical, but the batch looks like a headerless Asterisk cdr_csv export: use format asterisk with the switch's time zone \(or auto with one\)$/,
    );
    const freeswitch =
      '"A","123","2027365000","acme","2026-11-20 10:00:00","2026-11-20 10:00:05","2026-11-20 10:01:05","65","60","NORMAL_CLEARING","u1","","","PCMU","PCMU"\n';
    await expect(parse(freeswitch, canonical)).rejects.toThrow(
      /line 1: the format is canonical, but the batch looks like a headerless FreeSWITCH mod_cdr_csv export: use format freeswitch/,
    );
    // a header of canonical names still says which it lacks
    await expect(parse('call_id,start_time,calling_number\n', canonical)).rejects.toThrow(
      /line 1: header lacks required column\(s\) customer_id, called_number$/,
    );
  });

  it('fails the whole batch loudly when the header names a column twice, in any case', async () => {
    const row = 'x,1764261067,C1,2025550143,3125550199';
    await expect(
      parse(`call_id,start_time,customer_id,calling_number,called_number,customer_id\n${row},C2\n`),
    ).rejects.toThrow(/^test.csv: line 1: header names customer_id twice \(columns 3 and 6\)$/);
    await expect(
      parse(`call_id,start_time,customer_id,calling_number,called_number, START_TIME\n${row},1764261000\n`),
    ).rejects.toThrow(/^test.csv: line 1: header names start_time twice \(columns 2 and 6\)$/);
    // an unknown column twice is no one's business
    const { calls } = await parse(
      `call_id,start_time,customer_id,calling_number,called_number,x,x\n${row},1,2\n`,
    );
    expect(calls).toHaveLength(1);
  });

  it('applies the answered rule in the contract order', async () => {
    const rows = [
      'a,1764261067,,,0,C,,2025550143,3125550199,200,NO_ANSWER,,,', // sip 200 wins
      'b,1764261067,,,9,C,,2025550143,3125550199,486,ANSWERED,,,', // sip 486 wins over disposition
      'c,1764261067,,,0,C,,2025550143,3125550199,,ANSWERED,,,', // disposition
      'd,1764261067,1764261070,,,C,,2025550143,3125550199,,,,,', // answer_time
      'e,1764261067,,,12,C,,2025550143,3125550199,,,,,', // duration > 0
      'f,1764261067,,,0,C,,2025550143,3125550199,,,,,', // nothing
    ];
    const { calls } = await parse(`${HEADER}\n${rows.join('\n')}\n`);
    expect(calls.map((c) => c.answered)).toEqual([true, false, true, true, true, false]);
    expect(calls[1].durationS).toBe(0); // unanswered calls carry no billable seconds
  });

  it('derives duration from answer and end when duration_s is absent', async () => {
    const { calls } = await parse(
      `${HEADER}\nx,2026-11-27T16:00:00Z,2026-11-27T16:00:05Z,2026-11-27T16:01:05Z,,C,,2025550143,3125550199,,,,,\n`,
    );
    expect(calls[0].durationS).toBe(60);
  });
});

describe('quarantine', () => {
  it('sends every malformed-row class to quarantine with its line number and a reason', async () => {
    const rows = [
      'ok,2026-11-27T16:00:00Z,,,5,C,,2025550143,3125550199,200,,A,,', // 2
      ',2026-11-27T16:00:00Z,,,5,C,,2025550143,3125550199,200,,A,,', // 3 missing call id
      'x,yesterday,,,5,C,,2025550143,3125550199,200,,A,,', // 4 bad time
      'x,2026-11-27T16:00:00Z,,,-6,C,,2025550143,3125550199,200,,A,,', // 5 negative duration
      'x,2026-11-27T16:00:00Z,,,5,C,,2025550143', // 6 wrong column count
      'x,2026-11-27T16:00:00Z,,,5,C,,2025550143,3125550199,200,,Z,,', // 7 bad attestation
      'x,2026-11-27T16:00:00Z,,,5,,,2025550143,3125550199,200,,A,,', // 8 no customer
      'x,2026-11-27T16:00:00Z,,,5,C,,2025550143,,200,,A,,', // 9 no called number
      'x,2026-11-27T16:00:00Z,,,5,C,,2025550143,3125550199,999,,A,,', // 10 bad sip code
      'x,2026-11-27T16:00:00Z,,,5,C,,2025550143,3125550199,200,MAYBE,A,,', // 11 bad disposition
      'x,2026-11-27T16:00:00Z,,,5,C,,2025550143,3125550199,200,,A,Valid,', // 12 bad verstat
      'x,2026-02-30T16:00:00Z,,,5,C,,2025550143,3125550199,200,,A,,', // 13 impossible date
    ];
    const { stats, quarantined, calls } = await parse(`${HEADER}\n${rows.join('\n')}\n`);
    expect(calls).toHaveLength(1);
    expect(quarantined.map((q) => q.line)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    const reasons = quarantined.map((q) => q.reason);
    expect(reasons[0]).toMatch(/call_id is empty/);
    expect(reasons[1]).toMatch(/start_time 'yesterday'/);
    expect(reasons[2]).toMatch(/duration_s '-6'/);
    expect(reasons[3]).toMatch(/has 8 fields, the header has 14/);
    expect(reasons[4]).toMatch(/attestation 'Z'/);
    expect(reasons[5]).toMatch(/customer_id is empty/);
    expect(reasons[6]).toMatch(/called_number is empty/);
    expect(reasons[7]).toMatch(/sip_code '999'/);
    expect(reasons[8]).toMatch(/disposition 'MAYBE'/);
    expect(reasons[9]).toMatch(/verstat 'Valid'/);
    expect(reasons[10]).toMatch(/start_time/);
    expect(quarantined[1].raw).toContain('yesterday');
    expect(stats.rows).toBe(stats.calls + stats.quarantined);
  });

  it('reads a SIP code written with its reason phrase, as a status line, and nothing else around it', async () => {
    const row = (id: string, sip: string) =>
      `${id},2026-11-27T16:00:00Z,,,0,C,,2025550143,3125550199,${sip},,A,,`;
    const { calls, quarantined } = await parse(
      `${HEADER}\n${[row('a', '200 OK'), row('b', '486 Busy Here'), row('c', 'SIP/2.0 603 Decline'), row('d', '200OK'), row('e', '2000 OK'), row('f', 'OK 200')].join('\n')}\n`,
    );
    expect(calls.map((c) => [c.callId, c.sipCode, c.answered])).toEqual([
      ['a', 200, true],
      ['b', 486, false],
      ['c', 603, false],
    ]);
    expect(quarantined.map((q) => q.reason)).toEqual([
      "sip_code '200OK' is not a SIP response code (100-699)",
      "sip_code '2000 OK' is not a SIP response code (100-699)",
      "sip_code 'OK 200' is not a SIP response code (100-699)",
    ]);
  });

  it('reads the spellings exporters give a disposition: any case, spaces, hyphens, NOANSWER, Canceled', async () => {
    const row = (id: string, d: string) =>
      `${id},2026-11-27T16:00:00Z,,,0,C,,2025550143,3125550199,,${d},A,,`;
    const words = ['No Answer', 'no-answer', 'NOANSWER', 'Canceled', 'answered', 'Congestion', 'MAYBE'];
    const { calls, quarantined } = await parse(
      `${HEADER}\n${words.map((w, i) => row(`r${i}`, w)).join('\n')}\n`,
    );
    expect(calls.map((c) => c.answered)).toEqual([false, false, false, false, true, false]);
    expect(quarantined.map((q) => q.reason)).toEqual([
      expect.stringMatching(/^disposition 'MAYBE' is not one of/),
    ]);
  });

  it('reads attestation levels by name and the words exporters write for an unsigned call', async () => {
    const row = (id: string, a: string) => `${id},2026-11-27T16:00:00Z,,,0,C,,2025550143,3125550199,,,${a},,`;
    const words = ['Full', 'partial', 'GATEWAY', 'none', 'Unsigned', 'N/A', '-', 'b', 'TN-A'];
    const { calls, quarantined } = await parse(
      `${HEADER}\n${words.map((w, i) => row(`r${i}`, w)).join('\n')}\n`,
    );
    expect(calls.map((c) => c.attestation)).toEqual(['A', 'B', 'C', '', '', '', '', 'B']);
    expect(quarantined.map((q) => q.reason)).toEqual([
      "attestation 'TN-A' is not A, B or C (full, partial, gateway), or empty or none for an unsigned call",
    ]);
  });

  it('reads verstat in any spacing, and with the attestation some carriers append to it', async () => {
    const row = (id: string, v: string) =>
      `${id},2026-11-27T16:00:00Z,,,0,C,,2025550143,3125550199,,,A,${v},`;
    const words = [
      'TN-Validation-Passed-A',
      'tn validation failed',
      'No_TN_Validation',
      'TN-Validation-Passed-D',
      'Passed',
    ];
    const { calls, quarantined } = await parse(
      `${HEADER}\n${words.map((w, i) => row(`r${i}`, w)).join('\n')}\n`,
    );
    expect(calls.map((c) => c.verstat)).toEqual([
      'TN-Validation-Passed',
      'TN-Validation-Failed',
      'No-TN-Validation',
    ]);
    expect(quarantined.map((q) => q.line)).toEqual([5, 6]);
  });

  it('takes a called privacy word as a call at the switch and an extension after a number as that number', async () => {
    const rows = [
      'a,2026-11-27T16:00:00Z,,,5,C,,2129870143,anonymous,200,,A,,',
      'b,2026-11-27T16:00:00Z,,,5,C,,+12129870143 x123,3129870199x12,200,,A,,',
      'c,2026-11-27T16:00:00Z,,,5,C,,2129870143,,200,,A,,',
    ];
    const { calls, quarantined } = await parse(`${HEADER}\n${rows.join('\n')}\n`);
    expect(calls.map((c) => [c.called, c.calledClass, c.calling, c.callingClass])).toEqual([
      ['anonymous', 'invalid_digits', '+12129870143', 'valid'],
      ['+13129870199', 'valid', '+12129870143', 'valid'],
    ]);
    expect(quarantined.map((q) => [q.line, q.reason])).toEqual([[4, 'called_number is empty']]);
  });

  it('quarantines an unterminated quote at the end of input and an over-long record, and keeps going', async () => {
    const long = 'y'.repeat(5000);
    const text = `${HEADER}\n${long},2026-11-27T16:00:00Z\nok,2026-11-27T16:00:00Z,,,5,C,,2025550143,3125550199,200,,A,,\n"open,2026`;
    const { stats, quarantined, calls } = await parse(text, { chunk: 512, maxRecordBytes: 1024 });
    expect(calls.map((c) => c.callId)).toEqual(['ok']);
    expect(quarantined.map((q) => q.reason)).toEqual([
      expect.stringMatching(/longer than 1024 bytes/),
      expect.stringMatching(/unterminated quoted field/),
    ]);
    expect(quarantined[0].line).toBe(2);
    expect(quarantined[1].line).toBe(4);
    expect(stats.rows).toBe(3);
  });
});

describe('unreadable batches', () => {
  it('rejects a truncated gzip with a clear message', async () => {
    const { gzipSync } = await import('node:zlib');
    const gz = gzipSync(
      Buffer.from(`${HEADER}\n${'a,1764261067,,,0,C,,2025550143,3125550199,200,,,,\n'.repeat(100)}`),
    );
    await expect(parse(gz.subarray(0, gz.length - 20))).rejects.toThrow(
      /test.csv: truncated or corrupt gzip/,
    );
  });

  it('gives each filled inflater buffer back once the reader asks for the next chunk, and loses no byte', async () => {
    const { gzipSync } = await import('node:zlib');
    const { decodeBatch } = await import('../../shared/cdr/decode.ts');
    const text = Buffer.from(
      Array.from({ length: 40_000 }, (_, i) => `r${i},2026-11-27T16:00:00Z,,,0,C${i % 97},T1\n`).join(''),
    );
    const gz = gzipSync(text);
    // the compressed bytes a few KB at a time, every chunk in one buffer overwritten after it is taken
    async function* reusedChunks(): AsyncGenerator<Buffer> {
      const scratch = Buffer.alloc(4096);
      for (let i = 0; i < gz.length; i += scratch.length) {
        const n = gz.copy(scratch, 0, i, i + scratch.length);
        yield scratch.subarray(0, n);
        scratch.fill(0);
      }
    }
    const copies: Buffer[] = [];
    const seen: Buffer[] = [];
    for await (const chunk of decodeBatch(reusedChunks(), 'test.csv.gz')) {
      copies.push(Buffer.from(chunk));
      seen.push(chunk);
    }
    expect(Buffer.concat(copies).equals(text)).toBe(true);
    // freed: detached, so a reader that kept one would find it empty rather than overwritten
    const freed = seen.filter((c) => c.buffer.byteLength === 0).length;
    expect(freed).toBeGreaterThanOrEqual(Math.floor(text.length / (256 * 1024)) - 1);
    expect(freed).toBeGreaterThan(0);
  });

  it('detects gzip by magic bytes, not by name', async () => {
    const { calls } = await parse(`${HEADER}\na,1764261067,,,0,C,,2025550143,3125550199,200,,,,\n`, {
      gzip: true,
      chunk: 5,
    });
    expect(calls).toHaveLength(1);
  });

  it('rejects binary data and text that is no CDR layout', async () => {
    await expect(parse(Buffer.from([1, 2, 0, 3, 4]))).rejects.toThrow(/not a text file/);
    await expect(parse('hello,world\n')).rejects.toThrow(/line 1: not a CDR batch/);
  });

  it('refuses archives and documents by their first bytes, saying what to send instead', async () => {
    // a CSV compressed into each container: too few NULs to be judged binary
    const packed = deflateRawSync(
      Buffer.from(`${HEADER}\na,1764261067,,,0,C1,,2025550143,3125550199,200,,,,\n`.repeat(40)),
    );
    const cases: Array<[number[], RegExp]> = [
      [[0x50, 0x4b, 0x03, 0x04, 0x14, 0x00], /a ZIP archive \(a \.zip, or a spreadsheet such as \.xlsx\)/],
      [[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], /an Office document/],
      [[0x42, 0x5a, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59], /bzip2 data/],
      [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], /xz data/],
      [[0x25, 0x50, 0x44, 0x46, 0x2d, 0x31], /a PDF document/],
    ];
    for (const [magic, what] of cases) {
      const bytes = Buffer.concat([Buffer.from(magic), packed]);
      await expect(parse(bytes)).rejects.toThrow(what);
      await expect(parse(bytes)).rejects.toThrow(
        /export the CDRs as CSV \(UTF-8\) or JSON Lines; gzip is the only compression read\)$/,
      );
    }
    // text that merely starts like one is read as text: an unquoted native row whose account is BZh1
    await expect(parse('BZh1,2025550143\n')).rejects.toThrow(/line 1: not a CDR batch/);
  });

  it('rejects UTF-16 text and compressed data, but quarantines the row of a stray NUL in the first bytes', async () => {
    const text = `${HEADER}\na,1764261067,,,0,C1,,2025550143,3125550199,200,,,,\n`;
    const utf16 = Buffer.from(`\uFEFF${text}`, 'utf16le');
    await expect(parse(utf16)).rejects.toThrow(
      /test.csv: not a text file \(UTF-16 text; send it as UTF-8\)$/,
    );
    // without its byte-order mark, UTF-16 is still told by a NUL beside every character, on one side
    await expect(parse(utf16.subarray(2), { chunk: 64 })).rejects.toThrow(
      /test.csv: not a text file \(UTF-16 text; send it as UTF-8\)$/,
    );
    const bigEndian = Buffer.from(utf16.subarray(2)).swap16();
    await expect(parse(bigEndian)).rejects.toThrow(/not a text file \(UTF-16 text; send it as UTF-8\)$/);
    // a tar archive, gzipped or not: its magic lies 257 bytes in, past its first member's name
    const tar = Buffer.alloc(1024);
    tar.write('Master.csv', 0, 'latin1');
    tar.write('0000644\u0000', 100, 'latin1');
    tar.write('ustar\u000000', 257, 'latin1');
    tar.write(text, 512, 'latin1');
    for (const gzip of [false, true])
      await expect(parse(tar, { gzip })).rejects.toThrow(
        /not a text file \(a tar archive \(a \.tar, or a \.tar\.gz once gunzipped\); send each CDR file in it as a batch of its own\)$/,
      );
    // a program, and a gzip inside the gzip (compressed bytes: few NULs, told by their magic)
    const program = readFileSync(process.execPath).subarray(0, 8192);
    await expect(parse(program)).rejects.toThrow(/not a text file \(binary data/);
    const inner = gzipSync(Buffer.from(text.repeat(50)));
    await expect(parse(inner, { gzip: true })).rejects.toThrow(/not a text file \(gzip data inside gzip/);
    // random bytes (encrypted, or a wrong file) have few NULs, but control characters everywhere
    const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24));
    await expect(parse(random)).rejects.toThrow(/not a text file \(binary data/);
    // a Latin-1 file is text: read, its rows judged one by one
    await expect(parse(Buffer.from(text.replace('C1', 'Caf\u00e9'), 'latin1'))).resolves.toBeDefined();
    for (const chunk of [7, 4096]) {
      const csv = await parse(`${text}${text.split('\n')[1].replace('C1', 'C\u00001')}\n`, { chunk });
      expect(csv.calls).toHaveLength(1);
      expect(csv.quarantined.map((q) => [q.line, q.reason])).toEqual([
        [3, 'customer_id holds a NUL character'],
      ]);
      const row = {
        call_id: 'j',
        start_time: 1764261067,
        customer_id: 'C1',
        calling_number: '2025550143',
        called_number: '3125550199',
      };
      const jsonl = await parse(
        `${JSON.stringify(row).replace('C1', 'C\u00001')}\n${JSON.stringify(row)}\n`,
        { chunk },
      );
      expect(jsonl.calls).toHaveLength(1);
      expect(jsonl.quarantined.map((q) => q.line)).toEqual([1]);
    }
  });

  it('treats an empty batch as empty, not as an error', async () => {
    const { stats } = await parse('');
    expect(stats).toMatchObject({ format: 'empty', rows: 0 });
  });
});

describe('JSON Lines', () => {
  it('reads canonical keys in any case and quarantines bad lines', async () => {
    const text = [
      JSON.stringify({
        CALL_ID: 'j1',
        start_time: 1764261067123,
        customer_id: 'C',
        calling_number: '+12025550143',
        called_number: '3125550199',
        sip_code: 200,
        duration_s: 33,
      }),
      '{not json',
      '[1,2]',
      '',
      JSON.stringify({
        call_id: 'j2',
        start_time: '2026-11-27T16:31:07-05:00',
        customer_id: 'C',
        calling_number: 'anonymous',
        called_number: '3125550199',
      }),
    ].join('\n');
    const { calls, quarantined, stats } = await parse(text, { chunk: 11 });
    expect(stats.format).toBe('jsonl');
    expect(calls.map((c) => c.callId)).toEqual(['j1', 'j2']);
    expect(calls[0].startMs).toBe(1764261067123);
    expect(calls[1].startMs).toBe(Date.UTC(2026, 10, 27, 21, 31, 7));
    expect(calls[1].callingClass).toBe('blank');
    expect(quarantined.map((q) => [q.line, q.reason.slice(0, 20)])).toEqual([
      [2, 'is not valid JSON (E'],
      [3, 'is not a JSON object'],
    ]);
  });
  it('quarantines an id escaped as half a surrogate pair, as it does an id of invalid UTF-8', async () => {
    const line = (id: string) =>
      `{"call_id":"s","start_time":"2026-11-27T16:00:00Z","customer_id":"${id}","trunk_id":"T","calling_number":"+12129870143","called_number":"+13129870199"}`;
    const ids = ['cu\\ud800st', 'cu\\udc00st', 'cu\\ud83d\\ude00st', 'cust\\ud83d'];
    const { calls, quarantined } = await parse(`${ids.map(line).join('\n')}\n`);
    expect(calls.map((c) => c.customerId)).toEqual(['cu\u{1F600}st']);
    expect(quarantined.map((q) => [q.line, q.reason])).toEqual(
      [1, 2, 4].map((l) => [
        l,
        'customer_id is not valid UTF-8 (an unpaired surrogate; kept out rather than merged with other ids)',
      ]),
    );
    const trunk = await parse(`${line('C1').replace('"T"', '"T\\udbff"')}\n`);
    expect(trunk.quarantined.map((q) => q.reason)).toEqual([
      'trunk_id is not valid UTF-8 (an unpaired surrogate; kept out rather than merged with other ids)',
    ]);
  });

  it('quarantines a line that spells one column twice in different cases (JSON.parse keeps the last of one key twice)', async () => {
    const line = (extra: string) =>
      `{"call_id":"k1","start_time":"2026-11-27T16:00:00Z","customer_id":"C1",${extra}"calling_number":"+12129870143","called_number":"+13129870199"}`;
    const text = [line('"Customer_ID":"C2",'), line('"customer_id":"C3",'), line('')].join('\n');
    const { calls, quarantined } = await parse(`${text}\n`);
    expect(calls.map((c) => c.customerId)).toEqual(['C3', 'C1']);
    expect(quarantined.map((q) => [q.line, q.reason])).toEqual([
      [1, "customer_id is given twice, as keys 'customer_id' and 'Customer_ID'"],
    ]);
  });

  it('reads keys written as other exporters write column names (Call ID, Start-Time), in both lanes', async () => {
    const spaced =
      '{"Call ID":"k2","Start-Time":"2026-11-27T16:00:00Z","Customer ID":"C1","Calling Number":"2024567001","Called Number":"3128675000","attestation":"A"}';
    const plain =
      '{"call_id":"k3","start_time":"2026-11-27T16:00:00Z","customer_id":"C1","calling_number":"2024567001","called_number":"3128675000","attestation":"A"}';
    const { calls, quarantined } = await parse(
      `${spaced}\n${plain}\n${spaced.replace('"Call ID"', '"call_id":"k4","CallID"')}\n`,
    );
    expect(calls.map((c) => [c.callId, c.customerId, c.calling])).toEqual([
      ['k2', 'C1', '+12024567001'],
      ['k3', 'C1', '+12024567001'],
    ]);
    // one column under two spellings: no telling which is the row's
    expect(quarantined.map((q) => q.reason)).toEqual([
      "call_id is given twice, as keys 'call_id' and 'CallID'",
    ]);
  });

  it('quarantines a line whose canonical field holds an array or object, naming the field', async () => {
    const row = {
      call_id: 'n1',
      start_time: '2026-11-27T16:00:01Z',
      customer_id: 'C1',
      trunk_id: 'T1',
      calling_number: '+12025550143',
      called_number: '+13125550199',
      attestation: 'A',
    };
    const text = [
      JSON.stringify({ ...row, customer_id: ['C1'] }),
      JSON.stringify({ ...row, call_id: 'n2', trunk_id: { id: 'T1' } }),
      JSON.stringify({ ...row, call_id: 'n3', extra: { kept: 'out' }, sip_code: 200 }),
    ].join('\n');
    const { calls, quarantined, stats } = await parse(text);
    expect(calls.map((c) => [c.callId, c.customerId])).toEqual([['n3', 'C1']]);
    expect(quarantined.map((q) => [q.line, q.reason])).toEqual([
      [1, 'customer_id holds a JSON array, not a string or number'],
      [2, 'trunk_id holds a JSON object, not a string or number'],
    ]);
    expect(quarantined[0].raw).toContain('["C1"]');
    expect(stats.rows).toBe(stats.calls + stats.quarantined);
  });
});

describe('native switch formats', () => {
  const asteriskBase = [
    'CUST7',
    '2025550143',
    '3125550199',
    'from-trunk',
    '"Acme" <2025550143>',
    'SIP/carrier-a-0000001f',
    'SIP/out-00000020',
    'Dial',
    'SIP/out/3125550199',
    '2026-11-27 11:31:07',
    '2026-11-27 11:31:10',
    '2026-11-27 11:32:10',
    '63',
    '60',
    'ANSWERED',
    'DOCUMENTATION',
  ];
  it.each([16, 17, 18, 19, 20, 21])(
    'reads Asterisk cdr_csv with %i columns, local times in the given zone',
    async (cols) => {
      const extra = ['1764261067.12', 'userfield', 'PEER', 'linked', '7'].slice(0, cols - 16);
      const line = [...asteriskBase, ...extra].map((f) => `"${f.replaceAll('"', '""')}"`).join(',');
      const { calls, stats, quarantined } = await parse(`${line}\n${line}\n`, { zone: NY });
      expect(stats.format).toBe('asterisk');
      // the same row twice is one call when it has a uniqueid (from 17 columns on); without one, each
      // row's id is its line, and both count
      expect(calls).toHaveLength(cols >= 17 ? 1 : 2);
      expect(quarantined.map((q) => [q.line, q.reason])).toEqual(
        cols >= 17 ? [[2, expect.stringMatching(/^repeats the call 1 line\(s\) above/)]] : [],
      );
      expect(calls[0]).toMatchObject({
        customerId: 'CUST7',
        trunkId: 'carrier-a',
        calling: '+12025550143',
        durationS: 60,
        answered: true,
      });
      expect(calls[0].startMs).toBe(Date.UTC(2026, 10, 27, 16, 31, 7)); // EST is UTC-5 in November
      expect(calls[0].callId).toBe(cols >= 17 ? '1764261067.12' : 'line-1');
      expect(calls[0].attestation).toBe('?'); // cdr_csv carries no STIR/SHAKEN: not reported, not unsigned
    },
  );

  it('quarantine reasons name the column as the export has it, not its canonical name', async () => {
    // fields by cdr_csv position, the rest from asteriskBase; uniqueid (16) and userfield (17) after
    const ast = (id: string, set: Record<number, string>) =>
      [...asteriskBase, id, '']
        .map((v, i) => set[i] ?? v)
        .map((f) => `"${f.replaceAll('"', '""')}"`)
        .join(',');
    const rows = [
      ast('a1', { 13: '-1' }),
      ast('a2', { 12: '65', 13: '90000' }), // duration holds 65: billsec is the one too long
      ast('a3', { 0: '', 5: 'SIP/ac\uFFFDme-0000001f' }), // the customer comes from the channel
      ast('a4', { 0: 'CU\uFFFD7' }),
      ast('a5', { 10: '2026-11-27 11:20:00' }),
      ast('a6', { 9: '2026-11-27 25:31:07' }),
      ast('a7', { 2: '' }),
      ast('a8', { 1: '', 4: '"A" <2025\u00005550143>' }), // the caller ID comes from clid
      ast('a9', { 14: 'HELD' }),
      ast('a10', { 17: 'note\u0000' }), // userfield is not read: no reason to lose the call
    ];
    const a = await parse(`${rows.join('\n')}\n`, { format: 'asterisk', zone: NY });
    expect(a.quarantined.map((q) => [q.line, q.reason.split(' (')[0]])).toEqual([
      [1, "billsec '-1' is not a number of seconds >= 0"],
      [2, "billsec '90000' is longer than 86400 s, the plausible maximum"],
      [3, 'channel is not valid UTF-8'],
      [4, 'accountcode is not valid UTF-8'],
      [5, 'answer is 667 s before start'],
      [6, "start '2026-11-27 25:31:07' is not an ISO 8601 time with offset"],
      [7, 'dst is empty'],
      [8, 'clid holds a NUL character'],
      [
        9,
        "disposition 'HELD' is not one of ANSWERED, NO_ANSWER, BUSY, FAILED, CANCELLED, REJECTED, CONGESTION",
      ],
    ]);
    expect(a.calls.map((c) => c.callId)).toEqual(['a10']);

    const fs = (id: string, set: Record<number, string>) =>
      fsRow(id, '2026-11-27 11:00:05', '54', 'NORMAL_CLEARING')
        .split('","')
        .map((v, i) => set[i] ?? v)
        .join('","');
    const f = await parse(
      `${[
        fs('u-1', { 8: '-5' }),
        fs('u-2', { 12: '', 3: 'ten\uFFFDnt' }), // the customer comes from the context
        fs('u-3', { 2: '' }),
        fs('u-4', { 6: '2026-11-27 10:00:00' }),
        fs('u-5', { 4: 'soon' }),
      ].join('\n')}\n`,
      { format: 'freeswitch', zone: NY },
    );
    expect(f.quarantined.map((q) => [q.line, q.reason.split(' (')[0]])).toEqual([
      [1, "billsec '-5' is not a number of seconds >= 0"],
      [2, 'context is not valid UTF-8'],
      [3, 'destination_number is empty'],
      [4, 'end_stamp is 3600 s before start_stamp'],
      [5, "start_stamp 'soon' is not an ISO 8601 time with offset"],
    ]);
  });

  it('refuses native files without a time zone, naming the fix', async () => {
    const line = asteriskBase.map((f) => `"${f.replaceAll('"', '""')}"`).join(',');
    await expect(parse(`${line}\n`)).rejects.toThrow(
      /asterisk CDRs carry local wall-clock times; give their time zone$/,
    );
  });

  it('reads the FreeSWITCH mod_cdr_csv default template', async () => {
    const rows = [
      '"Acme","2025550143","3125550199","default","2026-07-01 10:00:00","2026-07-01 10:00:04","2026-07-01 10:03:04","184","180","NORMAL_CLEARING","u-1","","ACCT9","PCMU","PCMU"',
      '"Acme","2025550143","3125550198","default","2026-07-01 10:00:01","","2026-07-01 10:00:31","30","0","NO_ANSWER","u-2","","","PCMU","PCMU"',
      '"Acme","2025550143","3125550197","default","2026-07-01 10:00:02","","2026-07-01 10:00:03","1","0","CALL_REJECTED","u-3","","ACCT9","PCMU","PCMU"',
    ].join('\n');
    const { calls, stats, quarantined } = await parse(rows, { zone: NY });
    expect(stats.format).toBe('freeswitch');
    expect(calls.map((c) => [c.callId, c.customerId, c.answered, c.durationS, c.sipCode])).toEqual([
      ['u-1', 'ACCT9', true, 180, null],
      ['u-3', 'ACCT9', false, 0, 603],
    ]);
    // `default` is the stock context of every registered user: it names no customer
    expect(quarantined.map((q) => q.line)).toEqual([2]);
    expect(calls[0].startMs).toBe(Date.UTC(2026, 6, 1, 14, 0, 0)); // EDT is UTC-4 in July
  });

  /** One mod_cdr_csv row: answer stamp, billsec and hangup cause as given. */
  const fsRow = (id: string, answer: string, billsec: string, cause: string) =>
    `"Agent","+12025551000","13125552000","default","2026-11-27 11:00:00","${answer}","2026-11-27 11:00:59","59","${billsec}","${cause}","${id}","","K1","PCMU","PCMU"`;

  it('reads the zero date (database exports) as no answer or end time, in every format; a zero start stays bad', async () => {
    const zero = '0000-00-00 00:00:00';
    const fs = [
      `"Acme","2025550143","3125550199","default","2026-07-01 10:00:00","${zero}","2026-07-01 10:01:05","65","0","NO_ANSWER","u-1","","ACCT9","PCMU","PCMU"`,
      `"Acme","2025550143","3125550199","default","2026-07-01 10:00:00","${zero}","${zero}","0","0","NO_ANSWER","u-2","","ACCT9","PCMU","PCMU"`,
    ].join('\n');
    const f = await parse(fs, { zone: NY });
    expect(f.quarantined).toEqual([]);
    expect(f.calls.map((c) => [c.answered, c.sipCode, c.answerMs, c.endMs === null])).toEqual([
      [false, 480, null, false],
      [false, 480, null, true],
    ]);
    const ast = asteriskBase.map((v, i) => (i === 10 ? zero : i === 13 ? '0' : i === 14 ? 'NO ANSWER' : v));
    const a = await parse(`${ast.map((v) => `"${v.replaceAll('"', '""')}"`).join(',')}\n`, { zone: NY });
    expect(a.calls.map((c) => [c.answered, c.answerMs, c.disposition])).toEqual([[false, null, 'NO_ANSWER']]);
    const csv = [
      `a,2026-11-27T16:00:00Z,${zero},0000-00-00T00:00:00,,C,,2025550143,3125550199,,,,,`,
      `b,${zero},,,5,C,,2025550143,3125550199,200,,,,`,
    ];
    const c = await parse(`${HEADER}\n${csv.join('\n')}\n`, { zone: NY });
    expect(c.calls.map((x) => [x.callId, x.answered, x.answerMs, x.endMs])).toEqual([
      ['a', false, null, null],
    ]);
    expect(c.quarantined.map((q) => [q.line, q.reason.slice(0, 35)])).toEqual([
      [3, "start_time '0000-00-00 00:00:00' is"],
    ]);
    const j = await parse(
      `${JSON.stringify({ call_id: 'j', start_time: '2026-11-27T16:00:00Z', answer_time: zero, customer_id: 'C', calling_number: '2025550143', called_number: '3125550199' })}\n`,
    );
    expect(j.calls.map((x) => [x.answered, x.answerMs])).toEqual([[false, null]]);
    // epoch columns write 0 for the answer of an unanswered call (FreeSWITCH's answer_epoch)
    const epoch = [
      `e,1795795200,0,1795795230,,C,,2025550143,3125550199,487,,,,`,
      `f,0,,,5,C,,2025550143,3125550199,200,,,,`,
    ];
    const e = await parse(`${HEADER}\n${epoch.join('\n')}\n`);
    expect(e.calls.map((x) => [x.callId, x.answered, x.answerMs])).toEqual([['e', false, null]]);
    expect(e.quarantined.map((q) => q.line)).toEqual([3]);
  });

  it('FreeSWITCH: a call with an answer stamp or billed seconds is answered whatever its hangup cause', async () => {
    const rows = [
      fsRow('u-1', '2026-11-27 11:00:05', '54', 'NORMAL_UNSPECIFIED'),
      fsRow('u-2', '2026-11-27 11:00:05', '54', 'ATTENDED_TRANSFER'),
      fsRow('u-3', '2026-11-27 11:00:05', '54', 'BLIND_TRANSFER'),
      fsRow('u-4', '2026-11-27 11:00:05', '54', 'MEDIA_TIMEOUT'),
      fsRow('u-5', '2026-11-27 11:00:05', '54', 'normal_clearing'),
      fsRow('u-6', '2026-11-27 11:00:05', '0', 'USER_BUSY'), // answered, then hung up at once
      fsRow('u-7', '', '54', 'NORMAL_UNSPECIFIED'), // billed: answered, though the stamp is missing
    ].join('\n');
    const { calls, quarantined } = await parse(`${rows}\n`, { format: 'freeswitch', zone: NY });
    expect(quarantined).toEqual([]);
    expect(calls.map((c) => [c.callId, c.answered, c.durationS, c.sipCode, c.disposition])).toEqual([
      ['u-1', true, 54, null, ''],
      ['u-2', true, 54, null, ''],
      ['u-3', true, 54, null, ''],
      ['u-4', true, 54, null, ''],
      ['u-5', true, 54, null, ''],
      ['u-6', true, 0, null, ''],
      ['u-7', true, 54, null, ''],
    ]);
  });

  it('FreeSWITCH: an unanswered call keeps the disposition of its cause, in any case; an unknown cause is FAILED', async () => {
    const rows = [
      fsRow('n-1', '', '0', 'user_busy'),
      fsRow('n-2', '', '0', ' No_Answer '),
      fsRow('n-3', '', '0', 'MEDIA_TIMEOUT'),
      fsRow('n-4', '', '0', 'NORMAL_CLEARING'),
      fsRow('n-5', '', '', ''),
      fsRow('n-6', ' ', '0.4', 'SOME_NEW_CAUSE'), // rounds to 0 billed seconds, as the contract reads it
    ].join('\n');
    const { calls, quarantined } = await parse(`${rows}\n`, { format: 'freeswitch', zone: NY });
    expect(quarantined).toEqual([]);
    expect(calls.map((c) => [c.callId, c.answered, c.sipCode, c.disposition])).toEqual([
      ['n-1', false, 486, 'BUSY'],
      ['n-2', false, 480, 'NO_ANSWER'],
      ['n-3', false, null, 'FAILED'],
      ['n-4', false, null, ''],
      ['n-5', false, null, ''],
      ['n-6', false, null, 'FAILED'],
    ]);
  });

  it('FreeSWITCH: a batch whose first cause is lower-case or padded is still detected', async () => {
    const rows = [
      fsRow('l-1', '2026-11-27 11:00:05', '54', 'normal_clearing'),
      fsRow('l-2', '', '0', 'USER_BUSY'),
    ];
    const { calls, stats } = await parse(`${rows.join('\n')}\n`, { zone: NY });
    expect(stats.format).toBe('freeswitch');
    expect(calls.map((c) => [c.callId, c.answered])).toEqual([
      ['l-1', true],
      ['l-2', false],
    ]);
    // nor with blanks around it, as the row reader takes it
    const padded = await parse(`${fsRow('p-1', '', '0', ' USER_BUSY ')}\n`, { zone: NY });
    expect([padded.stats.format, padded.calls[0].disposition]).toEqual(['freeswitch', 'BUSY']);
  });

  it('FreeSWITCH: the hangup cause never makes a call answered, nor unanswered when it was answered', async () => {
    const cause = fc.oneof(
      fc.constantFrom('NORMAL_CLEARING', 'USER_BUSY', 'NO_ANSWER', 'CALL_REJECTED', 'SUCCESS', ''),
      fc.stringMatching(/^[A-Za-z_]{1,30}$/),
    );
    await fc.assert(
      fc.asyncProperty(cause, fc.boolean(), fc.boolean(), async (c, stamped, billed) => {
        const row = fsRow('p-1', stamped ? '2026-11-27 11:00:05' : '', billed ? '54' : '0', c);
        const { calls } = await parse(`${row}\n`, { format: 'freeswitch', zone: NY });
        expect(calls[0].answered).toBe(stamped || billed);
      }),
    );
  });

  it('honours an explicit --input-format over detection', async () => {
    await expect(parse(`${HEADER}\n`, { format: 'freeswitch', zone: NY })).resolves.toMatchObject({
      calls: [],
    });
  });
});

describe('line ends', () => {
  const row = (id: string) =>
    `${id},2026-11-27T16:00:00Z,,,5,C1,T1,2025550143,3125550199,200,,A,,198.51.100.7`;
  // line 3 is quarantined, so its number shows where each line was taken to end
  const LINES = [HEADER, row('a'), row('b').replace(',5,', ',-6,'), `"c\nd"${row('')}`, row('e')];
  const lf = `${LINES.join('\n')}\n`;
  const json = (id: string) =>
    JSON.stringify({
      call_id: id,
      start_time: '2026-11-27T16:00:00Z',
      customer_id: 'C1',
      calling_number: '2025550143',
      called_number: '3125550199',
      attestation: 'A',
    });
  /** what a batch read as LF lines gives: every row with its line, calls and quarantine */
  const summary = ({ calls, quarantined }: Awaited<ReturnType<typeof parse>>) => ({
    calls: calls.map((c) => [c.line, c.callId]),
    quarantined: quarantined.map((q) => [q.line, q.reason]),
  });

  it('reads a batch whose lines end in a bare CR as lines, however it arrives in chunks', async () => {
    const want = summary(await parse(lf));
    expect(want.calls).toEqual([
      [2, 'a'],
      [4, 'c\nd'],
      [6, 'e'],
    ]);
    const cr = lf.replaceAll('\n', '\r');
    for (const chunk of [1, 2, 3, 7, HEADER.length + 1, 1000]) {
      // a line break inside quotes reads as LF too, like every line end of the batch
      expect(summary(await parse(cr, { chunk }))).toEqual(want);
      expect(summary(await parse(cr, { chunk, reuse: true })).calls).toHaveLength(3);
    }
  });

  it('takes the first line ending in a bare CR as the header even when the rows end in LF or CRLF', async () => {
    const want = summary(await parse(lf));
    const rows = LINES.slice(1);
    for (const text of [`${HEADER}\r${rows.join('\n')}\n`, `${HEADER}\r${rows.join('\r\n')}\r\n`]) {
      for (const chunk of [1, 5, 1000]) {
        const got = await parse(text, { chunk });
        expect(summary(got)).toEqual(want);
        expect(got.stats.rows).toBe(4);
      }
    }
  });

  it('reads a CRLF batch as before: CR is part of a line end only before LF', async () => {
    const got = await parse(`${LINES.join('\r\n')}\r\n`, { chunk: 3 });
    expect(summary(got)).toEqual(summary(await parse(lf)));
    // an LF batch with a CR inside a row: the row is one row, its CR data
    const stray = await parse(`${HEADER}\n${row('x\ry')}\n${row('z')}\n`);
    expect(stray.calls.map((c) => [c.line, c.callId])).toEqual([
      [2, 'x\ry'],
      [3, 'z'],
    ]);
  });

  it('reads CR CR LF (CRLF converted twice) and a CR inside the first JSON object as LF batches', async () => {
    // the blank CR before each CRLF is no line of its own: the rows keep their line numbers
    const twice = await parse(`${LINES.join('\r\r\n')}\r\r\n`, { chunk: 3 });
    expect(summary(twice)).toEqual(summary(await parse(lf)));
    // a CR is blank space inside a JSON object: the batch's lines still end in LF
    const jl = await parse(`${json('r1').replace(',', ',\r')}\n${json('r2')}\n`);
    expect(jl.quarantined).toEqual([]);
    expect(jl.calls.map((c) => [c.line, c.callId])).toEqual([
      [1, 'r1'],
      [2, 'r2'],
    ]);
    // a short CR-only batch, all of it in the first bytes, is read as lines too
    const short = await parse(`${json('s1')}\r${json('s2')}\r`);
    expect(short.calls.map((c) => c.callId)).toEqual(['s1', 's2']);
  });

  it('fails loudly on a header cut short by a bare CR, instead of taking a row into it', async () => {
    const text = `call_id,start_time,answer_time\rend_time,customer_id,calling_number,called_number\n${row('a')}\n`;
    await expect(parse(text)).rejects.toThrow(/line 1: header lacks required column\(s\) customer_id/);
  });

  it('reads JSON Lines and Asterisk CDRs whose lines end in a bare CR', async () => {
    const jl = await parse(`${json('j1')}\r{bad\r${json('j2')}\r`, { chunk: 4 });
    expect(jl.calls.map((c) => [c.line, c.callId])).toEqual([
      [1, 'j1'],
      [3, 'j2'],
    ]);
    expect(jl.quarantined.map((q) => q.line)).toEqual([2]);
    const asterisk =
      '"CUST7","2025550143","3125550199","from-trunk","","SIP/a-1","SIP/b-2","Dial","SIP/b","2026-11-27 11:31:07","2026-11-27 11:31:10","2026-11-27 11:32:10","63","60","ANSWERED","DOCUMENTATION"';
    const ast = await parse(`${asterisk}\r${asterisk}\r`, { zone: NY, chunk: 5 });
    expect(ast.stats).toMatchObject({ format: 'asterisk', rows: 2, calls: 2 });
  });

  it('reads a byte range with the line ends it is given, not from a stray CR in its first row', () => {
    const quarantined: QuarantinedRow[] = [];
    const ids: string[] = [];
    const parser = new BatchParser(
      { source: 'range', format: 'jsonl', crLineEnds: false },
      { call: (c) => ids.push(c.callId), quarantine: (q) => quarantined.push(q) },
    );
    // as a JSON Lines range starts: at a row from the middle, here with a CR as blank space in it
    parser.push(Buffer.from(`${json('r1').replace(',', ',\r')}\n${json('r2')}\n`));
    parser.end();
    expect(quarantined).toEqual([]);
    expect(ids).toEqual(['r1', 'r2']);
  });
});
