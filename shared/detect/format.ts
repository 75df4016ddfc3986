/** Number formatting for reason sentences: `4,210`, `81%`, `2.5 s`. */
/** `4,210`: grouped by hand (toLocaleString goes through ICU on every call; it showed in analyze's profile). */
export function int(n: number): string {
  const digits = String(Math.abs(Math.round(n)));
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n <= -0.5 && digits !== '0' ? `-${out}` : out;
}
/**
 * `14.8%`, `50%`: to a tenth of a point, so a share under a threshold does not read as the threshold
 * itself (14.79% against 15% was printed "15%").
 */
export const pct = (r: number): string => `${Math.round(r * 1000) / 10}%`;
export const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * A finding's window as people read it: `2026-11-27 16:00-17:00 UTC` for an hour; a window longer than
 * an hour (a customer's whole day) names its end's date too, `2026-11-27 00:00-2026-11-28 00:00 UTC`.
 */
export function windowText(start: string, end: string): string {
  const stamp = (iso: string) => iso.slice(0, 16).replace('T', ' ');
  const long = Date.parse(end) - Date.parse(start) > 3_600_000;
  return `${stamp(start)}-${long ? stamp(end) : end.slice(11, 16)} UTC`;
}
