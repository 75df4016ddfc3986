/**
 * Phone numbers are customer proprietary network information: anything that looks like one (seven
 * or more digits, optionally with + and separators) keeps only its last four digits.
 */
export function redactPhoneNumbers(text: string): string {
  return text.replace(/\+?\d[\d\s().-]{5,}\d/g, (match) => {
    const digits = match.replace(/\D/g, '');
    return digits.length >= 7 ? `***${digits.slice(-4)}` : match;
  });
}
