import { isInvalidCallingClass } from '../cdr/nanp.ts';
import { normalizeNumber } from '../cdr/phone.ts';
import { parseIpRange } from '../net/ip-range.ts';
import type { Application } from './application.ts';
import { type CheckReason, lastFour } from './check-reason.ts';

/**
 * What the applicant declared, checked for consistency and plausible shape: a high-volume or
 * marketing customer must say where its calls come from; addresses and phones must look real.
 */
export const DECLARATION_POLICY = {
  /** at or above either, a customer is high-volume and gets executive review */
  highVolumeCallsPerDay: 10_000,
  highVolumePeakPerHour: 2_000,
  /** declaring an IPv4 block wider than this (or IPv6 wider than /48) says little about the origin */
  widestIpv4Prefix: 24,
  widestIpv6Prefix: 48,
} as const;

export function isHighVolume(app: Application): boolean {
  return (
    app.expected_volume.calls_per_day >= DECLARATION_POLICY.highVolumeCallsPerDay ||
    app.expected_volume.peak_per_hour >= DECLARATION_POLICY.highVolumePeakPerHour
  );
}

export function isMarketing(app: Application): boolean {
  return app.intended_use.includes('marketing') || app.intended_use.includes('political');
}

const US_POSTAL = /^\d{5}(?:-?\d{4})?$/;
const CA_POSTAL = /^[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d$/;
const PO_BOX = /\b(?:p\.?\s*o\.?\s*box|post\s+office\s+box|pmb)\b/i;

function addressShape(app: Application): string | null {
  const { address } = app;
  if (PO_BOX.test(address.street)) return 'the physical address is a post office or mailbox box';
  if (!/\d/.test(address.street)) return 'the street address has no building number';
  if (address.country === 'US' && !US_POSTAL.test(address.postal_code))
    return 'the US ZIP code is not 5 or 9 digits';
  if (address.country === 'CA' && !CA_POSTAL.test(address.postal_code))
    return 'the Canadian postal code is not A1A 1A1';
  return null;
}

export function checkDeclarations(app: Application): CheckReason[] {
  const reasons: CheckReason[] = [];
  if ((isHighVolume(app) || isMarketing(app)) && app.originating_ips.length === 0) {
    reasons.push({
      code: 'NO_ORIGINATING_IPS',
      risk: 'high',
      detail: `${isHighVolume(app) ? 'high-volume' : 'marketing'} customer declares no originating IP addresses`,
      evidence: { expected_volume: app.expected_volume, intended_use: app.intended_use },
    });
  }
  for (const text of app.originating_ips) {
    const range = parseIpRange(text);
    if (!range) {
      reasons.push({
        code: 'IP_INVALID',
        risk: 'medium',
        detail: `originating address '${text.slice(0, 50)}' is neither an IP address nor a CIDR block`,
        evidence: { value: text.slice(0, 50) },
      });
      continue;
    }
    const widest =
      range.version === 4 ? DECLARATION_POLICY.widestIpv4Prefix : DECLARATION_POLICY.widestIpv6Prefix;
    if (range.prefix < widest) {
      reasons.push({
        code: 'IP_RANGE_TOO_WIDE',
        risk: 'medium',
        detail: `originating block ${text} is wider than /${widest}: it does not say where calls come from`,
        evidence: { value: text, prefix: range.prefix },
      });
    }
  }
  const shape = addressShape(app);
  if (shape) {
    reasons.push({
      code: 'ADDRESS_SHAPE',
      risk: 'medium',
      detail: shape,
      evidence: { city: app.address.city, region: app.address.region, country: app.address.country },
    });
  }
  const phone = normalizeNumber(app.alternate_phone);
  if (!phone.value.startsWith('+') || isInvalidCallingClass(phone.cls)) {
    reasons.push({
      code: 'PHONE_SHAPE',
      risk: 'medium',
      detail: `the alternate phone ${lastFour(app.alternate_phone)} is not a reachable number (${phone.cls})`,
      evidence: { class: phone.cls },
    });
  } else if (app.telephone_numbers.some((t) => normalizeNumber(t.number).value === phone.value)) {
    reasons.push({
      code: 'PHONE_SHAPE',
      risk: 'medium',
      detail:
        'the alternate phone is one of the numbers the traffic will use: it is not an independent contact',
      evidence: { alternate_phone: lastFour(phone.value) },
    });
  }
  return reasons;
}
