import { normalizeNumber } from '../cdr/phone.ts';
import type { Application } from './application.ts';
import { lastFour } from './check-reason.ts';
import { parseIpRange, rangeContains } from './cidr.ts';

/**
 * What a customer declared at onboarding, held against what its traffic shows: calls from source
 * IPs outside its declared addresses, or with calling numbers outside its declared (LOA-backed)
 * numbers (volume far above the declared peak is the VOLUME_ABOVE_DECLARED detection rule). Pure
 * functions a detection rule calls with an hour's observations;
 * each returns the observed value, the threshold and a sentence, as a finding's reason does.
 */
export const DECLARED_POLICY = {
  /** share of the hour's calls from undeclared IPs or numbers that makes a reason */
  undeclaredShare: 0.1,
} as const;

export interface DeclaredTraffic {
  ipRanges: ReturnType<typeof parseIpRange>[];
  numbers: Set<string>;
  peakPerHour: number;
}

export function declaredTraffic(app: Application): DeclaredTraffic {
  return {
    ipRanges: app.originating_ips.map(parseIpRange).filter((r) => r !== null),
    numbers: new Set(app.telephone_numbers.map((t) => normalizeNumber(t.number).value)),
    peakPerHour: app.expected_volume.peak_per_hour,
  };
}

export interface DeclaredReason {
  code: 'UNDECLARED_SOURCE_IP' | 'UNDECLARED_CALLING_NUMBER';
  observed: number;
  threshold: number;
  detail: string;
}

/** Calls per source IP in the hour -> a reason when too many came from outside the declared ranges. */
export function undeclaredSourceIps(
  declared: DeclaredTraffic,
  callsByIp: ReadonlyMap<string, number>,
): DeclaredReason | null {
  let total = 0;
  let outside = 0;
  const examples: string[] = [];
  for (const [ip, calls] of callsByIp) {
    total += calls;
    if (ip === '' || declared.ipRanges.some((r) => r !== null && rangeContains(r, ip))) continue;
    outside += calls;
    if (examples.length < 3) examples.push(ip);
  }
  const share = total === 0 ? 0 : outside / total;
  if (share < DECLARED_POLICY.undeclaredShare) return null;
  return {
    code: 'UNDECLARED_SOURCE_IP',
    observed: share,
    threshold: DECLARED_POLICY.undeclaredShare,
    detail: `${Math.round(share * 100)}% of ${total} calls came from addresses the customer did not declare (${examples.join(', ')})`,
  };
}

/** Calls per calling number (E.164) in the hour -> a reason when too many used undeclared numbers. */
export function undeclaredCallingNumbers(
  declared: DeclaredTraffic,
  callsByNumber: ReadonlyMap<string, number>,
): DeclaredReason | null {
  let total = 0;
  let outside = 0;
  const examples: string[] = [];
  for (const [number, calls] of callsByNumber) {
    total += calls;
    if (declared.numbers.has(number)) continue;
    outside += calls;
    if (examples.length < 3) examples.push(lastFour(number));
  }
  const share = total === 0 ? 0 : outside / total;
  if (declared.numbers.size === 0 || share < DECLARED_POLICY.undeclaredShare) return null;
  return {
    code: 'UNDECLARED_CALLING_NUMBER',
    observed: share,
    threshold: DECLARED_POLICY.undeclaredShare,
    detail: `${Math.round(share * 100)}% of ${total} calls used calling numbers outside the declared and LOA-backed ones (${examples.join(', ')})`,
  };
}
