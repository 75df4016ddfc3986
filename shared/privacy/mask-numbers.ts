import { withoutFloatFraction } from '../cdr/phone.ts';
import { asciiDigits } from './ascii-digits.ts';
import { phoneSpans } from './phone-spans.ts';

/**
 * Phone numbers are customer proprietary network information (47 U.S.C. 222): in logs, alerts,
 * metrics and what the CLI prints they keep only their last four digits. What counts as a number is
 * what the CDR parser would read as one, in any shape it accepts (phoneSpans), so dates, times, IP
 * addresses, ids and counts stay readable.
 */
export function maskPhoneNumbers(text: string): string {
  const spans = phoneSpans(text);
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const { start, end } of spans) {
    out += `${text.slice(at, start)}***${lastFourDigits(text.slice(start, end))}`;
    at = end;
  }
  return out + text.slice(at);
}

/** True when text still holds something the CDR parser would read as a phone number (log-capture tests). */
export function containsPhoneNumber(text: string): boolean {
  return phoneSpans(text).length > 0;
}

/** the number's last four digits: a float's `.0` (`2025550143.0`) is no part of the number */
function lastFourDigits(number: string): string {
  return withoutFloatFraction(asciiDigits(number)).replace(/\D/g, '').slice(-4);
}
