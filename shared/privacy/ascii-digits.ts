/**
 * `text` with every Unicode decimal digit (\p{Nd}: full-width, Arabic-Indic, Devanagari, ...) written
 * as its ASCII digit, everything else as it was. Unicode encodes each script's digits as ten code points
 * in a row from 0 to 9, and runs of them always start at a 0, so a digit's value is its distance from
 * the start of its run, modulo 10 (some scripts have two sets of ten back to back).
 */
export function asciiDigits(text: string): string {
  return NOT_ASCII.test(text) ? text.replace(NON_ASCII_DIGIT, digitValue) : text;
}

const NOT_ASCII = /[\u0080-\uffff]/;

const NON_ASCII_DIGIT = /(?![0-9])\p{Nd}/gu;
const DIGIT = /^\p{Nd}$/u;

function digitValue(digit: string): string {
  const code = digit.codePointAt(0) ?? 0;
  let zero = code;
  // the longest run of sets of ten is the mathematical digits' five (U+1D7CE to U+1D7FF)
  while (code - zero < 60 && DIGIT.test(String.fromCodePoint(zero - 1))) zero--;
  return String((code - zero) % 10);
}
