import { CsvTokenizer } from '../cdr/csv-tokenizer.ts';
import { withoutFloatFraction } from '../cdr/phone.ts';
import type { IdFields } from '../cdr/record.ts';
import { asciiDigits } from './ascii-digits.ts';
import { type PhoneSpan, phoneSpans } from './phone-spans.ts';

/**
 * Phone numbers are customer proprietary network information (47 U.S.C. 222): in logs, alerts,
 * metrics and what the CLI prints they keep only their last four digits. What counts as a number is
 * what the CDR parser would read as one, in any shape it accepts (phoneSpans), so dates, times, IP
 * addresses, ids and counts stay readable.
 */
export function maskPhoneNumbers(text: string): string {
  return masked(text, phoneSpans(text));
}

/**
 * A quarantined CSV row, its phone numbers masked but for those in its id fields (`ids`, as ingest
 * told them from the batch's layout): a customer id or accountcode of ten digits (`4412345678`) is in
 * a phone number's shape, but masked it names no customer a person can look up. A row that does not
 * split into the fields ingest counted (cut short, unterminated quote), or whose ids are not known, is
 * masked whole.
 */
export function maskQuarantinedRow(raw: string, ids?: IdFields): string {
  const spans = phoneSpans(raw);
  const keep = ids === undefined || spans.length === 0 ? [] : fieldSpans(raw, ids);
  return masked(
    raw,
    spans.filter((s) => !keep.some((k) => s.start >= k.start && s.end <= k.end)),
  );
}

/** True when text still holds something the CDR parser would read as a phone number (log-capture tests). */
export function containsPhoneNumber(text: string): boolean {
  return phoneSpans(text).length > 0;
}

function masked(text: string, spans: PhoneSpan[]): string {
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const { start, end } of spans) {
    out += `${text.slice(at, start)}***${lastFourDigits(text.slice(start, end))}`;
    at = end;
  }
  return out + text.slice(at);
}

/**
 * Where the fields `ids.at` of the CSV row `raw` are, in its characters, as the parser splits it; none
 * unless it splits into one record of `ids.fields` fields.
 */
function fieldSpans(raw: string, ids: IdFields): PhoneSpan[] {
  // ended by a line end, the record is read in place in this buffer, so its field bounds count from
  // the row's first byte (one left open is read from a copy at the end of the input)
  const buf = Buffer.from(raw.endsWith('\n') ? raw : `${raw}\n`, 'utf8');
  const spans: PhoneSpan[] = [];
  let records = 0;
  const tokenizer = new CsvTokenizer({
    record(rec) {
      records++;
      if (records > 1 || rec.buf !== buf || rec.count !== ids.fields) return;
      // field bounds are bytes: the characters before each are counted by decoding up to it
      const chars = (byte: number) => buf.toString('utf8', 0, byte).length;
      for (const i of ids.at)
        if (Number.isInteger(i) && i >= 0 && i < rec.count)
          spans.push({ start: chars(rec.starts[i]), end: chars(rec.ends[i]) });
    },
    bad() {
      records++;
    },
  });
  tokenizer.push(buf);
  tokenizer.end();
  return records === 1 ? spans : [];
}

/** the number's last four digits: a float's `.0` (`2025550143.0`) is no part of the number */
function lastFourDigits(number: string): string {
  return withoutFloatFraction(asciiDigits(number)).replace(/\D/g, '').slice(-4);
}
