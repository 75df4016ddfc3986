/**
 * Phone numbers are customer proprietary network information (47 U.S.C. 222): in logs, alerts and
 * metrics they keep only their last four digits. The patterns are phone shapes (E.164, 10/11 NANP
 * digits, (NPA) NXX-XXXX, NPA-NXX-XXXX, sip:/tel: users), so dates and times stay readable.
 */
// bounded by non-word characters, so digits inside ids (hex digests, uuids) are left alone
const PHONE =
  /(?<![\w-])(?:\+\d{8,15}|1?\d{10}|(?:\+?1[\s.-]?)?\(\d{3}\)\s?\d{3}[-.\s]\d{4}|(?:\+?1[\s.-]?)?\d{3}[-.]\d{3}[-.]\d{4})(?![\w-])/g;

export function maskPhoneNumbers(text: string): string {
  return text.replace(PHONE, (m) => `***${m.replace(/\D/g, '').slice(-4)}`);
}

/** True when text still holds something shaped like a phone number (used by log-capture tests). */
export function containsPhoneNumber(text: string): boolean {
  PHONE.lastIndex = 0;
  const found = PHONE.test(text);
  PHONE.lastIndex = 0;
  return found;
}
