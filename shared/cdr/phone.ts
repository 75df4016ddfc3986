import { classifyNanp } from './nanp.ts';
import type { NumberClass, Verstat } from './record.ts';

export interface NormalizedNumber {
  /** E.164 (`+12025550143`) when normalizable, else the trimmed raw text */
  value: string;
  cls: NumberClass;
  /** verstat carried inside a SIP/tel URI (`;verstat=...`), '' when absent */
  verstat: Verstat;
}

/**
 * How switches write a caller ID the caller withheld or the network could not deliver: `anonymous`,
 * `Private Caller`, `Restricted Number`, `OUT OF AREA`, `Unknown Caller`, `No Caller ID`, and the
 * one-letter display codes P (private) and O (out of area). Words, in any case, up to four of them,
 * at least one of which says the number is withheld or missing; such a caller ID is blank, not an
 * invalid number (an invalid caller ID is a hard rule: a clinic whose staff dial with privacy on
 * must not read as a spoofer).
 */
const PRIVACY_WORDS = new Set(['caller', 'number', 'id', 'name', 'presentation', 'out', 'of', 'not']);
const WITHHELD_WORDS = new Set([
  'anonymous',
  'restricted',
  'private',
  'unknown',
  'unavailable',
  'withheld',
  'blocked',
  'area',
  'available',
  'no',
]);

function isWithheld(text: string): boolean {
  // a digit or '+' first: a number, as nearly every caller ID is (no lower-casing, no split)
  const c = text.charCodeAt(0);
  if (c === 43 || (c >= 48 && c <= 57)) return false;
  const lower = text.toLowerCase();
  if (lower === 'p' || lower === 'o') return true;
  const words = lower.split(/[\s_-]+/).filter((w) => w !== '');
  return (
    words.length > 0 &&
    words.length <= 4 &&
    words.some((w) => WITHHELD_WORDS.has(w)) &&
    words.every((w) => WITHHELD_WORDS.has(w) || PRIVACY_WORDS.has(w))
  );
}
const VERSTATS: Record<string, Verstat> = {
  'tn-validation-passed': 'TN-Validation-Passed',
  'tn-validation-failed': 'TN-Validation-Failed',
  'no-tn-validation': 'No-TN-Validation',
};

function extractVerstat(params: string): Verstat {
  const m = /(?:^|;)verstat=([^;>@&]+)/i.exec(params);
  return m ? (VERSTATS[m[1].toLowerCase()] ?? '') : '';
}

/**
 * Per-call codes a caller dials before the number to hide or show its caller ID for that one call:
 * *67 and *82 (NANP vertical service codes), #31# and *31# (GSM). The call still goes to the number
 * after them, so a PBX that logs the dialled string must not make it an on-net call. Only a called
 * number can carry one: in a caller ID it is no number (invalid, as any other '*').
 */
const PER_CALL_CODE = /^(?:\*67|\*82|#31#|\*31#)[\s().\-/]*(?=\+?\d)/;

/** The dialled text without a leading per-call code (see PER_CALL_CODE), or as it was. */
function withoutPerCallCode(text: string): string {
  const c = text.charCodeAt(0);
  // '*' or '#': most numbers never reach the pattern
  return c === 42 || c === 35 ? text.replace(PER_CALL_CODE, '') : text;
}

/** Whether `text` holds a character outside ASCII (a number that does is read through asciiForm). */
function notAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return true;
  return false;
}

/**
 * The number with digits and signs written in another width or script as ASCII: full-width `＋１２０２`
 * (NFKC folds it), Arabic-Indic and Eastern Arabic-Indic digits, Unicode dashes and minus. Exports
 * that pass numbers through a spreadsheet or another locale write them; read as they are, every such
 * caller ID was an invalid number, which is a hard rule's finding. ASCII text is returned as it is.
 */
function asciiForm(raw: string): string {
  if (!notAscii(raw)) return raw;
  return raw
    .normalize('NFKC')
    .replace(/[\u0660-\u0669\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) & 0xf))
    .replace(/[\u2010-\u2015\u2212]/g, '-');
}

/**
 * Normalizes a caller or called number in any shape switches produce to E.164:
 * `+12025550143`, `12025550143`, `2025550143`, `(202) 555-0143`, `011 44 20...`, `0044...`,
 * `sip:+12025550143;verstat=TN-Validation-Passed@host;user=phone`, `tel:+1...;verstat=...`,
 * `"Front desk" <sip:+1...@host>;tag=...`. A called number has its own reader (normalizeCalledNumber).
 * A number that cannot be normalized is kept verbatim and classified invalid, never dropped.
 */
export function normalizeNumber(written: string): NormalizedNumber {
  const raw = asciiForm(written);
  const { text: dialled, verstat } = dialString(raw);
  // privacy words are a caller ID's only: no one dials `anonymous` (normalizeCalledNumber keeps it)
  if (isWithheld(dialled)) return { value: '', cls: 'blank', verstat };
  // a number that stays invalid is kept as it was written, not as its ASCII form
  return numberOf(written, dialled, verstat);
}

/**
 * A caller ID as a traceback compares a request's with a CDR row's (docs/traceback.md): its E.164
 * number when it normalizes, '' when it is withheld or blank (as a CallRecord holds it), else what was
 * dialled as its digits, so `556-5541`, `sip:5565541@host` and `5565541` are one spoofed caller ID, or,
 * without a digit, as its trimmed lower-cased text. Not for the reading path: a lookup asks it only of
 * rows that already match a request's called number and time.
 */
export function callerIdKey(written: string): string {
  const n = normalizeNumber(written);
  if (n.cls !== 'invalid_digits') return n.value;
  const dialled = dialString(asciiForm(written)).text.trim();
  const digits = dialled.replace(/\D/g, '');
  return digits !== '' ? digits : (dialled || written.trim()).toLowerCase();
}

/**
 * What was dialled, without its packaging: the user part of a `sip:`/`tel:` URI, also inside a
 * name-addr with a display name (`"John" <sip:+1...@host>`), and the verstat it carried.
 */
function dialString(raw: string): { text: string; verstat: Verstat } {
  let text = raw.trim();
  let verstat: Verstat = '';
  // a display name before <uri>: the number is in the URI
  // (the last `<`: a display name may hold one; parameters may follow the `>`)
  const lt = text.lastIndexOf('<');
  const gt = text.lastIndexOf('>');
  if (lt > 0 && gt > lt) text = text.slice(lt, gt + 1);
  const lower = text.toLowerCase();
  if (
    lower.startsWith('sip:') ||
    lower.startsWith('sips:') ||
    lower.startsWith('tel:') ||
    text.startsWith('<')
  ) {
    const uri = text.replace(/^<|>$/g, '');
    verstat = extractVerstat(uri);
    const afterScheme = uri.slice(uri.indexOf(':') + 1);
    const user = afterScheme.split('@')[0];
    text = user.split(';')[0];
  } else {
    // a SIP user@host written without its scheme (`2025550143@10.0.0.1`, as some switches log it)
    const at = text.indexOf('@');
    if (at > 0 && at < text.length - 1 && !/\s/.test(text)) text = text.slice(0, at);
    if (text.includes(';')) {
      verstat = extractVerstat(text);
      text = text.split(';')[0];
    }
  }
  // escapes are decoded once the user part is cut out: an escaped `@` or `;` is part of it.
  // A number a spreadsheet or a dataframe wrote as a float (`2025550143.0`): that dot is no separator,
  // and read as one the number gained a digit (+20 2555 01430, a number in Egypt)
  return { text: withoutFloatFraction(withoutEndOfDialling(percentDecoded(text))), verstat };
}

/**
 * The text with its `%XX` escapes decoded: a SIP or tel URI escapes a `+` as `%2B` (RFC 3261 allows
 * any user-part character escaped), and switches log the user part so, with or without its URI.
 * Read as written, `%2B13015552671` was no number (a called one became an on-net call, a caller ID an
 * invalid one). Text whose escapes decode to no UTF-8 (`%2G`, a lone `%`) is left as written.
 */
function percentDecoded(text: string): string {
  if (!text.includes('%')) return text;
  try {
    // what the escapes spell may be another width or script (`%EF%BC%8B`, a full-width +)
    return asciiForm(decodeURIComponent(text));
  } catch {
    return text;
  }
}

/**
 * A `#` after the number's last digit: the key that ends dialling (sending complete), which switches
 * and phones log with the dialled digits (`13015552671#`). No part of the number; `#12` after it is
 * an extension (TRAILING_EXTENSION), and a `#` anywhere else (`#31#`, `*72#`) is left as written.
 */
const END_OF_DIALLING = /^(\+?[\d\s().\-/]*\d)\s*#$/;

/** The text without an end-of-dialling `#` after its number (END_OF_DIALLING), or as it was. */
function withoutEndOfDialling(text: string): string {
  return text.charCodeAt(text.length - 1) === 35 ? (END_OF_DIALLING.exec(text)?.[1] ?? text) : text;
}

/**
 * A number a spreadsheet wrote in scientific notation (`3.01556E+09`, `1,30156E+10` in a locale
 * with a decimal comma; `3.01556e+09` as dataframes write it): its digits past the first few are
 * rounded away, and a leading `+` or 0 with them. No number can be read back from it, so a row that
 * holds one is quarantined (normalize.ts), never counted as a call to some other number or to an
 * extension.
 */
const SCIENTIFIC = /^[+-]?\d+(?:[.,]\d*)?[eE][+-]?\d{1,3}$/;

/** Whether `written` is a number in scientific notation (SCIENTIFIC), blanks around it aside. */
export function inScientificNotation(written: string): boolean {
  return SCIENTIFIC.test(written.trim());
}

const WRITTEN_AS_FLOAT = /^(\+?\d{7,15})\.0+$/;

/** A number written as a float (`2025550143.0`, as spreadsheets and dataframes write it) without its fraction. */
export function withoutFloatFraction(text: string): string {
  return WRITTEN_AS_FLOAT.exec(text)?.[1] ?? text;
}

/**
 * An extension written after the number (`+12025550143 x123`, `ext. 12`, `extension 5`, `#12`): no
 * part of the number, as `;ext=12` is not (dialString). The number before it is digits and visual
 * separators only.
 */
const TRAILING_EXTENSION = /^(\+?[\d\s().\-/]*\d)\s*(?:x|ext\.?|extension|#)\s*\d{1,8}$/i;

/**
 * The assigned ITU-T E.164 country codes other than 1 (the NANP, read by its own rules), as the start
 * of a number's digits: country codes are prefix-free, so a number starts with at most one. A
 * number written as its international digits without `+`, `011` or `00` (`442079460000`, as many
 * switches and gateways log it) is read as such only when it starts with one.
 */
const COUNTRY_CODE =
  /^(?:7|2[07]|3[0-469]|4[013-9]|5[1-8]|6[0-6]|8[1246]|9[0-58]|21[12368]|2[2-6]\d|29[01789]|35\d|37\d|38[0-35-79]|42[013]|5[09]\d|67[02-9]|68[0-35-9]|69[0-2]|80[08]|85[02356]|87[08]|88[0-368]|96[0-8]|97[0-79]|99[2-68])/;

/** normalizeNumber on the dial string `text` of `raw` (see dialString), privacy words aside. */
function numberOf(raw: string, text: string, verstat: Verstat): NormalizedNumber {
  if (text === '') return { value: '', cls: 'blank', verstat };
  // visual separators only; anything else (letters, '*', '#') makes the number invalid
  const plus = text.startsWith('+');
  const digits = (plus ? text.slice(1) : text).replace(/[\s().\-/]/g, '');
  if (!/^\d+$/.test(digits)) {
    // the number before a trailing extension (its own text is digits: this does not come back here)
    const ext = TRAILING_EXTENSION.exec(text);
    return ext !== null
      ? numberOf(raw, ext[1], verstat)
      : { value: raw.trim(), cls: 'invalid_digits', verstat };
  }
  let international: string | null = null;
  if (plus) international = digits;
  else if (digits.startsWith('011')) international = digits.slice(3);
  else if (digits.startsWith('00')) international = digits.slice(2);
  else if (digits.length === 11 && digits.startsWith('1')) international = digits;
  else if (digits.length === 10) international = `1${digits}`;
  // E.164 digits without a prefix: 11 to 15 of them after a country code (a NANP number is 10 or 11
  // digits, read above; an extension or feature code is a few). India's numbers are all 12 digits, and
  // 91 is also what a US PBX's outside line 9 and a 1 start with: any other length is no Indian number
  else if (
    digits.length >= 11 &&
    digits.length <= 15 &&
    COUNTRY_CODE.test(digits) &&
    (digits.length === 12 || !digits.startsWith('91'))
  )
    international = digits;
  if (international === null) return { value: raw.trim(), cls: 'invalid_digits', verstat };
  if (international.startsWith('1')) {
    if (international.length !== 11) return { value: raw.trim(), cls: 'invalid_digits', verstat };
    return { value: `+${international}`, cls: classifyNanp(international.slice(1)), verstat };
  }
  // E.164 allows up to 15 digits; country codes never start with 0
  if (international.length < 8 || international.length > 15 || international.startsWith('0')) {
    return { value: raw.trim(), cls: 'invalid_digits', verstat };
  }
  return { value: `+${international}`, cls: 'valid', verstat };
}

/** NPA-NXX (6 digits) of a +1 number, or '' for anything else. */
export function npaNxx(e164: string): string {
  return e164.length === 12 && e164.startsWith('+1') ? e164.slice(2, 8) : '';
}

/**
 * Where a call went: the public network (`pstn`: a number in E.164 form, or dialled behind a PBX's
 * outside-line 9 as 9 011 <international> or 9 1 <10 digits>), the customer's own switch (`on_net`:
 * an extension, a feature code such as `*97`, a SIP user name, `voicemail`) or an emergency service
 * (911, 933, also behind the outside-line 9). Robocall rules look at PSTN calls only; on-net and
 * emergency calls are counted, never flagged.
 */
export type Destination = 'pstn' | 'on_net' | 'emergency';

const EMERGENCY = new Set(['911', '933', '9911', '9933']);
const OUTSIDE_LINE = /^9(?:011\d{7,15}|1[2-9]\d{9})$/;

/**
 * normalizeNumber for a called number, as dialled: a per-call caller-ID code in front is left out
 * (`*6712025550143`, see PER_CALL_CODE), and a PSTN number dialled behind a PBX's outside-line 9 (`9 1
 * 312 ...`, `9 011 44 ...`, also `9 *67 1 312 ...`) becomes the E.164 number it reached, so a traceback
 * request naming that number finds the call and distinct counts see what the PSTN saw. Any other
 * number that cannot be normalized is kept as its dial string (a URI's user part: `sip:911@pbx` is
 * 911, an emergency call), which is what destinationOf judges; so is a privacy word (`anonymous`: a
 * user name at the switch, not a withheld number, which only a caller ID can be).
 */
export function normalizeCalledNumber(written: string): NormalizedNumber {
  const raw = asciiForm(written);
  const { text, verstat } = dialString(raw);
  // (dialString left the end-of-dialling `#` of a number behind a per-call code: `*67 1 312 ... #`)
  const dialled = withoutEndOfDialling(withoutPerCallCode(text));
  // the number dialled, without an extension after it (`9 1 312 555 0199 x12`)
  const digits = (TRAILING_EXTENSION.exec(dialled)?.[1] ?? dialled).replace(/[\s().\-/]/g, '');
  if (digits.startsWith('9')) {
    // what follows the 9 (a per-call code may come first): 1 and ten digits, or 011 and an
    // international number; read before the number itself, which may also read as international
    // digits (9 1 212 ... is not India's +91 212 ... behind a US PBX)
    const after = withoutEndOfDialling(withoutPerCallCode(digits.slice(1)));
    if (OUTSIDE_LINE.test(`9${after}`)) {
      const reached = numberOf(raw, after, verstat);
      if (reached.value.startsWith('+')) return reached;
    }
  }
  const n = numberOf(raw, dialled, verstat);
  if (n.value.startsWith('+') || n.cls === 'blank') return n;
  return { ...n, value: dialled };
}

/**
 * The most digits an extension or short code is dialled with: private dial plans run to a site code
 * and an extension (7 digits), short codes are 3 to 6. A dial string with more digits that is neither
 * a feature code nor a user name is a public number, however garbled.
 */
export const MAX_ON_NET_DIGITS = 7;

/**
 * Destination of a called number as normalizeCalledNumber left it (E.164 text, else the dial string):
 * one written with a `+` and digits is the public network's, valid or not; a `+` without a digit
 * (a bare `+`) is no number at all. Only what looks like the customer's own switch is on-net: an
 * extension or short code (at most MAX_ON_NET_DIGITS digits: `1008`, `411`), a feature code (`*97`,
 * `*72 13015552671`: a `*` or `#` first) or a SIP user name (a letter first: `voicemail`, `alice`).
 * Anything else with more digits is a number the customer sent to the PSTN in a shape that did not
 * normalize (`1301555267100`, `13015552671;;`, `3.015552671E+10`): counted and judged as PSTN, with
 * an invalid number, rather than waved through as internal traffic no rule looks at.
 */
export function destinationOf(called: string): Destination {
  const c0 = called.charCodeAt(0);
  if (c0 === 43) {
    const c = called.charCodeAt(1);
    if ((c >= 48 && c <= 57) || /\d/.test(called)) return 'pstn';
  }
  const digits = called.replace(/[\s().\-/]/g, '');
  if (EMERGENCY.has(digits)) return 'emergency';
  if (OUTSIDE_LINE.test(digits)) return 'pstn';
  if (c0 === 42 || c0 === 35 || /^\p{L}/u.test(called)) return 'on_net';
  return digitCount(digits) <= MAX_ON_NET_DIGITS ? 'on_net' : 'pstn';
}

function digitCount(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}
