import { type ByteInterner, FNV_OFFSET, FNV_PRIME } from '../byte-intern.ts';
import { classifyNanpParts } from '../nanp.ts';
import { DISPOSITION_NAMES, VERSTAT_NAMES } from '../normalize.ts';
import { type PackedCall, REJECTED_SIP_CODE } from '../packed-call.ts';
import { TIME_ORDER_SLACK_MS } from '../plausibility.ts';
import { partyHash } from '../recent-calls.ts';
import type { Attestation, NumberClass, Verstat } from '../record.ts';
import type { ByteTimeParser } from '../time-bytes.ts';
import type { ColumnMap } from './canonical-csv.ts';

/**
 * The canonical CSV fast lane: one pass over the bytes of a row, from its first byte to its newline,
 * that finds each field's end and reads its value at the same time, straight into a PackedCall (no
 * tokenizer boundaries, no field strings, no RawCall, no CallRecord). It only accepts one-line rows
 * in the plain shapes switches and exports write (trimmed ids, E.164 or bare digits, the times
 * ByteTimeParser reads, enum words in either case, whole or decimal durations; quoted fields too, as
 * exports that quote every field write them, when the quotes are all there is to take out: see
 * readQuoted) and answers -1 for anything else, so that row goes through the tokenizer, canonicalRow
 * and normalizeCall, which decide every unusual case (and every error) exactly as before. Accepting a
 * row means producing what that general lane would have produced for it
 * (test/unit/cdr-fast-path.test.ts checks this on arbitrary rows).
 *
 * The same reader serves every sink with a fast lane: `traceguard analyze` and the ingest function
 * read canonical batches through it alike, and JSON Lines batches too (formats/jsonl-fast.ts rewrites
 * their plain lines as canonical rows); only the call id is optional (kept when the sink asks).
 */

const NO_KEY = -2;
/** the reader's number for ANSWERED (a disposition is its index in DISPOSITION_NAMES + 1, 0 for none) */
const ANSWERED = DISPOSITION_NAMES.indexOf('ANSWERED') + 1;
const REJECTED = DISPOSITION_NAMES.indexOf('REJECTED') + 1;
const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;
/** bytes readLine may read past a row's newline (a time field's end is looked for 20 bytes on) */
const ROOM_PAST_ROW = 32;
/** a longer row with quotes goes to the general lane */
const UNQUOTED_MAX_BYTES = 1 << 16;
/**
 * The enum words as bytes, and each byte as it may also be written: a letter in the other case
 * (the general lane upper-cases dispositions and attestations and lower-cases verstats before it
 * looks them up), the underscore of a disposition as a space (which it turns into one). Only ASCII:
 * a word spelled with any other character goes to the general lane, which decides it.
 */
function spellings(words: readonly string[]): { bytes: Buffer[]; alt: Buffer[] } {
  const bytes = words.map((w) => Buffer.from(w, 'latin1'));
  const alt = bytes.map((b) =>
    Buffer.from(b.map((c) => ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) ? c ^ 0x20 : c === 95 ? 32 : c))),
  );
  return { bytes, alt };
}
const DISPOSITIONS = spellings(DISPOSITION_NAMES);
const VERSTATS = spellings(VERSTAT_NAMES);

/** What the reader does with each column, by the column's position in the header. */
const Kind = {
  Skip: 0,
  CallId: 1,
  Start: 2,
  Answer: 3,
  End: 4,
  Duration: 5,
  Customer: 6,
  Trunk: 7,
  Calling: 8,
  Called: 9,
  Sip: 10,
  Disposition: 11,
  Attestation: 12,
  Verstat: 13,
  SourceIp: 14,
} as const;
type Kind = (typeof Kind)[keyof typeof Kind];

const KIND_OF: Array<[keyof ColumnMap, Kind]> = [
  ['call_id', Kind.CallId],
  ['start_time', Kind.Start],
  ['answer_time', Kind.Answer],
  ['end_time', Kind.End],
  ['duration_s', Kind.Duration],
  ['customer_id', Kind.Customer],
  ['trunk_id', Kind.Trunk],
  ['calling_number', Kind.Calling],
  ['called_number', Kind.Called],
  ['sip_code', Kind.Sip],
  ['disposition', Kind.Disposition],
  ['attestation', Kind.Attestation],
  ['verstat', Kind.Verstat],
  ['source_ip', Kind.SourceIp],
];

/**
 * Index of the word of `words` written at buf[s] (each byte as spelled or its `alt`, see spellings)
 * and followed by a delimiter (comma, CR or newline), or -1: compared in place, without finding the
 * field's end first.
 */
function wordAt(buf: Buffer, s: number, words: { bytes: Buffer[]; alt: Buffer[] }): number {
  const list = words.bytes;
  outer: for (let k = 0; k < list.length; k++) {
    const want = list[k];
    const alt = words.alt[k];
    const len = want.length;
    for (let j = 0; j < len; j++) {
      const c = buf[s + j];
      if (c !== want[j] && c !== alt[j]) continue outer;
    }
    const d = buf[s + len];
    if (d === COMMA || d === LF || d === CR) return k;
  }
  return -1;
}

/** kinds whose field may be empty (the row then has none of that value) */
const OPTIONAL = new Uint8Array(Object.keys(Kind).length);
for (const kind of [
  Kind.Answer,
  Kind.End,
  Kind.Trunk,
  Kind.Calling,
  Kind.Sip,
  Kind.Disposition,
  Kind.Attestation,
  Kind.Verstat,
  Kind.SourceIp,
])
  OPTIONAL[kind] = 1;

/** an empty field starts at its delimiter (a CR only counts at the end of the line, checked later) */
function isEmptyAt(c: number): boolean {
  return c === COMMA || c === LF || c === CR;
}

/** true when the field needs no trimming and decodes as plain ASCII at both ends */
function plainEnds(buf: Buffer, s: number, e: number): boolean {
  const a = buf[s];
  const b = buf[e - 1];
  return a > 0x20 && a < 0x7f && b > 0x20 && b < 0x7f;
}

/** offset of the first comma or newline at or after p (the caller guarantees a newline follows) */
function fieldEnd(buf: Buffer, p: number): number {
  for (;;) {
    const c = buf[p];
    if (c === COMMA || c === LF) return p;
    p++;
  }
}

/** What a row carries beyond what aggregation always needs: each costs time per row, so only on request. */
export interface PackedExtras {
  /** the call id (a string per row) */
  callIds?: boolean;
  /** the source address, as an IPv4 value (checked against customers' declared addresses) */
  sourceIps?: boolean;
}

export class CanonicalFastReader {
  /** what each column of a row is, its number (see Kind); set by columns() */
  private kinds = new Uint8Array(0);
  private last = -1;
  private hasAttestation = false;
  private readonly ids: ByteInterner;
  private readonly times: ByteTimeParser;
  /** class of the last number parsed by numberAt, its NPA * 1000 + NXX (-1 unless +1), and where its digits ended */
  private cls: NumberClass = 'valid';
  private npaNxx = -1;
  private numEnd = 0;
  /**
   * key (E.164 digits as an integer) of the last number numberAt read: a field, not a return value,
   * so the double is not boxed into a new heap object on every call
   */
  private numKey = Number.NaN;

  /** a longer duration is implausible: the general lane quarantines it */
  private readonly maxDurationS: number;
  /** whether rows carry their call id (a string per row, which a sink that only aggregates does without) */
  private readonly keepCallIds: boolean;
  /** whether rows carry their source address (see PackedExtras) */
  private readonly keepSourceIps: boolean;

  constructor(
    columns: ColumnMap,
    width: number,
    ids: ByteInterner,
    times: ByteTimeParser,
    maxDurationS = Number.POSITIVE_INFINITY,
    keep: PackedExtras = {},
  ) {
    this.maxDurationS = maxDurationS;
    this.keepCallIds = keep.callIds === true;
    this.keepSourceIps = keep.sourceIps === true;
    this.ids = ids;
    this.times = times;
    this.columns(columns, width);
  }

  /**
   * Reads the rows from here on as `width` columns laid out as `columns` says: a batch of exports
   * concatenated repeats its header, maybe in another order, and the rows after it follow that one.
   * The same reader goes on (its interned ids, and the slots sinks know them by, stay).
   */
  columns(columns: ColumnMap, width: number): void {
    this.kinds = new Uint8Array(width);
    for (const [column, kind] of KIND_OF) {
      const at = columns[column];
      // a source address nobody checks is skipped like an unknown column (rows then have none)
      if (at !== undefined && (kind !== Kind.SourceIp || this.keepSourceIps)) this.kinds[at] = kind;
    }
    this.last = width - 1;
    this.hasAttestation = columns.attestation !== undefined;
  }

  /**
   * Reads the row starting at buf[pos] into `out` and returns the offset just after its newline, or
   * returns -1: read this row the general way. The caller guarantees a newline at or after `pos`
   * inside `buf`, so every scan below stops at it without bounds checks.
   */
  readLine(buf: Buffer, pos: number, line: number, out: PackedCall): number {
    const kinds = this.kinds;
    const last = this.last;
    let p = pos;
    let callId = '';
    let callIdHash = 0;
    let startMs = Number.NaN;
    let hourIdx = 0;
    let answerMs = Number.NaN;
    let hasAnswer = false;
    let endMs = Number.NaN;
    let hasEnd = false;
    let durationS = 0;
    let hasDuration = false;
    let customerId = '';
    let customerSlot = -1;
    let customerHash = 0;
    // an empty trunk hashes as the general lane hashes '' (idHash)
    let trunkHash = FNV_OFFSET;
    let trunkId = '';
    let callingKey = -1;
    let callingClass: NumberClass = 'blank';
    let callingNpaNxx = -1;
    let calledKey = NO_KEY;
    let calledClass: NumberClass = 'valid';
    let calledNpaNxx = -1;
    let sipCode = 0;
    let disposition = 0; // 0 = none, else index + 1
    let attestation: Attestation = this.hasAttestation ? '' : '?';
    let verstat: Verstat = '';
    let sourceIpV4 = -1;

    for (let col = 0; ; col++) {
      const s = p;
      const c0 = buf[s];
      // a quoted field: the row is read again without its quotes, if that is all they change
      if (c0 === QUOTE) return this.readQuoted(buf, pos, line, out);
      const kind = kinds[col];
      let e: number;
      // an optional field left empty: nothing to read (a CR only counts at the end of the line, checked below)
      if (OPTIONAL[kind] === 1 && isEmptyAt(c0)) e = s;
      else
        switch (kind) {
          case Kind.Skip:
            e = fieldEnd(buf, s);
            break;
          case Kind.CallId:
            // required, and not blank once trimmed (a comma or newline here is an empty call_id);
            // blanks at either end would be trimmed, so the general lane takes such a row
            if (c0 <= 0x20 || c0 >= 0x7f || c0 === COMMA) return -1;
            e = this.callIdEnd(buf, s + 1);
            if (e < 0 || buf[e - 1] <= 0x20) return -1;
            callIdHash = this.callIdHash;
            // plain ASCII (callIdEnd checked): latin1 decodes it exactly as UTF-8 would
            if (this.keepCallIds) callId = buf.toString('latin1', s, e);
            break;
          case Kind.Start:
            e = this.timeEnd(buf, s);
            if (e < 0) return -1;
            startMs = this.times.ms;
            hourIdx = this.times.hourIdx;
            break;
          case Kind.Answer:
            e = this.timeEnd(buf, s);
            if (e < 0) return -1;
            answerMs = this.times.ms;
            hasAnswer = true;
            break;
          case Kind.End:
            e = this.timeEnd(buf, s);
            if (e < 0) return -1;
            endMs = this.times.ms;
            hasEnd = true;
            break;
          case Kind.Duration: {
            let i = s;
            let v = 0;
            for (;;) {
              const d = buf[i] - 48;
              if (d < 0 || d > 9) break;
              v = v * 10 + d;
              i++;
            }
            if (i - s > 9) return -1;
            // a fraction of a second (131.0, as some switches write durations), rounded as the general
            // lane rounds the number: up to three digits, where no binary rounding can move a half
            if (buf[i] === 46) {
              if (i === s) return -1;
              let j = i + 1;
              let thousandths = 0;
              let scale = 100;
              for (;;) {
                const d = buf[j] - 48;
                if (d < 0 || d > 9) break;
                // a fourth digit: left to the general lane
                if (scale < 1) return -1;
                thousandths += d * scale;
                scale /= 10;
                j++;
              }
              // '131.' is no number
              if (j === i + 1) return -1;
              i = j;
              if (thousandths >= 500) v++;
            }
            if (v > this.maxDurationS) return -1;
            e = i;
            hasDuration = i > s;
            durationS = v;
            break;
          }
          case Kind.Customer:
            e = this.idEnd(buf, s);
            if (e === s || !plainEnds(buf, s, e)) return -1;
            customerId = this.ids.internHashed(buf, s, e, this.idHash);
            if (this.ids.lastBad) return -1;
            customerSlot = this.ids.lastIndex;
            customerHash = this.idHash;
            break;
          case Kind.Trunk:
            e = this.idEnd(buf, s);
            if (!plainEnds(buf, s, e)) return -1;
            trunkId = this.ids.internHashed(buf, s, e, this.idHash);
            trunkHash = this.idHash;
            if (this.ids.lastBad) return -1;
            break;
          case Kind.Calling:
            if (!this.numberAt(buf, s)) return -1;
            callingKey = this.numKey;
            callingClass = this.cls;
            callingNpaNxx = this.npaNxx;
            e = this.numEnd;
            break;
          case Kind.Called:
            if (!this.numberAt(buf, s)) return -1;
            calledKey = this.numKey;
            calledClass = this.cls;
            calledNpaNxx = this.npaNxx;
            e = this.numEnd;
            break;
          case Kind.Sip: {
            const a = c0 - 48;
            const b = buf[s + 1] - 48;
            const c = buf[s + 2] - 48;
            if (a < 1 || a > 6 || b < 0 || b > 9 || c < 0 || c > 9) return -1;
            sipCode = a * 100 + b * 10 + c;
            e = s + 3;
            break;
          }
          case Kind.Disposition: {
            const k = wordAt(buf, s, DISPOSITIONS);
            if (k < 0) return -1;
            disposition = k + 1;
            e = s + DISPOSITIONS.bytes[k].length;
            break;
          }
          case Kind.Attestation:
            // either case: the general lane upper-cases it
            if (c0 === 65 || c0 === 97) attestation = 'A';
            else if (c0 === 66 || c0 === 98) attestation = 'B';
            else if (c0 === 67 || c0 === 99) attestation = 'C';
            else return -1;
            e = s + 1;
            break;
          case Kind.Verstat: {
            const k = wordAt(buf, s, VERSTATS);
            if (k < 0) return -1;
            verstat = VERSTAT_NAMES[k];
            e = s + VERSTATS.bytes[k].length;
            break;
          }
          case Kind.SourceIp:
            e = this.ipv4End(buf, s);
            if (e < 0) return -1;
            sourceIpV4 = this.ipv4;
            break;
          default:
            return -1;
        }
      // the field must end exactly at its delimiter: a comma before the last column, the newline
      // (CRLF too) after it; anything else (more or fewer fields, junk after a value) is not plain
      const d = buf[e];
      if (col < last) {
        if (d !== COMMA) return -1;
        p = e + 1;
        continue;
      }
      if (d === LF) p = e + 1;
      else if (d === CR && buf[e + 1] === LF) p = e + 2;
      else return -1;
      break;
    }
    if (calledKey === NO_KEY) return -1;
    // times out of order beyond rounding: the general lane quarantines the row (normalize.ts checkOrder)
    if (hasAnswer && answerMs < startMs - TIME_ORDER_SLACK_MS) return -1;
    if (
      hasEnd &&
      (endMs < startMs - TIME_ORDER_SLACK_MS || (hasAnswer && endMs < answerMs - TIME_ORDER_SLACK_MS))
    )
      return -1;
    if (!hasDuration && hasAnswer && hasEnd) {
      if (endMs < answerMs) return -1;
      durationS = Math.round((endMs - answerMs) / 1000);
      if (durationS > this.maxDurationS) return -1;
    }

    // the contract's answered rule: sip_code 200, else disposition ANSWERED, else answer_time, else duration
    const answered =
      sipCode !== 0
        ? sipCode === 200
        : disposition !== 0
          ? disposition === ANSWERED
          : hasAnswer
            ? true
            : durationS > 0;

    out.line = line;
    out.callId = callId;
    out.callIdHash = callIdHash;
    out.partyHash = partyHash(customerHash, trunkHash);
    out.sourceIpV4 = sourceIpV4;
    out.startMs = startMs;
    out.hourIdx = hourIdx;
    out.durationS = answered ? durationS : 0;
    out.answered = answered;
    out.sipCode = sipCode !== 0 ? sipCode : disposition === REJECTED ? REJECTED_SIP_CODE : 0;
    out.customerId = customerId;
    out.customerSlot = customerSlot;
    out.trunkId = trunkId;
    out.callingKey = callingKey;
    out.callingClass = callingClass;
    out.callingNpaNxx = callingNpaNxx;
    out.calledKey = calledKey;
    out.calledClass = calledClass;
    out.calledNpaNxx = calledNpaNxx;
    out.attestation = attestation;
    out.verstat = verstat;
    return p;
  }

  /** see rowBuffer */
  private copied = Buffer.alloc(1024);

  /**
   * The reader's buffer for a row copied to be read here (readQuoted's row without its quotes, a JSON
   * Lines line rewritten as a row): room for `bytes` and for what readLine reads past the newline.
   * One buffer serves both, as no row copied into it holds a quote: reading it never copies again.
   */
  rowBuffer(bytes: number): Buffer {
    const room = bytes + ROOM_PAST_ROW;
    if (room > this.copied.length) this.copied = Buffer.alloc(Math.max(room, 2 * this.copied.length));
    return this.copied;
  }

  /**
   * readLine of a row with quoted fields, as exports that quote every field write them (a CSV
   * writer's "quote all"): the same row with the quotes taken out, copied into rowBuffer and read
   * there, when taking them out changes nothing else. Each quoted value must hold no quote (a doubled
   * one is an escaped quote), comma or line break, and its closing quote be followed by its delimiter
   * (the newline, with or without a CR before it, after the last); a plain value must hold no quote.
   * Anything else, or a row longer than UNQUOTED_MAX_BYTES, is left to the general lane (-1), which
   * reads every quoted field. Returns where the row ends in `buf`, like readLine.
   */
  private readQuoted(buf: Buffer, pos: number, line: number, out: PackedCall): number {
    // the row without its quotes is no longer than with them
    const nl = buf.indexOf(LF, pos);
    const bytes = nl - pos + 1;
    if (nl < 0 || bytes + ROOM_PAST_ROW > UNQUOTED_MAX_BYTES) return -1;
    const to = this.rowBuffer(bytes);
    let n = 0;
    let p = pos;
    for (;;) {
      const quoted = buf[p] === QUOTE;
      if (quoted) p++;
      // the value, up to its closing quote or delimiter (a newline follows in buf: each loop stops)
      for (;;) {
        const c = buf[p];
        if (c === QUOTE) {
          if (!quoted) return -1;
          p++;
          break;
        }
        if (c === COMMA || c === LF || (quoted && c === CR)) {
          if (quoted) return -1;
          break;
        }
        to[n++] = c;
        p++;
      }
      // the delimiter, copied as it is: a comma and the next field, or the end of the row
      const d = buf[p];
      if (d === COMMA) {
        to[n++] = COMMA;
        p++;
        continue;
      }
      if (d === CR && buf[p + 1] === LF) {
        to[n++] = CR;
        p++;
      }
      if (buf[p] !== LF) return -1;
      to[n++] = LF;
      return this.readLine(to, 0, line, out) < 0 ? -1 : p + 1;
    }
  }

  /**
   * End of a call_id from p (its comma, newline, or a CR: only valid before the newline), or -1 when
   * it holds a NUL or a non-ASCII byte (the general lane then checks its characters: NUL is no value,
   * invalid UTF-8 no id)
   */
  private callIdEnd(buf: Buffer, p: number): number {
    // FNV-1a of the id, as RecentCalls hashes the general lane's (callIdHash), from its first byte
    let h = Math.imul(FNV_OFFSET ^ buf[p - 1], FNV_PRIME);
    for (;;) {
      const c = buf[p];
      if (c === COMMA || c === LF || c === CR) {
        this.callIdHash = h;
        return p;
      }
      if (c === 0 || c > 0x7f) return -1;
      h = Math.imul(h ^ c, FNV_PRIME);
      p++;
    }
  }

  /** the FNV-1a hash of the call id scanned by the last callIdEnd */
  private callIdHash = 0;

  /** value of the address read by the last ipv4End */
  private ipv4 = 0;

  /**
   * End of a dotted-quad IPv4 address starting at s, its value in `ipv4` (as ipv4Value computes it:
   * four parts of 0-255 without leading zeros), or -1 for anything else (IPv6, a port, odd text),
   * which the general lane reads.
   */
  private ipv4End(buf: Buffer, s: number): number {
    let p = s;
    let value = 0;
    for (let part = 0; part < 4; part++) {
      if (part > 0) {
        if (buf[p] !== 46) return -1;
        p++;
      }
      const first = p;
      let n = 0;
      for (;;) {
        const d = buf[p] - 48;
        if (d < 0 || d > 9) break;
        n = n * 10 + d;
        p++;
      }
      const len = p - first;
      if (len === 0 || len > 3 || n > 255 || (len > 1 && buf[first] === 48)) return -1;
      value = value * 256 + n;
    }
    this.ipv4 = value;
    return p;
  }

  /** the ByteInterner hash of the id scanned by the last idEnd */
  private idHash = 0;

  /** End of the id field starting at s, hashing its bytes on the way (ByteInterner's FNV-1a) into idHash. */
  private idEnd(buf: Buffer, s: number): number {
    let h = FNV_OFFSET;
    let p = s;
    for (;;) {
      const c = buf[p];
      if (c === COMMA || c === LF) break;
      h = Math.imul(h ^ c, FNV_PRIME);
      p++;
    }
    this.idHash = h;
    return p;
  }

  /** Reads a time field starting at s into times.ms; returns where it ends, or -1 (not a plain time). */
  private timeEnd(buf: Buffer, s: number): number {
    // the usual ...Z text is 20 bytes: checked where it must end before reading it, so a field
    // cut short by the newline never reads the next line as its own
    const d = buf[s + 20];
    if ((d === COMMA || d === LF || d === CR) && this.times.read(buf, s, s + 20)) return s + 20;
    const e = fieldEnd(buf, s);
    return this.times.read(buf, s, e) ? e : -1;
  }

  /** NPA NXX LINE of the 10 national digits at buf[at], as small integers: sets cls and npaNxx without a division. */
  private nanpParts(buf: Buffer, at: number): void {
    const npa = (buf[at] - 48) * 100 + (buf[at + 1] - 48) * 10 + (buf[at + 2] - 48);
    const nxx = (buf[at + 3] - 48) * 100 + (buf[at + 4] - 48) * 10 + (buf[at + 5] - 48);
    const line =
      (buf[at + 6] - 48) * 1000 + (buf[at + 7] - 48) * 100 + (buf[at + 8] - 48) * 10 + (buf[at + 9] - 48);
    this.cls = classifyNanpParts(npa, nxx, line);
    this.npaNxx = npa * 1000 + nxx;
  }

  /**
   * normalizeNumber for the digits-only shapes (`+<digits>`, 011/00 prefixes, 11 digits with a 1,
   * 10 digits) starting at `start`, the `+` also escaped as a URI escapes it (`%2B`), the digits also
   * followed by the `#` that ends dialling: true with the integer value of the E.164 digits in numKey
   * and the end of what it read in numEnd; false for anything it would keep verbatim (invalid) or has
   * to clean up first (separators, URIs, other escapes, words). A shape it does not take is seen by
   * the caller as a field not ending at its delimiter (numEnd on the byte it stopped at), so the row
   * goes to the general lane: nothing is read here that it would read otherwise.
   */
  private numberAt(buf: Buffer, start: number): boolean {
    let p = start;
    let plus = buf[p] === 43;
    if (plus) p++;
    else if (buf[p] === 37 && buf[p + 1] === 50 && (buf[p + 2] === 66 || buf[p + 2] === 98)) {
      // `%2B` or `%2b`
      plus = true;
      p += 3;
    }
    // one pass finds the end of the digits and reads their value (exact whenever it is used: <= 15 digits)
    let all = 0;
    let end = p;
    for (;;) {
      const c = buf[end] - 48;
      if (c < 0 || c > 9) break;
      all = all * 10 + c;
      end++;
    }
    // the end-of-dialling `#` right after the digits: no part of the number (phone.ts END_OF_DIALLING)
    this.numEnd = buf[end] === 35 && end > p ? end + 1 : end;
    const n = end - p;
    if (n === 0 || n > 18) return false;
    let from: number;
    if (plus) from = p;
    else if (n >= 3 && buf[p] === 48 && buf[p + 1] === 49 && buf[p + 2] === 49) from = p + 3;
    else if (n >= 2 && buf[p] === 48 && buf[p + 1] === 48) from = p + 2;
    else if (n === 11 && buf[p] === 49) from = p;
    else if (n === 10) {
      // a national number: +1 and these 10 digits
      this.nanpParts(buf, p);
      this.numKey = 10_000_000_000 + all;
      return true;
    } else return false;
    const len = end - from;
    if (len === 0) return false;
    if (buf[from] === 49) {
      if (len !== 11) return false;
      this.nanpParts(buf, from + 1);
      this.numKey = from === p ? all : digitsValue(buf, from, end);
      return true;
    }
    if (len < 8 || len > 15 || buf[from] === 48) return false;
    this.cls = 'valid';
    this.npaNxx = -1;
    this.numKey = from === p ? all : digitsValue(buf, from, end);
    return true;
  }
}

function digitsValue(buf: Buffer, s: number, e: number): number {
  let v = 0;
  for (let i = s; i < e; i++) v = v * 10 + (buf[i] - 48);
  return v;
}
