import type { ByteInterner } from '../byte-intern.ts';
import type { CsvRecordBytes } from '../csv-tokenizer.ts';
import { classifyNanpNational, classifyNanpParts } from '../nanp.ts';
import type { PackedCall } from '../packed-call.ts';
import type { Attestation, NumberClass, Verstat } from '../record.ts';
import type { ByteTimeParser } from '../time-bytes.ts';
import type { ColumnMap } from './canonical-csv.ts';

/**
 * The canonical CSV row read straight from the tokenizer's bytes into a PackedCall: no field strings,
 * no RawCall, no CallRecord. It only accepts rows in the plain shape switches and our own exports
 * write (trimmed ids, E.164 or bare digits, `...Z` or epoch times, exact enum spellings) and answers
 * false for anything else, so that row goes through canonicalRow + normalizeCall, which decide
 * every unusual case (and every error) exactly as before. Accepting a row means producing what
 * normalizeCall would have produced for it.
 */

const NO_KEY = -2;
const ANSWERED = 1;
const DISPOSITIONS = ['ANSWERED', 'NO_ANSWER', 'BUSY', 'FAILED', 'CANCELLED', 'REJECTED', 'CONGESTION'].map(
  (d) => Buffer.from(d, 'latin1'),
);
const VERSTAT_TEXT: Verstat[] = ['TN-Validation-Passed', 'TN-Validation-Failed', 'No-TN-Validation'];
const VERSTAT_BYTES = VERSTAT_TEXT.map((v) => Buffer.from(v, 'latin1'));

function matchAt(buf: Buffer, s: number, e: number, list: Buffer[]): number {
  const len = e - s;
  outer: for (let k = 0; k < list.length; k++) {
    const want = list[k];
    if (want.length !== len) continue;
    for (let j = 0; j < len; j++) if (buf[s + j] !== want[j]) continue outer;
    return k;
  }
  return -1;
}

/** true when the field needs no trimming and decodes as plain ASCII at both ends */
function plainEnds(buf: Buffer, s: number, e: number): boolean {
  const a = buf[s];
  const b = buf[e - 1];
  return a > 0x20 && a < 0x7f && b > 0x20 && b < 0x7f;
}

export class CanonicalFastReader {
  private readonly width: number;
  private readonly callId: number;
  private readonly start: number;
  private readonly answer: number;
  private readonly end: number;
  private readonly duration: number;
  private readonly customer: number;
  private readonly trunk: number;
  private readonly calling: number;
  private readonly called: number;
  private readonly sip: number;
  private readonly disposition: number;
  private readonly attestation: number;
  private readonly verstat: number;
  private readonly ids: ByteInterner;
  private readonly times: ByteTimeParser;
  /** class of the last number parsed by numberAt */
  private cls: NumberClass = 'valid';

  constructor(columns: ColumnMap, width: number, ids: ByteInterner, times: ByteTimeParser) {
    this.width = width;
    const col = (c: keyof ColumnMap) => columns[c] ?? -1;
    this.callId = col('call_id');
    this.start = col('start_time');
    this.answer = col('answer_time');
    this.end = col('end_time');
    this.duration = col('duration_s');
    this.customer = col('customer_id');
    this.trunk = col('trunk_id');
    this.calling = col('calling_number');
    this.called = col('called_number');
    this.sip = col('sip_code');
    this.disposition = col('disposition');
    this.attestation = col('attestation');
    this.verstat = col('verstat');
    this.ids = ids;
    this.times = times;
  }

  /** Fills `out` and returns true, or returns false: read this row the general way. */
  read(rec: CsvRecordBytes, out: PackedCall): boolean {
    if (rec.count !== this.width) return false;
    const { buf, starts, ends, escaped } = rec;

    let s = starts[this.callId];
    let e = ends[this.callId];
    if (escaped[this.callId] || e === s || buf[s] <= 0x20 || buf[s] >= 0x7f) return false;

    s = starts[this.customer];
    e = ends[this.customer];
    if (escaped[this.customer] || e === s || !plainEnds(buf, s, e)) return false;
    const customerId = this.ids.intern(buf, s, e);

    let trunkId = '';
    if (this.trunk >= 0) {
      s = starts[this.trunk];
      e = ends[this.trunk];
      if (e > s) {
        if (escaped[this.trunk] || !plainEnds(buf, s, e)) return false;
        trunkId = this.ids.intern(buf, s, e);
      }
    }

    const startMs = this.times.parse(buf, starts[this.start], ends[this.start]);
    if (Number.isNaN(startMs)) return false;
    let answerMs = Number.NaN;
    let hasAnswer = false;
    if (this.answer >= 0 && ends[this.answer] > starts[this.answer]) {
      answerMs = this.times.parse(buf, starts[this.answer], ends[this.answer]);
      if (Number.isNaN(answerMs)) return false;
      hasAnswer = true;
    }
    let endMs = Number.NaN;
    let hasEnd = false;
    if (this.end >= 0 && ends[this.end] > starts[this.end]) {
      endMs = this.times.parse(buf, starts[this.end], ends[this.end]);
      if (Number.isNaN(endMs)) return false;
      hasEnd = true;
    }

    let sipCode = 0;
    if (this.sip >= 0 && ends[this.sip] > starts[this.sip]) {
      s = starts[this.sip];
      if (ends[this.sip] - s !== 3) return false;
      const a = buf[s] - 48;
      const b = buf[s + 1] - 48;
      const c = buf[s + 2] - 48;
      if (a < 1 || a > 6 || b < 0 || b > 9 || c < 0 || c > 9) return false;
      sipCode = a * 100 + b * 10 + c;
    }

    let disposition = 0; // 0 = none, else index + 1
    if (this.disposition >= 0 && ends[this.disposition] > starts[this.disposition]) {
      const k = matchAt(buf, starts[this.disposition], ends[this.disposition], DISPOSITIONS);
      if (k < 0) return false;
      disposition = k + 1;
    }

    let durationS = 0;
    if (this.duration >= 0 && ends[this.duration] > starts[this.duration]) {
      s = starts[this.duration];
      e = ends[this.duration];
      if (e - s > 9) return false;
      for (let i = s; i < e; i++) {
        const c = buf[i] - 48;
        if (c < 0 || c > 9) return false;
        durationS = durationS * 10 + c;
      }
    } else if (hasAnswer && hasEnd) {
      if (endMs < answerMs) return false;
      durationS = Math.round((endMs - answerMs) / 1000);
    }

    let attestation: Attestation = this.attestation < 0 ? '?' : '';
    if (this.attestation >= 0 && ends[this.attestation] > starts[this.attestation]) {
      s = starts[this.attestation];
      if (ends[this.attestation] - s !== 1) return false;
      const c = buf[s];
      if (c === 65) attestation = 'A';
      else if (c === 66) attestation = 'B';
      else if (c === 67) attestation = 'C';
      else return false;
    }

    let verstat: Verstat = '';
    if (this.verstat >= 0 && ends[this.verstat] > starts[this.verstat]) {
      const k = matchAt(buf, starts[this.verstat], ends[this.verstat], VERSTAT_BYTES);
      if (k < 0) return false;
      verstat = VERSTAT_TEXT[k];
    }

    let callingKey = -1;
    let callingClass: NumberClass = 'blank';
    s = starts[this.calling];
    e = ends[this.calling];
    if (e > s) {
      if (escaped[this.calling]) return false;
      callingKey = this.numberAt(buf, s, e);
      if (callingKey === NO_KEY) return false;
      callingClass = this.cls;
    }
    s = starts[this.called];
    e = ends[this.called];
    if (e === s || escaped[this.called]) return false;
    const calledKey = this.numberAt(buf, s, e);
    if (calledKey === NO_KEY) return false;

    // the contract's answered rule: sip_code 200, else disposition ANSWERED, else answer_time, else duration
    const answered =
      sipCode !== 0
        ? sipCode === 200
        : disposition !== 0
          ? disposition === ANSWERED
          : hasAnswer
            ? true
            : durationS > 0;

    out.line = rec.line;
    out.startMs = startMs;
    out.durationS = answered ? durationS : 0;
    out.answered = answered;
    out.sipCode = sipCode;
    out.customerId = customerId;
    out.trunkId = trunkId;
    out.callingKey = callingKey;
    out.callingClass = callingClass;
    out.calledKey = calledKey;
    out.calledClass = this.cls;
    out.attestation = attestation;
    out.verstat = verstat;
    return true;
  }

  /**
   * normalizeNumber for the digits-only shapes (`+<digits>`, 011/00 prefixes, 11 digits with a 1,
   * 10 digits), as the integer value of the E.164 digits; NO_KEY for anything it would keep verbatim
   * (invalid) or has to clean up first (separators, URIs, words).
   */
  private numberAt(buf: Buffer, start: number, end: number): number {
    let p = start;
    const plus = buf[p] === 43;
    if (plus) p++;
    const n = end - p;
    if (n === 0 || n > 18) return NO_KEY;
    // one pass checks the digits and reads their value (exact whenever it is used: <= 15 digits)
    let all = 0;
    for (let i = p; i < end; i++) {
      const c = buf[i] - 48;
      if (c < 0 || c > 9) return NO_KEY;
      all = all * 10 + c;
    }
    let from: number;
    if (plus) from = p;
    else if (n >= 3 && buf[p] === 48 && buf[p + 1] === 49 && buf[p + 2] === 49) from = p + 3;
    else if (n >= 2 && buf[p] === 48 && buf[p + 1] === 48) from = p + 2;
    else if (n === 11 && buf[p] === 49) from = p;
    else if (n === 10) {
      this.cls = classifyNanpNational(all);
      return 10_000_000_000 + all;
    } else return NO_KEY;
    const len = end - from;
    if (len === 0) return NO_KEY;
    if (buf[from] === 49) {
      if (len !== 11) return NO_KEY;
      // +1 NPA NXX LINE: the parts as small integers straight from the digits
      this.cls = classifyNanpParts(
        (buf[from + 1] - 48) * 100 + (buf[from + 2] - 48) * 10 + (buf[from + 3] - 48),
        (buf[from + 4] - 48) * 100 + (buf[from + 5] - 48) * 10 + (buf[from + 6] - 48),
        (buf[from + 7] - 48) * 1000 +
          (buf[from + 8] - 48) * 100 +
          (buf[from + 9] - 48) * 10 +
          (buf[from + 10] - 48),
      );
      return from === p ? all : digitsValue(buf, from, end);
    }
    if (len < 8 || len > 15 || buf[from] === 48) return NO_KEY;
    this.cls = 'valid';
    return from === p ? all : digitsValue(buf, from, end);
  }
}

function digitsValue(buf: Buffer, s: number, e: number): number {
  let v = 0;
  for (let i = s; i < e; i++) v = v * 10 + (buf[i] - 48);
  return v;
}
