import { normalizeCalledNumber, normalizeNumber } from '../cdr/phone.ts';
import { asciiDigits } from './ascii-digits.ts';

/**
 * Where free text (a log line, an alert, a quarantined CDR row) holds something the CDR parser would
 * read as a phone number. The parser itself is the judge, so every shape it accepts (docs/
 * input-contract.md: `+1 202 736 5000`, `(202) 555-0143`, `011`/`00` international, international
 * digits without a prefix such as `442079460000`, full-width or other Unicode digits, Unicode dashes,
 * the user part of `sip:`/`tel:` URIs, a per-call code or outside-line 9 before a dialled number) is
 * found here too, and a new shape it learns is masked without a second list to keep in step.
 *
 * Candidates are runs of digit groups joined by one or two separator characters (space, dot, dash,
 * slash, parenthesis, as the parser strips them). Commas, quotes, colons and letters end a run, so
 * the columns of a CSV or JSON row are judged one by one. Every stretch of a run the parser reads as
 * a number is masked, so junk digits glued in front of a number cannot leave part of it in clear.
 * Kept readable: dates and times (`2026-11-20T10:00:00Z`, `10:00:00`), IPv4 addresses, UUIDs, ids
 * with digits inside a word (hex digests, `case-1234...`), and ten bare digits starting with 0 or 1:
 * no NANP area code starts so, and that is what epoch seconds (2001 to 2033) look like in a
 * start_time column. Epoch milliseconds (13 digits starting with 1) are no number the parser reads.
 * Nor is an Asterisk uniqueid, epoch seconds, a dot and a sequence number (`1795798800.7`): however
 * long its sequence, the digits never run on from the epoch into it, else `1795798800.7` would be read
 * as the eleven digits of +1 795 798 8007 while `1795798800.41` stayed readable.
 */
export interface PhoneSpan {
  start: number;
  end: number;
}

const SEPARATOR = String.raw`[^\S\r\n]|[./\-\u2010-\u2015\u2212\uff0d\uff0e\uff0f]`;
const PAREN = String.raw`[()\uff08\uff09]`;
/** a per-call code before a dialled number (`*67`, `#31#`), in any digits */
const PER_CALL_CODE = String.raw`\*\p{Nd}{2}|[*#]\p{Nd}{2}#`;
/** a per-call code, perhaps behind a PBX's outside-line digit (`9*67...`, as the parser reads it) */
const OUTSIDE_LINE_THEN_CODE = String.raw`(?:\p{Nd}?(?:${PER_CALL_CODE}))`;
/** Dates written year first with a separator, with the time and offset after them if any. */
const DATE =
  String.raw`(?<!\p{N})\p{Nd}{4}(?<dateSeparator>[-/.])\p{Nd}{1,2}\k<dateSeparator>\p{Nd}{1,2}` +
  String.raw`(?:[T ]\p{Nd}{1,2}:\p{Nd}{2}(?::\p{Nd}{2}(?:[.,]\p{Nd}+)?)?(?:\s?(?:Z|[+-]\p{Nd}{2}(?::?\p{Nd}{2})?))?)?(?!\p{N})`;
const IPV4 = String.raw`(?<![\p{N}.])\d{1,3}(?:\.\d{1,3}){3}(?!\.?\p{N})`;
const UUID = String.raw`(?<![\p{L}\p{N}])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![\p{L}\p{N}])`;
/**
 * A run starts after no letter or digit, nor a dash or underscore joining it to a word (`Master-2026...`,
 * `T_1234...`: ids and file names), nor inside a time (`10:00`); a `%XX` escape (`%2B1202...`) ends a
 * word. It goes on into no UUID, IP address or date, and ends before no letter (bar an extension:
 * `x12`, `ext. 12`), no digit and no `:<digit>`.
 */
const RUN =
  String.raw`(?:(?<=%[0-9a-f]{2})|(?<![\p{L}\p{N}]|[\p{L}\p{N}][-_]|\p{Nd}:))${OUTSIDE_LINE_THEN_CODE}?[+\uff0b]?${PAREN}?` +
  String.raw`\p{Nd}+(?:(?:${SEPARATOR}|${PAREN}){1,2}(?!${UUID}|${IPV4}|${DATE})\p{Nd}+)*` +
  String.raw`(?!\p{N}|:\p{Nd}|(?!(?:x|ext\.?|extension)\s*\p{Nd})\p{L})`;
const SCAN = new RegExp(`${UUID}|${IPV4}|${DATE}|(?<run>${RUN})`, 'giu');
const GROUP = /\p{Nd}+/gu;
const LEADING_CODE = new RegExp(`^${OUTSIDE_LINE_THEN_CODE}`, 'u');

/**
 * The fewest digits the parser reads as a number with a `+` (8) and without one (10: NANP; `00` and 8),
 * and the most (9, 011 and 15): stretches outside these are not asked, which keeps a run of thousands of
 * one-digit groups (a hostile row is up to 1 MiB) to a few questions per group.
 */
const MIN_SIGNED_DIGITS = 8;
const MIN_DIGITS = 10;
const MAX_DIGITS = 19;
/**
 * Numbers are written in up to eight groups (`9 011 33 1 23 45 67 89`). A stretch in more groups with
 * a number's count of digits (`2 0 2 5 5 5 0 1 4 3`, a list of small counts) is masked without asking
 * the parser: a hostile row of one-digit groups costs nothing, and a number spaced out digit by digit
 * is still masked.
 */
const MAX_GROUPS_ASKED = 8;

/** The stretches of `text` the CDR parser would read as phone numbers, in order, not overlapping. */
export function phoneSpans(text: string): PhoneSpan[] {
  const spans: PhoneSpan[] = [];
  for (const m of text.matchAll(SCAN)) {
    const run = m.groups?.run;
    if (run !== undefined) spans.push(...numbersInRun(run, m.index));
  }
  return spans;
}

interface Group {
  start: number;
  end: number;
  /** its digits in ASCII */
  digits: string;
}

/** The stretches of one run that read as numbers, stretches that share a digit group merged. */
function numbersInRun(run: string, offset: number): PhoneSpan[] {
  // the digits of a per-call code (`*67`) are no part of the number after it
  const code = LEADING_CODE.exec(run)?.[0].length ?? 0;
  const groups: Group[] = [...run.slice(code).matchAll(GROUP)].map((g) => ({
    start: code + g.index,
    end: code + g.index + g[0].length,
    digits: asciiDigits(g[0]),
  }));
  // what comes before the first group (`+`, `*67`, `(`) as the parser reads it: separators are dropped
  const lead = asciiDigits(run.slice(0, groups[0].start).normalize('NFKC')).replace(/[()]/g, '');
  // ten digits with nothing around them starting with 0 or 1: epoch seconds, no NANP number
  const epoch = (i: number) => (i > 0 || lead === '') && /^[01]\d{9}$/.test(groups[i].digits);
  // epoch seconds and, after a dot, the sequence number of an Asterisk uniqueid: no number spans both
  const uniqueid = (i: number) =>
    i + 1 < groups.length && epoch(i) && run.slice(groups[i].end, groups[i + 1].start) === '.';
  // reach[i]: the last group a number starting at group i covers (-1: none starts there)
  const reach = groups.map((_, i) => {
    let last = -1;
    let digits = '';
    for (let j = i; j < groups.length; j++) {
      if (j > i && uniqueid(j - 1)) break;
      digits += groups[j].digits;
      if (digits.length > MAX_DIGITS) break;
      if (j - i >= MAX_GROUPS_ASKED) {
        if (digits.length >= MIN_DIGITS) last = j;
        continue;
      }
      const reads =
        (digits.length >= MIN_DIGITS && !(i === j && epoch(i)) && readsAsNumber(digits)) ||
        (i === 0 && lead !== '' && digits.length >= MIN_SIGNED_DIGITS && readsAsNumber(lead + digits));
      if (reads) last = j;
    }
    return last;
  });
  const spans: PhoneSpan[] = [];
  for (let i = 0; i < groups.length; i++) {
    if (reach[i] < 0) continue;
    let end = reach[i];
    for (let k = i + 1; k <= end; k++) end = Math.max(end, reach[k]);
    spans.push({ start: offset + (i === 0 ? 0 : groups[i].start), end: offset + groups[end].end });
    i = end;
  }
  return spans;
}

/**
 * Whether the CDR parser reads `dialled` (ASCII digits, perhaps after a `+` or a per-call code) as a
 * phone number, as a caller ID or as a called number (which may be dialled behind an outside-line 9
 * or a per-call code; asked only then, as it reads every other number as the caller ID reader does).
 */
function readsAsNumber(dialled: string): boolean {
  if (normalizeNumber(dialled).value.startsWith('+')) return true;
  const first = dialled.charCodeAt(0);
  // '9', '*' or '#'
  return (
    (first === 57 || first === 42 || first === 35) && normalizeCalledNumber(dialled).value.startsWith('+')
  );
}
