import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANONICAL_COLUMNS, generateCanonicalRows } from '../../scripts/sample/canonical-csv.ts';
import { buildDnoList } from '../../scripts/sample/dno.ts';
import { generateSampleDay } from '../../scripts/sample/generate.ts';
import { generateHour } from '../../scripts/sample/hour-traffic.ts';
import { zoneOfNumber } from '../../scripts/sample/nanp.ts';
import { plantedCustomers } from '../../scripts/sample/planted.ts';
import { dayStartMs, localHour } from '../../scripts/sample/time.ts';

const DAY = '2026-11-27';
const SCALE = 0.04; // small: the format and determinism checks do not need volume
const GZIP_MAGIC = [0x1f, 0x8b];

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(root, path));
    }
  };
  walk(root);
  return out.sort();
}

function hashes(root: string): Record<string, string> {
  return Object.fromEntries(
    listFiles(root).map((f) => [
      f,
      createHash('sha256')
        .update(readFileSync(join(root, f)))
        .digest('hex'),
    ]),
  );
}

const isGzip = (bytes: Buffer) => bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
const text = (bytes: Buffer) => (isGzip(bytes) ? gunzipSync(bytes) : bytes).toString('utf8');

/** Minimal RFC 4180 line splitter (no embedded newlines in the sample), to count fields. */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

const lines = (content: string) => content.split('\n').filter((l) => l !== '');

describe('sample-day generator', () => {
  let first: string;
  let second: string;
  let other: string;
  let expected: {
    planted: Array<{ customer_id: string; expect_codes: string[]; forbid_codes: string[]; kind: string }>;
    tracebacks: Record<
      string,
      {
        status: string;
        call_id: string | null;
        batch: string | null;
        line: number | null;
        start_time: string | null;
      }
    >;
    quarantine: Array<{ batch: string; line: number; defect: string }>;
    missing_from_registry: string[];
    counts: { rows: number };
  };

  beforeAll(() => {
    // Prepare: the same seed twice, and a different seed once
    first = mkdtempSync(join(tmpdir(), 'tg-sample-a-'));
    second = mkdtempSync(join(tmpdir(), 'tg-sample-b-'));
    other = mkdtempSync(join(tmpdir(), 'tg-sample-c-'));
    generateSampleDay({ out: first, seed: 42, day: DAY, scale: SCALE });
    generateSampleDay({ out: second, seed: 42, day: DAY, scale: SCALE });
    generateSampleDay({ out: other, seed: 43, day: DAY, scale: SCALE });
    expected = JSON.parse(readFileSync(join(first, 'expected.json'), 'utf8'));
  });

  afterAll(() => {
    for (const dir of [first, second, other]) rmSync(dir, { recursive: true, force: true });
  });

  it('writes byte-identical files for the same seed, and different CDRs for another seed', () => {
    const a = hashes(first);
    const b = hashes(second);
    const c = hashes(other);
    expect(Object.keys(a).length).toBeGreaterThan(100);
    expect(b).toEqual(a);
    const cdr = Object.keys(a).filter((f) => f.startsWith('cdr/'));
    expect(cdr.filter((f) => c[f] !== a[f]).length).toBe(cdr.length);
  });

  it('produces the advertised layout', () => {
    const files = listFiles(first);
    for (const f of ['customers.csv', 'numbers.csv', 'dno.txt', 'expected.json', 'native/README.txt']) {
      expect(files).toContain(f);
    }
    const switches = new Set(files.filter((f) => f.startsWith('cdr/')).map((f) => f.split('/')[1]));
    expect([...switches].sort()).toEqual(['gw-wholesale-1', 'sbc-central-1', 'sbc-east-1', 'sbc-west-1']);
    expect(files.filter((f) => f.startsWith('tracebacks/')).length).toBeGreaterThanOrEqual(3);
    expect(readFileSync(join(first, 'native/README.txt'), 'utf8')).toContain('America/New_York');
  });

  it('compresses exactly the batches it says, whatever the name', () => {
    const cdr = listFiles(first).filter((f) => f.startsWith('cdr/'));
    const misnamed = cdr.filter((f) => !f.endsWith('.gz') && isGzip(readFileSync(join(first, f))));
    expect(misnamed.length).toBeGreaterThan(0);
    expect(misnamed.every((f) => f.startsWith('cdr/sbc-east-1/'))).toBe(true);
    for (const f of cdr.filter((name) => name.endsWith('.gz')))
      expect(isGzip(readFileSync(join(first, f)))).toBe(true);
    for (const f of cdr.filter((name) => name.startsWith('cdr/sbc-west-1/'))) {
      expect(isGzip(readFileSync(join(first, f)))).toBe(false);
    }
  });

  it('writes canonical CSV with a header naming the required columns, in a non-canonical order', () => {
    const csv = listFiles(first).filter((f) => f.startsWith('cdr/') && !f.endsWith('.jsonl'));
    const required = ['call_id', 'start_time', 'customer_id', 'calling_number', 'called_number'];
    const headers = new Set<string>();
    for (const f of csv) {
      const [header, ...rows] = lines(text(readFileSync(join(first, f))));
      const columns = header.toLowerCase().split(',');
      for (const column of required) expect(columns, `${f} header`).toContain(column);
      headers.add(header);
      const planted = new Set(expected.quarantine.filter((q) => q.batch === f).map((q) => q.line));
      rows.forEach((row, i) => {
        if (planted.has(i + 2)) return;
        expect(csvFields(row).length, `${f}:${i + 2}`).toBe(columns.length);
      });
    }
    expect(headers.size).toBe(3);
    expect([...headers].every((h) => h.toLowerCase() !== CANONICAL_COLUMNS.join(','))).toBe(true);
    expect([...headers].some((h) => h.includes('x_route_plan'))).toBe(true);
  });

  it('writes JSON Lines that parse, except the planted truncated line', () => {
    for (const f of listFiles(first).filter((name) => name.endsWith('.jsonl'))) {
      const bad = new Set(
        expected.quarantine.filter((q) => q.batch === f && q.defect === 'truncated_json').map((q) => q.line),
      );
      lines(text(readFileSync(join(first, f)))).forEach((line, i) => {
        if (bad.has(i + 1)) expect(() => JSON.parse(line)).toThrow();
        else expect(typeof JSON.parse(line).start_time).toBe('number');
      });
    }
  });

  it('writes native files without header and with the column counts of their formats', () => {
    const asterisk = lines(readFileSync(join(first, 'native/asterisk/Master.csv'), 'utf8'));
    const freeswitch = lines(readFileSync(join(first, 'native/freeswitch/Master.csv'), 'utf8'));
    expect(asterisk.length).toBeGreaterThan(10);
    expect(freeswitch.length).toBeGreaterThan(10);
    for (const line of asterisk) expect(csvFields(line).length).toBe(18);
    for (const line of freeswitch) {
      expect(csvFields(line).length).toBe(15);
      expect(line.startsWith('"') && line.endsWith('"')).toBe(true);
    }
    // local wall-clock without zone: `2026-11-26 19:00:06`
    expect(csvFields(asterisk[0])[9]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('lists every planted signal and keeps expect and forbid apart', () => {
    const codes = new Set(expected.planted.flatMap((p) => p.expect_codes));
    for (const code of [
      'SHORT_CALL_RATIO',
      'LOW_ASR',
      'REJECTION_RATIO',
      'ANI_ROTATION',
      'NEIGHBOR_SPOOFING',
      'CALLING_EQUALS_CALLED',
      'INVALID_CALLING_NUMBER',
      'DNO_CALLING_NUMBER',
      'UNSIGNED_OR_GATEWAY_ATTESTATION',
      'ATTESTATION_MISMATCH',
      'OUTSIDE_CALLING_HOURS',
      'VOLUME_SPIKE',
      'HIGH_FANOUT',
      'REPEAT_CALLS',
      'TRACEBACK_HISTORY',
    ]) {
      expect(codes, code).toContain(code);
    }
    expect(expected.planted.filter((p) => p.kind === 'lookalike')).toHaveLength(5);
    for (const p of expected.planted)
      expect(p.expect_codes.filter((c) => p.forbid_codes.includes(c))).toEqual([]);
    const registry = readFileSync(join(first, 'customers.csv'), 'utf8');
    expect(expected.missing_from_registry.length).toBeGreaterThanOrEqual(2);
    for (const id of expected.missing_from_registry) expect(registry).not.toMatch(new RegExp(`^${id},`, 'm'));
  });

  it('points every found traceback at the batch line holding the call, and spells the numbers differently', () => {
    const entries = Object.entries(expected.tracebacks);
    expect(entries.map(([, e]) => e.status).sort()).toEqual([
      'found',
      'found',
      'found',
      'found',
      'not_found',
    ]);
    const batches = new Set<string>();
    for (const [id, answer] of entries) {
      const request = JSON.parse(readFileSync(join(first, `tracebacks/${id}.json`), 'utf8'));
      expect(request.traceback_id).toBe(id);
      if (answer.status !== 'found') continue;
      batches.add(answer.batch!.split('/')[1]);
      const line = lines(text(readFileSync(join(first, answer.batch!))))[answer.line! - 1];
      expect(line).toContain(answer.call_id);
      const fields = answer.batch!.endsWith('.jsonl')
        ? Object.values(JSON.parse(line)).map(String)
        : csvFields(line);
      const digits = (s: string) => s.split(/[@;]/)[0].replace(/\D/g, '').slice(-10);
      // same number, different spelling: matching has to normalize
      expect(fields.some((f) => digits(f) === digits(request.calling_number))).toBe(true);
      expect(fields).not.toContain(request.calling_number);
      expect(fields).not.toContain(request.called_number);
      const skew = Math.abs(Date.parse(request.call_time) - Date.parse(answer.start_time!));
      expect(skew).toBeGreaterThan(0);
      expect(skew).toBeLessThanOrEqual(60_000);
    }
    expect([...batches].sort()).toEqual(['asterisk', 'gw-wholesale-1', 'sbc-east-1', 'sbc-west-1']);
  });

  it('records where each planted malformed row is', () => {
    expect(expected.quarantine.length).toBeGreaterThanOrEqual(5);
    const kinds = new Set(expected.quarantine.map((q) => q.defect));
    for (const kind of [
      'missing_call_id',
      'unparseable_start_time',
      'negative_duration',
      'wrong_column_count',
      'bad_attestation',
    ]) {
      expect(kinds).toContain(kind);
    }
    const negative = expected.quarantine.find((q) => q.defect === 'negative_duration')!;
    expect(lines(text(readFileSync(join(first, negative.batch))))[negative.line - 1]).toContain(',-6,');
  });
});

describe('planted signatures at full volume', () => {
  // Prepare: generate two abuse hours at scale 1 in memory, planted customers only (fast)
  const start = dayStartMs(DAY);
  const planted = plantedCustomers(7, start, buildDnoList(7, DAY)).map((p) => p.customer);
  const hour = (h: number) => generateHour(7, planted, h, start, 1, { next: 1 }).calls;
  const h18 = hour(18);
  const of = (id: string, calls = h18) => calls.filter((c) => c.customerId === id);

  it('gives each abuse customer its signature', () => {
    const answered = of('C901').filter((c) => c.sipCode === 200);
    expect(of('C901').length).toBeGreaterThan(150);
    expect(answered.filter((c) => c.durationS < 6).length / answered.length).toBeGreaterThan(0.6);
    expect(of('C902').filter((c) => c.sipCode === 200).length / of('C902').length).toBeLessThan(0.15);
    expect(new Set(of('C903').map((c) => c.calling)).size).toBeGreaterThan(300);
    const c905 = of('C905');
    expect(c905.filter((c) => c.calling === c.called).length / c905.length).toBeGreaterThan(0.4);
    const c912 = of('C912');
    expect(new Set(c912.map((c) => c.called)).size).toBeGreaterThan(2000);
    const pairs = new Map<string, number>();
    for (const c of of('C913'))
      pairs.set(`${c.calling}>${c.called}`, (pairs.get(`${c.calling}>${c.called}`) ?? 0) + 1);
    expect([...pairs.values()].filter((n) => n >= 10).length).toBeGreaterThanOrEqual(8);
    expect(of('C911').length / of('C911', hour(15)).length).toBeGreaterThan(10);
  });

  it('puts the calling-hours dialer at night where the called party lives, the look-alikes in daytime', () => {
    const calls = [...of('C910', hour(4)), ...of('C910', hour(9)), ...of('C910', hour(12))];
    const night = calls.filter((c) => {
      const local = localHour(zoneOfNumber(c.called)!, c.startMs);
      return local >= 22 || local < 6;
    });
    expect(night.length / calls.length).toBeGreaterThan(0.9);
    const lookalike = [...of('C952', hour(2)), ...of('C951')];
    const outside = lookalike.filter((c) => {
      const local = localHour(zoneOfNumber(c.called)!, c.startMs);
      return local < 8 || local >= 21;
    });
    expect(lookalike.length).toBeGreaterThan(1000);
    expect(outside).toEqual([]);
  });
});

describe('generateCanonicalRows', () => {
  it('yields a canonical header and the requested rows, deterministically', () => {
    const a = [...generateCanonicalRows({ rows: 2000, seed: 5, customers: 50 })];
    const b = [...generateCanonicalRows({ rows: 2000, seed: 5, customers: 50 })];
    expect(a).toEqual(b);
    expect(a).toHaveLength(2001);
    expect(a[0]).toBe(`${CANONICAL_COLUMNS.join(',')}\n`);
    for (const row of a.slice(1)) {
      expect(row.endsWith('\n')).toBe(true);
      expect(row.slice(0, -1).split(',')).toHaveLength(CANONICAL_COLUMNS.length);
    }
    expect(new Set(a.slice(1).map((r) => r.split(',')[0])).size).toBe(2000);
    expect([...generateCanonicalRows({ rows: 10, seed: 6, customers: 50 })]).not.toEqual(a.slice(0, 11));
  });

  it('rejects nonsense sizes with a message naming the option', () => {
    expect(() => [...generateCanonicalRows({ rows: -1, seed: 1, customers: 5 })]).toThrow(/rows/);
    expect(() => [...generateCanonicalRows({ rows: 5, seed: 1, customers: 0 })]).toThrow(/customers/);
  });
});
