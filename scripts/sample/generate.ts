import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { SampleCall } from './call.ts';
import { buildDnoList } from './dno.ts';
import { CALLED_SALT, CALLING_SALT, canonicalLine, csvHeader } from './formats/canonical.ts';
import {
  ASTERISK_COLUMNS,
  asteriskCalling,
  asteriskLine,
  FREESWITCH_COLUMNS,
  freeswitchLine,
} from './formats/native.ts';
import { customersCsv, numbersCsv } from './formats/reference.ts';
import { generateHour } from './hour-traffic.ts';
import { legitCustomers } from './legit.ts';
import { DEFECT_DESCRIPTIONS, DEFECTS, defectLine } from './malformed.ts';
import { plantedCustomers, REASON_CODES } from './planted.ts';
import { createRandom, deriveSeed } from './random.ts';
import {
  ASTERISK_FILE,
  ASTERISK_SWITCH,
  CANONICAL_SWITCHES,
  type CallIdSequence,
  type CanonicalSwitch,
  FREESWITCH_FILE,
  FREESWITCH_SWITCH,
  NATIVE_ZONE,
  styleFor,
} from './switches.ts';
import { dayStartMs, HOUR_MS } from './time.ts';
import { buildTracebacks, type LocatedCall } from './tracebacks.ts';

export interface SampleOptions {
  /** output folder; the generator replaces only the files and folders it writes there */
  out: string;
  seed: number;
  /** UTC day, yyyy-mm-dd */
  day: string;
  /** multiplies every drawn volume (planted exact calls, e.g. traceback subjects, are not scaled) */
  scale: number;
}

export interface SampleSummary {
  /** call rows written (CDR batches + native files), not counting planted malformed rows */
  rows: number;
  malformedRows: number;
  batches: number;
  customers: number;
  tracebacks: number;
}

/** Ordinary customers C001..C283; the last three send traffic but are missing from customers.csv. */
const LEGIT_COUNT = 283;
const LEGIT_UNREGISTERED = 3;

/** Everything the generator writes, relative to the output folder (and nothing else is removed). */
const OUTPUTS = ['cdr', 'native', 'tracebacks', 'customers.csv', 'numbers.csv', 'dno.txt', 'expected.json'];

const NATIVE_README = (
  day: string,
) => `Native PBX CDR files for ${day}, used as standalone inputs (they are not under cdr/).

Times in both files are local wall-clock time in ${NATIVE_ZONE} (the PBXs' configured zone),
with no offset written. Read them with:

  npx traceguard analyze --input-format asterisk --timezone ${NATIVE_ZONE} native/asterisk/Master.csv
  npx traceguard analyze --input-format freeswitch --timezone ${NATIVE_ZONE} native/freeswitch/Master.csv

asterisk/Master.csv    Asterisk cdr_csv, no header, ${ASTERISK_COLUMNS} columns (loguniqueid=yes, loguserfield=yes):
                       accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata,
                       start, answer, end, duration, billsec, disposition, amaflags, uniqueid, userfield.
                       accountcode is the customer; the ingress trunk is in channel (PJSIP/<trunk>-<id>).
freeswitch/Master.csv  FreeSWITCH mod_cdr_csv "example" template, no header, ${FREESWITCH_COLUMNS} quoted columns:
                       caller_id_name, caller_id_number, destination_number, context, start_stamp,
                       answer_stamp, end_stamp, duration, billsec, hangup_cause, uuid, bleg_uuid,
                       accountcode, read_codec, write_codec.
`;

function write(out: string, relative: string, content: string | Buffer): void {
  const path = join(out, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

function batchPath(sw: CanonicalSwitch, day: string, hour: number, minute: number): string {
  const [yyyy, mm, dd] = day.split('-');
  return `cdr/${sw.id}/${yyyy}/${mm}/${dd}/${sw.fileName(hour, minute)}`;
}

/** Writes one batch, with any planted malformed rows; returns where the watched calls landed. */
function writeBatch(
  out: string,
  path: string,
  sw: CanonicalSwitch,
  hour: number,
  minute: number,
  calls: readonly SampleCall[],
  seed: number,
  watched: ReadonlySet<string>,
): { lineOf: Map<string, number>; defects: Array<{ line: number; kind: string }> } {
  const lines = calls.map((call) => canonicalLine(sw, call));
  const firstLine = sw.format === 'csv' ? 2 : 1; // CSV line 1 is the header
  const defects: Array<{ line: number; kind: string }> = [];
  const inserted: number[] = [];
  for (const defect of DEFECTS) {
    if (defect.switchId !== sw.id || defect.hour !== hour || defect.minute !== minute) continue;
    const at = Math.min(defect.afterRow, lines.length);
    const template = calls[Math.max(0, at - 1)] ?? fallbackTemplate(sw, hour);
    const random = createRandom(deriveSeed(seed, 'defect', sw.id, hour, minute, defect.kind));
    lines.splice(at, 0, defectLine(sw, defect, template, random));
    inserted.push(at);
    defects.push({ line: firstLine + at, kind: defect.kind });
  }
  const lineOf = new Map<string, number>();
  calls.forEach((call, index) => {
    if (!watched.has(call.callId)) return;
    const shift = inserted.filter((at) => at <= index).length;
    lineOf.set(call.callId, firstLine + index + shift);
  });
  const body = lines.length > 0 ? `${lines.join('\n')}\n` : '';
  const text = sw.format === 'csv' ? `${csvHeader(sw)}\n${body}` : body;
  write(out, path, sw.compression(hour) === 'gzip' ? gzipSync(text) : text);
  return { lineOf, defects };
}

/** A stand-in row to copy a defect from when a (tiny-scale) batch has no calls at all. */
function fallbackTemplate(sw: CanonicalSwitch, hour: number): SampleCall {
  const startMs = Date.UTC(2026, 0, 1) + hour * HOUR_MS;
  return {
    callId: 'template',
    switchId: sw.id,
    customerId: 'C001',
    trunkId: 'T1a',
    sourceIp: '192.0.2.10',
    calling: '+12025550143',
    called: '+13125550199',
    startMs,
    answerMs: null,
    endMs: startMs + 20_000,
    durationS: 0,
    sipCode: 487,
    attestation: 'A',
    verstat: 'TN-Validation-Passed',
  };
}

export function generateSampleDay(options: SampleOptions): SampleSummary {
  const { out, seed, day, scale } = options;
  const startOfDay = dayStartMs(day);
  for (const entry of OUTPUTS) rmSync(join(out, entry), { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  const dno = buildDnoList(seed, day);
  const planted = plantedCustomers(seed, startOfDay, dno);
  const customers = [
    ...legitCustomers(seed, LEGIT_COUNT, LEGIT_UNREGISTERED, startOfDay),
    ...planted.map((p) => p.customer),
  ];
  write(out, 'customers.csv', customersCsv(customers));
  write(out, 'numbers.csv', numbersCsv(customers));
  write(out, 'dno.txt', dno.text);

  const sequence: CallIdSequence = { next: 1 };
  const located: LocatedCall[] = [];
  const quarantine: Array<{ batch: string; line: number; defect: string; reason: string }> = [];
  const rowsBySwitch: Record<string, number> = {};
  const asterisk: string[] = [];
  const freeswitch: string[] = [];
  let batches = 0;

  for (let hour = 0; hour < 24; hour++) {
    const { calls, tagged } = generateHour(seed, customers, hour, startOfDay, scale, sequence);
    const tagOf = new Map(tagged.map((t) => [t.call.callId, t.tag]));
    const watched = new Set(tagOf.keys());
    for (const sw of CANONICAL_SWITCHES) {
      sw.batchMinutes.forEach((minute, i) => {
        const from = startOfDay + hour * HOUR_MS + minute * 60_000;
        const to = startOfDay + hour * HOUR_MS + (sw.batchMinutes[i + 1] ?? 60) * 60_000;
        const batchCalls = calls.filter((c) => c.switchId === sw.id && c.startMs >= from && c.startMs < to);
        const path = batchPath(sw, day, hour, minute);
        const { lineOf, defects } = writeBatch(out, path, sw, hour, minute, batchCalls, seed, watched);
        batches++;
        rowsBySwitch[sw.id] = (rowsBySwitch[sw.id] ?? 0) + batchCalls.length;
        for (const d of defects) {
          quarantine.push({
            batch: path,
            line: d.line,
            defect: d.kind,
            reason: DEFECT_DESCRIPTIONS[d.kind as keyof typeof DEFECT_DESCRIPTIONS],
          });
        }
        for (const [callId, line] of lineOf) {
          const call = batchCalls.find((c) => c.callId === callId)!;
          located.push({
            tag: tagOf.get(callId)!,
            call,
            batch: path,
            line,
            callingStyle: styleFor(sw.callingStyles, call, CALLING_SALT),
            calledStyle: styleFor(sw.calledStyles, call, CALLED_SALT),
            inputFormat: 'auto',
          });
        }
      });
    }
    for (const call of calls) {
      if (call.switchId === ASTERISK_SWITCH) {
        asterisk.push(asteriskLine(call, NATIVE_ZONE));
        if (watched.has(call.callId)) {
          located.push({
            tag: tagOf.get(call.callId)!,
            call,
            batch: ASTERISK_FILE,
            line: asterisk.length,
            callingStyle: asteriskCalling(call) === call.calling.slice(2) ? 'nanp10' : 'nanp11',
            calledStyle: 'nanp11',
            inputFormat: 'asterisk',
            timezone: NATIVE_ZONE,
          });
        }
      } else if (call.switchId === FREESWITCH_SWITCH) {
        freeswitch.push(freeswitchLine(call, NATIVE_ZONE));
      }
    }
  }
  write(out, ASTERISK_FILE, asterisk.length > 0 ? `${asterisk.join('\n')}\n` : '');
  write(out, FREESWITCH_FILE, freeswitch.length > 0 ? `${freeswitch.join('\n')}\n` : '');
  write(out, 'native/README.txt', NATIVE_README(day));
  rowsBySwitch[ASTERISK_SWITCH] = asterisk.length;
  rowsBySwitch[FREESWITCH_SWITCH] = freeswitch.length;

  const tracebacks = buildTracebacks(
    seed,
    startOfDay,
    located.filter((l) => l.tag.startsWith('traceback:')),
  );
  const answers: Record<string, unknown> = {};
  for (const { request, expected } of tracebacks) {
    write(out, `tracebacks/${request.traceback_id}.json`, `${JSON.stringify(request, null, 2)}\n`);
    answers[request.traceback_id] = expected;
  }

  const rows = Object.values(rowsBySwitch).reduce((a, b) => a + b, 0);
  const expected = {
    generated_by: 'scripts/generate-sample.ts',
    seed,
    day,
    scale,
    note:
      'Planted signatures are sized for --scale 1 (at smaller scales volumes fall under the rules\u2019 volume floors). ' +
      'Each planted customer lists the reference inputs it needs (customers, numbers, dno, tracebacks). ' +
      'Native files hold local times in ' +
      NATIVE_ZONE +
      ' (see native/README.txt).',
    reason_codes: REASON_CODES,
    inputs: {
      customers: 'customers.csv',
      numbers: 'numbers.csv',
      dno: 'dno.txt',
      cdr: 'cdr/',
      native: { asterisk: ASTERISK_FILE, freeswitch: FREESWITCH_FILE, timezone: NATIVE_ZONE },
    },
    missing_from_registry: customers.filter((c) => !c.inRegistry).map((c) => c.id),
    planted: planted.map((p) => p.expected),
    tracebacks: answers,
    dno_few_calls: located
      .filter((l) => l.tag === 'dno-few')
      .map((l) => ({ customer_id: l.call.customerId, call_id: l.call.callId, batch: l.batch, line: l.line })),
    quarantine,
    counts: { rows, malformed_rows: quarantine.length, batches, rows_by_switch: rowsBySwitch },
  };
  write(out, 'expected.json', `${JSON.stringify(expected, null, 2)}\n`);
  return {
    rows,
    malformedRows: quarantine.length,
    batches,
    customers: customers.length,
    tracebacks: tracebacks.length,
  };
}
