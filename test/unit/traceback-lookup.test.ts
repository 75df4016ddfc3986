import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ZoneClock } from '../../shared/cdr/time.ts';
import type { BatchRef } from '../../shared/traceback/batches.ts';
import { hourKeysFor } from '../../shared/traceback/batches.ts';
import { fileBatches } from '../../shared/traceback/files.ts';
import { InMemoryManifest } from '../../shared/traceback/in-memory.ts';
import { lookupInBatches, lookupWithManifest } from '../../shared/traceback/lookup.ts';
import { validateTracebackRequest } from '../../shared/traceback/request.ts';

const HEADER =
  'call_id,start_time,answer_time,end_time,duration_s,customer_id,trunk_id,calling_number,called_number,sip_code,disposition,attestation,verstat,source_ip';
const CALL_MS = Date.UTC(2026, 10, 27, 16, 31, 7);
const iso = (ms: number) => new Date(ms).toISOString();

/** A canonical row; numbers are given in whatever shape the switch would write. */
function row(id: string, startMs: number, calling: string, called: string, customer = 'C900', trunk = 'T1') {
  return `${id},${iso(startMs)},,,12,${customer},${trunk},${calling},${called},200,ANSWERED,A,,198.51.100.7`;
}

/** `n` rows of unrelated traffic spread over one hour starting at `hourMs`. */
function filler(prefix: string, hourMs: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) =>
    row(
      `${prefix}-${i}`,
      hourMs + i * Math.floor(3_600_000 / n),
      `+1202555${String(1000 + i).slice(-4)}`,
      '+13125550100',
      `C${i % 7}`,
    ),
  );
}

function request(over: Record<string, unknown> = {}) {
  return validateTracebackRequest(
    {
      traceback_id: 'ITG-2026-001234',
      received_at: '2026-11-28T14:05:00Z',
      call_time: iso(CALL_MS),
      calling_number: '+12025550143',
      called_number: '+13125550199',
      requester: 'ITG',
      campaign: 'IRS impersonation',
      ...over,
    },
    'test request',
  );
}

/**
 * An archive in memory: one batch per switch per hour, registered in the manifest the way ingest
 * writes it, with an opener that counts what the lookup actually read.
 */
function archive() {
  const bodies = new Map<string, Buffer>();
  const manifest = new InMemoryManifest();
  const opened: string[] = [];
  const put = (switchId: string, hourMs: number, rows: string[], gzip = false) => {
    const key = `cdr/${switchId}/${iso(hourMs).slice(0, 13).replace('T', '/')}.csv${gzip ? '.gz' : ''}`;
    const text = `${HEADER}\n${rows.join('\n')}\n`;
    bodies.set(key, gzip ? gzipSync(text) : Buffer.from(text));
    const starts = rows.map((r) => Date.parse(r.split(',')[1]));
    const ref: BatchRef = {
      batchId: `bucket/${key}#v1`,
      name: key,
      switchId,
      firstMs: Math.min(...starts),
      lastMs: Math.max(...starts),
    };
    manifest.add(ref);
    return ref;
  };
  const opener = {
    async open(ref: BatchRef) {
      opened.push(ref.name);
      const body = bodies.get(ref.name);
      if (!body) throw new Error(`no object ${ref.name}`);
      return (async function* () {
        yield body;
      })();
    },
  };
  return { put, manifest, opener, opened };
}

const HOUR = 3_600_000;
const DAY_START = Date.UTC(2026, 10, 27, 0, 0, 0);

function fillDay(a: ReturnType<typeof archive>, switches: string[], days = 1) {
  for (let h = 0; h < 24 * days; h++) {
    const hourMs = DAY_START + h * HOUR;
    for (const sw of switches) a.put(sw, hourMs, filler(`${sw}-${h}`, hourMs, 20), h % 2 === 0);
  }
}

describe('traceback lookup through the batch manifest', () => {
  it('finds a planted call among many batches, reading only the batch whose hour holds it', async () => {
    const a = archive();
    fillDay(a, ['sbc-east-1', 'sbc-west-1']);
    const hour16 = DAY_START + 16 * HOUR;
    a.put('gw-wholesale', hour16, [
      ...filler('gw', hour16, 50),
      row(
        'planted-1',
        CALL_MS - 2000,
        'sip:+12025550143;verstat=TN-Validation-Passed@sbc.example;user=phone',
        '13125550199',
        'C042',
        'T7',
      ),
    ]);

    const answer = await lookupWithManifest(request(), a.manifest, a.opener);

    expect(answer.status).toBe('found');
    expect(answer.deadline).toBe('2026-11-29T14:05:00Z');
    expect(answer.matches).toHaveLength(1);
    expect(answer.matches[0]).toMatchObject({
      call_id: 'planted-1',
      customer_id: 'C042',
      trunk_id: 'T7',
      switch_id: 'gw-wholesale',
      source_ip: '198.51.100.7',
      start_time: '2026-11-27T16:31:05Z',
      attestation: 'A',
      batch: 'cdr/gw-wholesale/2026-11-27/16.csv',
      line: 52,
    });
    expect(answer.matches[0].raw).toContain('planted-1,');
    expect(answer.searched).toEqual({ batches: 3, from: '2026-11-27T16:29:07Z', to: '2026-11-27T16:33:07Z' });
    // the three switches' 16:00 batches, nothing else of the 49 in the archive
    expect(a.opened.sort()).toEqual([
      'cdr/gw-wholesale/2026-11-27/16.csv',
      'cdr/sbc-east-1/2026-11-27/16.csv.gz',
      'cdr/sbc-west-1/2026-11-27/16.csv.gz',
    ]);
  });

  it('reads the same number of batches when unrelated batches are added to the archive', async () => {
    const small = archive();
    const big = archive();
    fillDay(small, ['sbc-east-1']);
    fillDay(big, ['sbc-east-1', 'sbc-west-1', 'sbc-central-1', 'gw-a', 'gw-b'], 3);
    for (const a of [small, big]) {
      a.put('planted-switch', DAY_START + 16 * HOUR, [
        row('p', CALL_MS, '2025550143', '3125550199', 'C042', 'T7'),
      ]);
    }
    // another day at the same hour on the same switch: its manifest range cannot hold the call
    big.put('planted-switch', DAY_START + 40 * HOUR, filler('later', DAY_START + 40 * HOUR, 10));

    const smallAnswer = await lookupWithManifest(request(), small.manifest, small.opener);
    const bigAnswer = await lookupWithManifest(request(), big.manifest, big.opener);

    expect(smallAnswer.matches.map((m) => m.call_id)).toEqual(['p']);
    expect(bigAnswer.matches.map((m) => m.call_id)).toEqual(['p']);
    // one batch per switch that has traffic in the hour, never the archive's other hours or days
    expect(small.opened).toHaveLength(2);
    expect(big.opened).toHaveLength(6);
    expect(big.manifest.queries).toBe(small.manifest.queries);
    const onlyPlanted = await lookupWithManifest(
      request({ switch_id: 'planted-switch' }),
      big.manifest,
      big.opener,
    );
    expect(onlyPlanted.searched).toMatchObject({ batches: 1, switch_id: 'planted-switch' });
  });

  it('queries both hour partitions when the tolerance window crosses an hour boundary', () => {
    const at = Date.UTC(2026, 10, 27, 16, 59, 30);
    expect(hourKeysFor({ fromMs: at - 120_000, toMs: at + 120_000 })).toEqual([
      '2026-11-27T16',
      '2026-11-27T17',
    ]);
  });

  it('matches inside the clock-skew tolerance and not outside it', async () => {
    const a = archive();
    const hour16 = DAY_START + 16 * HOUR;
    a.put('sbc-east-1', hour16, [
      row('inside-early', CALL_MS - 120_000, '+12025550143', '+13125550199'),
      row('inside-late', CALL_MS + 119_000, '+12025550143', '+13125550199'),
      row('outside', CALL_MS + 121_000, '+12025550143', '+13125550199'),
    ]);
    const answer = await lookupWithManifest(request(), a.manifest, a.opener);
    expect(answer.matches.map((m) => m.call_id)).toEqual(['inside-late', 'inside-early']);

    const wide = await lookupWithManifest(request(), a.manifest, a.opener, { toleranceS: 130 });
    expect(wide.matches.map((m) => m.call_id)).toContain('outside');
    const narrow = await lookupWithManifest(request(), a.manifest, a.opener, { toleranceS: 30 });
    expect(narrow.status).toBe('not_found');
  });

  it('matches numbers written differently in the request and the CDR', async () => {
    const a = archive();
    const hour16 = DAY_START + 16 * HOUR;
    a.put('sbc-east-1', hour16, [row('x', CALL_MS, '12025550143', '(312) 555-0199')]);
    for (const [calling, called] of [
      ['(202) 555-0143', '+1 312 555 0199'],
      ['2025550143', 'tel:+13125550199'],
      ['1-202-555-0143', '13125550199'],
    ]) {
      const answer = await lookupWithManifest(
        request({ calling_number: calling, called_number: called }),
        a.manifest,
        a.opener,
      );
      expect(
        answer.matches.map((m) => m.call_id),
        `${calling} -> ${called}`,
      ).toEqual(['x']);
    }
  });

  it("finds a call a PBX logged as dialled behind its outside-line 9, and a caller's display name", async () => {
    const a = archive();
    const hour16 = DAY_START + 16 * HOUR;
    // the CSV quotes the display name's quotes
    a.put('pbx-1', hour16, [row('nine', CALL_MS, '"""Front desk"" <sip:+12025550143@pbx>"', '913125550199')]);
    const answer = await lookupWithManifest(request(), a.manifest, a.opener);
    expect(answer.status).toBe('found');
    expect(answer.matches.map((m) => m.call_id)).toEqual(['nine']);
  });

  it('finds a call whose spoofed caller ID is no number, as the CDR holds it, and says the caller ID was invalid', async () => {
    const a = archive();
    const hour16 = DAY_START + 16 * HOUR;
    a.put('sbc-east-1', hour16, [
      row('as-written', CALL_MS - 2000, '5565541', '+13125550199', 'C042', 'T7'),
      row('in-a-uri', CALL_MS + 1000, 'sip:556-5541@203.0.113.9', '3125550199', 'C043', 'T1'),
      row('other-caller', CALL_MS, '5565542', '+13125550199'),
      row('other-victim', CALL_MS, '5565541', '+13125550100'),
      row('e164', CALL_MS, '+12025550143', '+13125550199'),
    ]);
    for (const calling of ['5565541', ' 556-5541 ', '+5565541']) {
      const answer = await lookupWithManifest(request({ calling_number: calling }), a.manifest, a.opener);
      expect(answer.matches.map((m) => m.call_id).sort(), calling).toEqual(['as-written', 'in-a-uri']);
      expect(answer.caller_id).toBe('invalid');
      expect(answer.note).toBe(
        '2 matching calls received from C043/T1, C042/T7; the caller ID is not a valid phone number',
      );
    }
    // letters, as a CDR may hold them: compared in any case
    a.put('sbc-west-1', hour16, [row('letters', CALL_MS, 'IRS-HELP', '+13125550199')]);
    const letters = await lookupWithManifest(request({ calling_number: 'irs-help' }), a.manifest, a.opener);
    expect(letters.matches.map((m) => m.call_id)).toEqual(['letters']);
    // a real number is matched as before: never by its digits against an invalid caller ID
    const real = await lookupWithManifest(request(), a.manifest, a.opener);
    expect(real.matches.map((m) => m.call_id)).toEqual(['e164']);
    expect(real.caller_id).toBeUndefined();
  });

  it('finds a call with a withheld caller ID, in whatever words the request and the CDR use', async () => {
    const a = archive();
    const hour16 = DAY_START + 16 * HOUR;
    a.put('sbc-east-1', hour16, [
      row('private', CALL_MS, 'Private Caller', '+13125550199'),
      row('blank', CALL_MS + 5000, '', '+13125550199'),
      row('numbered', CALL_MS, '+12025550143', '+13125550199'),
    ]);
    const answer = await lookupWithManifest(request({ calling_number: 'anonymous' }), a.manifest, a.opener);
    expect(answer.matches.map((m) => m.call_id)).toEqual(['private', 'blank']);
    expect(answer.caller_id).toBe('withheld');
    expect(answer.note).toMatch(/; the caller ID was withheld$/);
  });

  it('answers not_found with what was searched', async () => {
    const a = archive();
    fillDay(a, ['sbc-east-1']);
    const answer = await lookupWithManifest(
      request({ calling_number: '+12025559999' }),
      a.manifest,
      a.opener,
    );
    expect(answer).toMatchObject({
      status: 'not_found',
      matches: [],
      searched: { batches: 1, from: '2026-11-27T16:29:07Z', to: '2026-11-27T16:33:07Z' },
    });
    expect(answer.note).toMatch(
      /^not found on our network: .* between 2026-11-27T16:29:07Z and 2026-11-27T16:33:07Z in 1 batch/,
    );
    expect(answer.note).not.toContain('555');
  });

  it('says nothing was searched when no batch covers the window, instead of "not found on our network"', async () => {
    const a = archive();
    const answer = await lookupWithManifest(request(), a.manifest, a.opener);
    expect(answer).toMatchObject({ status: 'not_found', searched: { batches: 0 } });
    expect(answer.note).toMatch(
      /^no CDR batch of .* was on record, so nothing was searched: this does not show/,
    );
  });

  it('fails rather than answer not_found when a candidate batch cannot be read', async () => {
    const a = archive();
    a.manifest.add({
      batchId: 'gone',
      name: 'cdr/x/missing.csv',
      switchId: 'x',
      firstMs: CALL_MS,
      lastMs: CALL_MS,
    });
    await expect(lookupWithManifest(request(), a.manifest, a.opener)).rejects.toThrow(
      /no object cdr\/x\/missing.csv/,
    );
  });
});

describe('traceback lookup over local files (native formats)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'traceback-lookup-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const NY = new ZoneClock('America/New_York');
  // 16:31:05Z is 11:31:05 in New York on 2026-11-27 (EST, UTC-5)

  it('finds the call in an Asterisk Master.csv with local times', async () => {
    const path = join(dir, 'native', 'asterisk', 'Master.csv');
    const rows = [
      '"C100","2025550100","3125550100","from-carrier","""Bob"" <2025550100>","SIP/carrier-b-0000001e","SIP/out-0000001f","Dial","SIP/out/3125550100,60","2026-11-27 11:30:00","2026-11-27 11:30:05","2026-11-27 11:31:00",60,55,"ANSWERED","DOCUMENTATION","1764261000.1",""',
      '"C042","2025550143","3125550199","from-carrier","""IRS"" <2025550143>","SIP/carrier-a-0000001f","SIP/out-00000020","Dial","SIP/out/3125550199,60","2026-11-27 11:31:05","2026-11-27 11:31:08","2026-11-27 11:31:20",15,12,"ANSWERED","DOCUMENTATION","1764261065.2",""',
    ];
    mkdirp(path);
    writeFileSync(path, `${rows.join('\n')}\n`);
    const answer = await lookupInBatches(request(), fileBatches([path]), { zone: NY });
    expect(answer.status).toBe('found');
    expect(answer.matches[0]).toMatchObject({
      call_id: '1764261065.2',
      customer_id: 'C042',
      trunk_id: 'carrier-a',
      switch_id: 'asterisk',
      start_time: '2026-11-27T16:31:05Z',
      line: 2,
    });
    expect(answer.matches[0].raw).toBe(rows[1]);
  });

  it('finds a call of exports concatenated, under a header again naming the numbers the other way round', async () => {
    const path = join(dir, 'cdr', 'sbc-1', 'concat.csv');
    const rows = [
      'call_id,start_time,customer_id,calling_number,called_number',
      `x1,${iso(CALL_MS - 60_000)},C900,+12025550100,+13125550100`,
      'call_id,start_time,customer_id,called_number,calling_number',
      `x2,${iso(CALL_MS)},C042,+13125550199,+12025550143`,
    ];
    mkdirp(path);
    for (const [name, body] of [
      ['csv', `${rows.join('\n')}\n`],
      ['gzip', gzipSync(`${rows.join('\n')}\n`)],
    ] as const) {
      writeFileSync(path, body);
      const answer = await lookupInBatches(request(), fileBatches([path]), {});
      expect(answer.status, name).toBe('found');
      expect(answer.matches.map((m) => [m.call_id, m.customer_id, m.line])).toEqual([['x2', 'C042', 4]]);
    }
  });

  it('names the switch of a file given without its folder after the current folder, not "."', () => {
    expect(fileBatches(['Master.csv'])[0].switchId).toBe(basename(process.cwd()));
    expect(fileBatches(['native/asterisk/Master.csv'])[0].switchId).toBe('asterisk');
  });

  it('a call not in the named files is "not found in the given files", never "not found on our network"', async () => {
    const path = join(dir, 'native', 'asterisk', 'Other.csv');
    mkdirp(path);
    writeFileSync(
      path,
      '"C100","2025550100","3125550100","from-carrier","""Bob"" <2025550100>","SIP/carrier-b-0000001e","SIP/out-0000001f","Dial","SIP/out/3125550100,60","2026-11-27 11:30:00","2026-11-27 11:30:05","2026-11-27 11:31:00",60,55,"ANSWERED","DOCUMENTATION","1764261000.1",""\n',
    );
    const answer = await lookupInBatches(request(), fileBatches([path]), { zone: NY });
    expect(answer.status).toBe('not_found');
    expect(answer.note).toMatch(/^not found in the given files: .* in 1 batch \(only these were searched/);
  });

  it('finds the call in a gzipped FreeSWITCH CSV with local times', async () => {
    const path = join(dir, 'native', 'freeswitch', 'Master.csv.gz');
    const rows = [
      '"IRS","+12025550143","13125550199","carrier_a","2026-11-27 11:31:05","2026-11-27 11:31:08","2026-11-27 11:31:20","15","12","NORMAL_CLEARING","a1b2c3d4-0000-4000-8000-000000000001","","C042","PCMU","PCMU"',
    ];
    mkdirp(path);
    writeFileSync(path, gzipSync(`${rows.join('\n')}\n`));
    const answer = await lookupInBatches(request(), fileBatches([path]), { zone: NY, format: 'auto' });
    expect(answer.matches[0]).toMatchObject({
      call_id: 'a1b2c3d4-0000-4000-8000-000000000001',
      customer_id: 'C042',
      trunk_id: 'carrier_a',
      switch_id: 'freeswitch',
    });
  });

  it('names and cites a file under cdr/<switch>/ like its bucket key, others by the given switch', () => {
    const [underCdr, native] = fileBatches(
      ['sample/cdr/sbc-east-1/2026/11/27/16.csv.gz', 'x/native/asterisk/Master.csv'],
      {
        switchId: 'pbx-asterisk-1',
      },
    );
    expect(underCdr).toMatchObject({ switchId: 'sbc-east-1', name: 'cdr/sbc-east-1/2026/11/27/16.csv.gz' });
    expect(native).toMatchObject({ switchId: 'pbx-asterisk-1', name: 'x/native/asterisk/Master.csv' });
  });
});

function mkdirp(file: string) {
  mkdirSync(dirname(file), { recursive: true });
}
