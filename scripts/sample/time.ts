/**
 * Time helpers for the generator: local wall-clock in an IANA zone (DST-correct, via Intl) and the
 * start_time spellings switches use. Offsets only change on the hour in US zones, so they are cached
 * per zone and UTC hour; that keeps Intl out of the per-row hot path.
 */

export const HOUR_MS = 3_600_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, number>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** Minutes to add to UTC to get local wall-clock time in `zone` at instant `ms` (e.g. -300 for EST). */
export function zoneOffsetMinutes(zone: string, ms: number): number {
  const hourStart = Math.floor(ms / HOUR_MS) * HOUR_MS;
  const key = `${zone}@${hourStart}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    const parts: Record<string, number> = {};
    for (const p of formatterFor(zone).formatToParts(new Date(hourStart))) {
      if (p.type !== 'literal') parts[p.type] = Number(p.value);
    }
    const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
    offset = Math.round((asUtc - hourStart) / 60_000);
    offsetCache.set(key, offset);
  }
  return offset;
}

/** Local hour of day (0-23) in `zone`. */
export function localHour(zone: string, ms: number): number {
  return new Date(ms + zoneOffsetMinutes(zone, ms) * 60_000).getUTCHours();
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function wallClock(shifted: Date, separator: string): string {
  return (
    `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())}` +
    `${separator}${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}:${pad(shifted.getUTCSeconds())}`
  );
}

/** `2026-11-27T16:31:05Z` (whole seconds: switches in the sample log at second resolution). */
export function isoUtc(ms: number): string {
  return wallClock(new Date(ms), 'T') + 'Z';
}

/** `2026-11-27T11:31:05-05:00`: the same instant written in the zone's local time with its offset. */
export function isoWithOffset(ms: number, zone: string): string {
  const offset = zoneOffsetMinutes(zone, ms);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${wallClock(new Date(ms + offset * 60_000), 'T')}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `2026-11-27 11:31:05`, local wall-clock without zone, as Asterisk and FreeSWITCH write it. */
export function localWallClock(ms: number, zone: string): string {
  return wallClock(new Date(ms + zoneOffsetMinutes(zone, ms) * 60_000), ' ');
}

/** Start of the UTC day `yyyy-mm-dd`, epoch ms; throws with the offending text when it is not a date. */
export function dayStartMs(day: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (!match || Number.isNaN(ms) || isoUtc(ms).slice(0, 10) !== day) {
    throw new Error(`day must be a calendar date written yyyy-mm-dd, got "${day}"`);
  }
  return ms;
}
