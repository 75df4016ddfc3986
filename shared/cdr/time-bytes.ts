/**
 * The common timestamp shapes parsed straight from bytes, for the canonical fast path. Anything else
 * (offsets, fractions, leap seconds, local times, odd years, times outside the plausible range) returns NaN and the row takes the string
 * path (parseTimestamp), so this never has to agree with it on anything but the shapes below:
 *   YYYY-MM-DD[T ]hh:mm:ssZ      (20 bytes, year 1970-9999)
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

  constructor(earliestMs = Number.NEGATIVE_INFINITY, latestMs = Number.POSITIVE_INFINITY) {
    this.earliestMs = earliestMs;
    this.latestMs = latestMs;
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
    if (buf[s + 4] !== 45 || buf[s + 7] !== 45 || buf[s + 13] !== 58 || buf[s + 16] !== 58) return false;
    const sep = buf[s + 10];
    if (sep !== 84 && sep !== 32 && sep !== 116) return false;
    const z = buf[s + 19];
    if (z !== 90 && z !== 122) return false;
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
    const ms = this.lastDayMs + h * 3_600_000 + mi * 60_000 + sec * 1000;
    if (ms < this.earliestMs || ms > this.latestMs) return false;
    this.hourIdx = this.lastDay * 24 + h;
    this.ms = ms;
    return true;
  }
}
