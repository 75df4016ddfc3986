/**
 * E.164 text that numberKey maps one-to-one: '+' and 1-15 digits without a leading zero (the key is
 * the digits). Only such text can equal a key taken from a number: DNO entries, inventory numbers.
 */
export const PLAIN_E164 = /^\+[1-9]\d{0,14}$/;

/**
 * Numeric key of a phone number for distinct counting: E.164 digits fit exactly in a double
 * (15 digits < 2^53). Text kept verbatim (invalid numbers) hashes into a separate range above.
 */
export function numberKey(value: string): number {
  const len = value.length;
  if (len >= 2 && len <= 16 && value.charCodeAt(0) === 43) {
    let v = 0;
    let ok = true;
    for (let i = 1; i < len; i++) {
      const c = value.charCodeAt(i) - 48;
      if (c < 0 || c > 9) {
        ok = false;
        break;
      }
      v = v * 10 + c;
    }
    if (ok) return v;
  }
  let h = 0x811c9dc5;
  for (let i = 0; i < len; i++) h = Math.imul(h ^ value.charCodeAt(i), 16777619);
  return 1e15 + (h >>> 0);
}
