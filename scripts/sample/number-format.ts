import type { Verstat } from './call.ts';

/** The shapes a NANP number takes in real CDRs (docs/input-contract.md). */
export type NumberStyle = 'e164' | 'nanp11' | 'nanp10' | 'pretty' | 'sip' | 'tel';
export const NUMBER_STYLES: readonly NumberStyle[] = ['e164', 'nanp11', 'nanp10', 'pretty', 'sip', 'tel'];

const NANP_E164 = /^\+1\d{10}$/;

/**
 * Writes an E.164 NANP number in the given style. Anything else (planted invalid caller IDs, blank,
 * `anonymous`) is returned verbatim: a switch prints what it received.
 */
export function formatNumber(value: string, style: NumberStyle, host: string, verstat: Verstat = ''): string {
  if (!NANP_E164.test(value)) return value;
  const ten = value.slice(2);
  switch (style) {
    case 'e164':
      return value;
    case 'nanp11':
      return `1${ten}`;
    case 'nanp10':
      return ten;
    case 'pretty':
      return `(${ten.slice(0, 3)}) ${ten.slice(3, 6)}-${ten.slice(6)}`;
    case 'sip':
      return `sip:${value}@${host};user=phone`;
    case 'tel':
      return verstat ? `tel:${value};verstat=${verstat}` : `tel:${value}`;
  }
}
