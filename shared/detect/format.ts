/** Number formatting for reason sentences: `4,210`, `81%`, `2.5 s`. */
/** `4,210`: grouped by hand (toLocaleString goes through ICU on every call; it showed in analyze's profile). */
export function int(n: number): string {
  const digits = String(Math.abs(Math.round(n)));
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n <= -0.5 && digits !== '0' ? `-${out}` : out;
}

/**
 * The word that agrees with the count `n`: `one` for 1, else `many` (`call`/`calls`, `was`/`were`,
 * `it`/`each`). A sentence's counts are any number its window holds, 1 included (one DNO call fires).
 */
export function plural(n: number, one: string, many = `${one}s`): string {
  return Math.abs(n) === 1 ? one : many;
}

/**
 * `1 call`, `4,210 calls`: the count as int writes it, with its noun in the number the figure shown
 * takes (int writes 1.2 as `1`).
 */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${int(n)} ${plural(Math.round(n), one, many)}`;
}

/**
 * A figure as a sentence shows it: as it is when counted, and `about 3,000 distinct called numbers
 * (estimated)` when it is a HyperLogLog estimate (a stored window's distinct counts past their exact
 * limit: Derived.estimated), so no one checks an estimate against the CDRs as a count. `note` false
 * leaves out the "(estimated)" a sentence already gave once (`about 100% of 3,000 attempts`).
 */
export function estimatedText(text: string, estimated: boolean, note = true): string {
  if (!estimated) return text;
  return note ? `about ${text} (estimated)` : `about ${text}`;
}

/**
 * `14.8%`, `50%`: to a tenth of a point, so a share under a threshold does not read as the threshold
 * itself (14.79% against 15% was printed "15%").
 */
export const pct = (r: number): string => `${Math.round(r * 1000) / 10}%`;
export const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** the most decimals figureAgainst adds: a millionth of the unit (of a point, for a share) */
const MAX_DIGITS = 6;

/**
 * `n` as round(n, digits) writes it, with more decimals where that would write it as `line` itself
 * (29.96 s against a 30 s line read "30"): a reason's figure must visibly lie on the side of the
 * threshold it passed, or the sentence reads as if the rule fired on its line. Rounding keeps order, so
 * once the two differ the figure is on its side. A figure exactly on its line is the line.
 */
export function figureAgainst(n: number, line: number, digits: number): number {
  if (n === line) return round(n, digits);
  let d = digits;
  while (d < MAX_DIGITS && round(n, d) === round(line, d)) d++;
  return round(n, d);
}

/**
 * A share as pct writes it, against the threshold share `line`: `39.98%` for 0.3998 against 0.4,
 * which pct writes "40%" (see figureAgainst).
 */
export function pctAgainst(r: number, line: number): string {
  const shown = pct(r);
  return shown !== pct(line) || r === line ? shown : `${figureAgainst(r * 100, line * 100, 2)}%`;
}

/**
 * A finding's window as people read it: `2026-11-27 16:00-17:00 UTC` for an hour; a window longer than
 * an hour (a customer's whole day) names its end's date too, `2026-11-27 00:00-2026-11-28 00:00 UTC`.
 */
export function windowText(start: string, end: string): string {
  const stamp = (iso: string) => iso.slice(0, 16).replace('T', ' ');
  const long = Date.parse(end) - Date.parse(start) > 3_600_000;
  return `${stamp(start)}-${long ? stamp(end) : end.slice(11, 16)} UTC`;
}
