import { WALL_SINGLE, type ZoneClock } from './time.ts';

/**
 * The common timestamp shapes parsed straight from bytes, for the canonical fast path. Anything else
 * (leap seconds, local times, odd years, times outside the plausible range, rarer offset spellings)
 * returns NaN and the row takes the string path (parseTimestamp), so this never has to agree with it
 * on anything but the shapes below:
 *   YYYY-MM-DD[T ]hh:mm:ssZ      (20 bytes, year 1970-9999)
 *   the same with a fraction of a second (.fff, ,fff: any number of digits) before the Z, or with an
 *   offset instead of the Z (+hh:mm, +hhmm, +hh, or -), or both: what exporters write (JavaScript's
 *   toISOString, Python's isoformat, database dumps)
 *   the same with neither: a local wall-clock time, read in the batch's zone when it has one (not one
 *   in the hour a clock change repeats or skips)
 *   epoch seconds (10 digits) or milliseconds (13 digits)
 */

const DAY_MS = 86_400_000;

/** Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function digit(buf: Buffer, i: number): number {
  const c = buf[i] - 48;
  // far out of range, so one bad digit makes its whole component negative: no two errors cancel out
  return c >= 0 && c <= 9 ? c : -1_000_000;
}

/** Parses bytes written by one switch, remembering the last day so time-ordered rows skip the calendar. */
export class ByteTimeParser {
  private lastYmd = -1;
  private lastDay = 0;
  private lastDayMs = 0;
  /** UTC hour index (floor(ms / 1 h)) of the last time parse() returned, without a division for ...Z text */
  hourIdx = 0;
  /** times outside [earliestMs, latestMs] are not read here (the general lane quarantines them) */
  private readonly earliestMs: number;
  private readonly latestMs: number;

  /** the zone of local wall-clock times (none: such times are not read here, and the general lane rejects them) */
  private readonly zone: ZoneClock | null;

  constructor(
    earliestMs = Number.NEGATIVE_INFINITY,
    latestMs = Number.POSITIVE_INFINITY,
    zone: ZoneClock | null = null,
  ) {
    this.earliestMs = earliestMs;
    this.latestMs = latestMs;
    this.zone = zone;
  }

  /** Epoch ms of buf[start, end), or NaN when the text is not one of the shapes above. */
  parse(buf: Buffer, start: number, end: number): number {
    return this.read(buf, start, end) ? this.ms : Number.NaN;
  }

  /**
   * the value of the last successful read; read() leaves it in this field instead of returning it, so
   * the double is not boxed into a new heap object on every call from the row reader
   */
  ms = Number.NaN;

  /** Reads buf[start, end) into `ms`; false when the text is not one of the shapes above. */
  read(buf: Buffer, start: number, end: number): boolean {
    const len = end - start;
    if (len === 20) return this.isoZ(buf, start);
    if (len > 20 || len === 19) return this.isoLong(buf, start, end);
    if (len === 10 || len === 13) {
      let v = 0;
      for (let i = start; i < end; i++) {
        const c = buf[i] - 48;
        if (c < 0 || c > 9) return false;
        v = v * 10 + c;
      }
      const ms = len === 10 ? v * 1000 : v;
      if (ms < this.earliestMs || ms > this.latestMs) return false;
      this.hourIdx = Math.floor(ms / 3_600_000);
      this.ms = ms;
      return true;
    }
    return false;
  }

  private isoZ(buf: Buffer, s: number): boolean {
    const z = buf[s + 19];
    if (z !== 90 && z !== 122) return false;
    if (!this.dateTime(buf, s)) return false;
    const ms = this.ms;
    if (ms < this.earliestMs || ms > this.latestMs) return false;
    this.hourIdx = this.lastDay * 24 + this.hour;
    return true;
  }

  /**
   * The 19 bytes of `YYYY-MM-DD[T ]hh:mm:ss` at s, as UTC, into `ms`, its hour of the day into `hour`;
   * false when they are not that (no range check: the callers check what they make of it).
   */
  private dateTime(buf: Buffer, s: number): boolean {
    if (buf[s + 4] !== 45 || buf[s + 7] !== 45 || buf[s + 13] !== 58 || buf[s + 16] !== 58) return false;
    const sep = buf[s + 10];
    if (sep !== 84 && sep !== 32 && sep !== 116) return false;
    const y = digit(buf, s) * 1000 + digit(buf, s + 1) * 100 + digit(buf, s + 2) * 10 + digit(buf, s + 3);
    const mo = digit(buf, s + 5) * 10 + digit(buf, s + 6);
    const d = digit(buf, s + 8) * 10 + digit(buf, s + 9);
    const h = digit(buf, s + 11) * 10 + digit(buf, s + 12);
    const mi = digit(buf, s + 14) * 10 + digit(buf, s + 15);
    const sec = digit(buf, s + 17) * 10 + digit(buf, s + 18);
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return false;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31) return false;
    const ymd = y * 10_000 + mo * 100 + d;
    if (ymd !== this.lastYmd) {
      if (d > daysInMonth(y, mo)) return false;
      this.lastYmd = ymd;
      this.lastDay = daysFromCivil(y, mo, d);
      this.lastDayMs = this.lastDay * DAY_MS;
    }
    this.ms = this.lastDayMs + h * 3_600_000 + mi * 60_000 + sec * 1000;
    this.hour = h;
    return true;
  }

  /** hour of the day of the last dateTime() */
  private hour = 0;

  /**
   * An ISO time other than ...Z at buf[s, e): a fraction of a second, then a Z, an offset or nothing
   * (local time, see the shapes above). The fraction is cut to whole milliseconds as parseTimestamp
   * cuts it, its first three digits, and a local time goes through the same ZoneClock.localToUtc, so
   * both give the same millisecond.
   */
  private isoLong(buf: Buffer, s: number, e: number): boolean {
    if (!this.dateTime(buf, s)) return false;
    let ms = this.ms;
    let i = s + 19;
    const dot = buf[i];
    // (at the end, a comma is the field's delimiter, not a decimal one)
    if (i < e && (dot === 46 || dot === 44)) {
      let j = i + 1;
      let scale = 100;
      for (; j < e; j++) {
        const c = buf[j] - 48;
        if (c < 0 || c > 9) break;
        ms += c * scale;
        scale = Math.floor(scale / 10);
      }
      if (j === i + 1) return false;
      i = j;
    }
    const z = buf[i];
    if (i === e) {
      if (this.zone === null) return false;
      ms = this.zone.localToUtc(ms);
      // a time in the hour a clock change repeats or skips: the general lane decides it from the row
      if (this.zone.wallKind !== WALL_SINGLE) return false;
    } else if (z === 90 || z === 122) {
      if (i + 1 !== e) return false;
    } else if (z === 43 || z === 45) {
      // +hh, +hhmm or +hh:mm (parseTimestamp takes a few rarer spellings too, which go to it)
      const n = e - i - 1;
      const colon = n === 5 ? 1 : 0;
      if ((n !== 2 && n !== 4 && n !== 5) || (colon === 1 && buf[i + 3] !== 58)) return false;
      const hh = digit(buf, i + 1) * 10 + digit(buf, i + 2);
      const mm = n === 2 ? 0 : digit(buf, i + 3 + colon) * 10 + digit(buf, i + 4 + colon);
      if (hh < 0 || mm < 0 || mm > 59) return false;
      const off = (hh * 60 + mm) * 60_000;
      // real zone offsets lie within -12:00..+14:00 (parseTimestamp's bound)
      if (off > MAX_OFFSET_MS) return false;
      ms = z === 43 ? ms - off : ms + off;
    } else return false;
    if (ms < this.earliestMs || ms > this.latestMs) return false;
    this.hourIdx = Math.floor(ms / 3_600_000);
    this.ms = ms;
    return true;
  }
}

/** the widest UTC offset any zone uses (Line Islands, +14:00): both parsers refuse a larger one */
export const MAX_OFFSET_MS = 14 * 3_600_000;
