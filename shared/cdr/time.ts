import { daysFromCivil, daysInMonth, MAX_OFFSET_MS } from './time-bytes.ts';

/**
 * Timestamp parsing for every form in docs/input-contract.md: ISO 8601 with an offset, Unix epoch seconds or
 * milliseconds, and local wall-clock times (native switch formats) resolved with an IANA zone.
 * Returns epoch milliseconds, or NaN when the text is not a time we understand.
 */

/** Names of UTC itself: a switch that logs UTC says so, and has no clock changes to follow. */
const UTC_NAMES = new Set(['utc', 'etc/utc', 'gmt', 'etc/gmt', 'uct', 'universal', 'zulu']);

/**
 * Why `zone`, given for the local times a switch writes, is not one to read them in, or null. An
 * abbreviation or a fixed offset that keeps one offset all year (`EST`, `MST`, `-05:00`) is refused:
 * a switch in a region with daylight-saving time would have every summer call land an hour off,
 * silently (the summer clock is EDT, not EST). A place's name (America/New_York) follows its clock
 * changes; UTC, and a fixed `Etc/GMT+5` for a clock that really keeps one offset all year, are taken
 * as written, as are the legacy names that do follow clock changes (EST5EDT).
 */
export function switchZoneProblem(zone: string): string | null {
  let clock: ZoneClock;
  try {
    clock = new ZoneClock(zone);
  } catch {
    return `'${zone}' is not a known time zone (use an IANA name such as America/New_York)`;
  }
  if (zone.includes('/') || UTC_NAMES.has(zone.toLowerCase())) return null;
  const year = new Date().getUTCFullYear();
  if (clock.offsetAt(Date.UTC(year, 0, 15)) !== clock.offsetAt(Date.UTC(year, 6, 15))) return null;
  return `'${zone}' keeps one offset all year (no daylight-saving time), so a switch in a region that changes its clocks would have every summer call an hour off: give the region's IANA name, such as America/New_York or America/Phoenix (or Etc/GMT+5 for a clock that really keeps one offset all year)`;
}

export class ZoneClock {
  readonly zone: string;
  private readonly fmt: Intl.DateTimeFormat;
  /** offset (ms) by UTC hour bucket: zone offsets change at most hourly, so cache per hour */
  private readonly offsets = new Map<number, number>();

  constructor(zone: string) {
    this.zone = zone;
    try {
      this.fmt = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RangeError(`unknown time zone '${zone}' (use an IANA name such as America/New_York)`);
    }
  }

  /** UTC offset of the zone at instant `utcMs`, in ms (local = utc + offset). */
  offsetAt(utcMs: number): number {
    const bucket = Math.floor(utcMs / 3_600_000);
    let off = this.offsets.get(bucket);
    if (off === undefined) {
      const parts = this.fmt.formatToParts(new Date(bucket * 3_600_000));
      const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
      const asUtc = Date.UTC(
        get('year'),
        get('month') - 1,
        get('day'),
        get('hour'),
        get('minute'),
        get('second'),
      );
      off = asUtc - bucket * 3_600_000;
      this.offsets.set(bucket, off);
    }
    return off;
  }

  /**
   * wall-clock hour index -> the zone's offset through the whole of that local hour, or NaN when the
   * offset changes within a day of it (nearChange reads such hours wall time by wall time)
   */
  private readonly wallHours = new Map<number, number>();

  /**
   * What the last localToUtc found its wall time to be: one instant (WALL_SINGLE), two (WALL_REPEATED:
   * the hour clocks repeat when they go back; it returned the first, `laterMs` holds the second), or
   * none (WALL_SKIPPED: the hour clocks skip when they go forward; it returned NaN). Left here rather
   * than returned, so the common case allocates nothing.
   */
  wallKind: WallKind = WALL_SINGLE;
  /** the second instant of the last WALL_REPEATED wall time */
  laterMs = Number.NaN;

  /**
   * Converts a wall-clock time in this zone (given as if it were UTC) to a real UTC instant; see
   * wallKind for a time in the hour a clock change repeats (the first of its two instants is returned)
   * or skips (NaN). A wall time a day or more from any change costs one lookup of its hour.
   */
  localToUtc(wallMs: number): number {
    const hour = Math.floor(wallMs / HOUR_MS);
    let off = this.wallHours.get(hour);
    if (off === undefined) {
      off = this.steadyOffset(hour);
      this.wallHours.set(hour, off);
    }
    if (Number.isNaN(off)) return this.nearChange(wallMs);
    this.wallKind = WALL_SINGLE;
    return wallMs - off;
  }

  /**
   * The offset of every instant a wall time of local hour `hour` can be (offsets lie within
   * -12:00..+14:00), or NaN when they are not all the same: only then can a wall time of the hour be
   * repeated or skipped. Asked once per local hour.
   */
  private steadyOffset(hour: number): number {
    const from = hour * HOUR_MS - MAX_OFFSET_MS - HOUR_MS;
    const to = (hour + 1) * HOUR_MS + MAX_OFFSET_MS;
    const off = this.offsetAt(from);
    for (let t = from + HOUR_MS; t <= to; t += HOUR_MS) {
      if (this.offsetAt(t) !== off) return Number.NaN;
    }
    return off;
  }

  /**
   * A wall time within a day of an offset change: the instants it can be are the wall time less the
   * offset before the change and less the offset after it, each only if the zone has that offset then.
   */
  private nearChange(wallMs: number): number {
    const before = this.offsetAt(wallMs - MAX_OFFSET_MS - HOUR_MS);
    const after = this.offsetAt(wallMs + MAX_OFFSET_MS);
    const first = wallMs - before;
    const second = wallMs - after;
    const firstHolds = this.offsetAt(first) === before;
    const secondHolds = this.offsetAt(second) === after;
    if (firstHolds && secondHolds && first !== second) {
      this.wallKind = WALL_REPEATED;
      this.laterMs = Math.max(first, second);
      return Math.min(first, second);
    }
    if (firstHolds || secondHolds) {
      this.wallKind = WALL_SINGLE;
      return firstHolds ? first : second;
    }
    this.wallKind = WALL_SKIPPED;
    return Number.NaN;
  }
}

/** What a wall time is in a zone (ZoneClock.wallKind). */
export const WALL_SINGLE = 0;
export const WALL_REPEATED = 1;
export const WALL_SKIPPED = 2;
export type WallKind = typeof WALL_SINGLE | typeof WALL_REPEATED | typeof WALL_SKIPPED;

function digitsAt(s: string, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Parses a timestamp. `zone` resolves times without an offset; without a zone such times are
 * rejected (NaN) rather than guessed, because a wrong hour silently corrupts every aggregate.
 */
export function parseTimestamp(text: string, zone: ZoneClock | null): number {
  const s = text.trim();
  const len = s.length;
  if (len === 0) return Number.NaN;
  const c0 = s.charCodeAt(0);
  // epoch seconds (9-11 digits) or milliseconds (12-14 digits), optionally fractional: cut to the
  // millisecond, never rounded, so that 1795798799.9999 stays in the hour (and day) it was in, as a
  // clock reading 16:59:59.9999 has not yet reached 17:00; read from the digits, not a float's product
  if (len <= 17 && c0 >= 48 && c0 <= 57 && s.charCodeAt(4) !== 45) {
    if (!/^\d{9,14}(\.\d+)?$/.test(s)) return Number.NaN;
    const dot = s.indexOf('.');
    const whole = Number(dot === -1 ? s : s.slice(0, dot));
    if ((dot === -1 ? len : dot) >= 12) return whole;
    return whole * 1000 + (dot === -1 ? 0 : Number(s.slice(dot + 1, dot + 4).padEnd(3, '0')));
  }
  // YYYY-MM-DD[T ]hh:mm[:ss[.fff]][ ][Z|UTC|GMT|±hh[:]mm]
  if (len < 16 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return Number.NaN;
  const sep = s.charCodeAt(10);
  if (sep !== 84 && sep !== 32 && sep !== 116) return Number.NaN;
  const y = digitsAt(s, 0, 4);
  const mo = digitsAt(s, 5, 2);
  const d = digitsAt(s, 8, 2);
  const h = digitsAt(s, 11, 2);
  const mi = digitsAt(s, 14, 2);
  if (s.charCodeAt(13) !== 58) return Number.NaN;
  let i = 16;
  let sec = 0;
  let ms = 0;
  if (s.charCodeAt(i) === 58) {
    sec = digitsAt(s, i + 1, 2);
    i += 3;
    if (s.charCodeAt(i) === 46 || s.charCodeAt(i) === 44) {
      // the fraction cut to whole milliseconds (its first three digits), as the epoch above
      let j = i + 1;
      let scale = 100;
      while (j < len) {
        const c = s.charCodeAt(j) - 48;
        if (c < 0 || c > 9) break;
        ms += c * scale;
        scale = Math.floor(scale / 10);
        j++;
      }
      if (j === i + 1) return Number.NaN;
      i = j;
    }
  }
  if (
    Number.isNaN(y + mo + d + h + mi + sec) ||
    mo < 1 ||
    mo > 12 ||
    d < 1 ||
    d > 31 ||
    h > 23 ||
    mi > 59 ||
    sec > 60
  ) {
    return Number.NaN;
  }
  if (d > daysInMonth(y, mo)) return Number.NaN; // 2026-02-30 and friends
  // from the calendar, not Date.UTC, which reads years 0-99 as 1900-1999
  const wall = daysFromCivil(y, mo, d) * 86_400_000 + ((h * 60 + mi) * 60 + sec) * 1000 + ms;
  if (i === len) return zone ? zone.localToUtc(wall) : Number.NaN;
  // database and warehouse exports put a space before the zone, and some name UTC for it:
  // `2026-11-27 16:31:07 +0000`, `2026-11-27 16:31:07 UTC`
  if (s.charCodeAt(i) === 32 && i + 1 < len) i++;
  if (len - i === 3 && /^(?:utc|gmt)$/i.test(s.slice(i))) return wall;
  const z = s.charCodeAt(i);
  if ((z === 90 || z === 122) && i === len - 1) return wall; // Z
  if (z === 43 || z === 45) {
    const rest = s.slice(i + 1);
    const m = /^(\d{2}):?(\d{2})?$/.exec(rest);
    if (!m) return Number.NaN;
    const off = (Number(m[1]) * 60 + Number(m[2] ?? 0)) * 60_000;
    // real zone offsets lie within -12:00..+14:00; a larger one moves the call by days
    if (Number(m[2] ?? 0) > 59 || off > MAX_OFFSET_MS) return Number.NaN;
    return z === 43 ? wall - off : wall + off;
  }
  return Number.NaN;
}

/**
 * Whether `text` is the all-zero date-time (`0000-00-00 00:00:00`, with or without the time, a T, a
 * fraction) or the epoch's zero (`0`, `0.000`): what Asterisk and FreeSWITCH database exports (MySQL's
 * zero date) and epoch columns (FreeSWITCH's `answer_epoch`, SIP proxies' accounting) write for a time
 * that never happened, such as the answer of a call nobody answered. An optional time so written is
 * empty; 1970 is no time a call of today's network was answered at.
 */
export function isZeroDateTime(text: string): boolean {
  const s = text.trim();
  return (s.startsWith('0000-00-00') && ZERO_DATE_TIME.test(s)) || ZERO_EPOCH.test(s);
}

const ZERO_DATE_TIME = /^0000-00-00(?:[T ]00:00(?::00(?:[.,]0+)?)?)?$/;
const ZERO_EPOCH = /^0+(?:\.0+)?$/;

export const HOUR_MS = 3_600_000;

/** Start of the UTC hour holding `ms`, without Date objects (hot path). */
export function hourStart(ms: number): number {
  return ms - (((ms % HOUR_MS) + HOUR_MS) % HOUR_MS);
}

export function isoUtc(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
