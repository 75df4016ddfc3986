import type { Severity } from './finding.ts';
import { int, pct } from './format.ts';
import type { FiredReason } from './rules.ts';
import type { WindowAggregate } from './window.ts';

/**
 * Regulatory rules that no policy can relax: a call from a Do-Not-Originate number (47 CFR
 * 64.1200(o)) or from an invalid caller ID must never have been accepted, so even one call fires.
 * Volume only decides how severe it is.
 */
export interface HardReason extends FiredReason {
  minSeverity: Severity;
}

function band(
  count: number,
  share: number,
  critical: { count: number; share: number },
  high: { count: number; share: number },
  floor: Severity,
): Severity {
  if (count >= critical.count && share >= critical.share) return 'critical';
  if (count >= high.count || share >= high.share) return 'high';
  return floor;
}

export function evaluateHardRules(w: WindowAggregate): HardReason[] {
  const out: HardReason[] = [];
  if (w.callingDno > 0) {
    const share = w.callingDno / w.attempts;
    out.push({
      code: 'DNO_CALLING_NUMBER',
      observed: w.callingDno,
      threshold: 0,
      detail: `${int(w.callingDno)} calls (${pct(share)}) used caller IDs on the Do-Not-Originate list; each should have been blocked`,
      weight: 70,
      excess: 1,
      minSeverity: band(w.callingDno, share, { count: 10, share: 0.05 }, { count: 1, share: 0 }, 'high'),
    });
  }
  if (w.callingInvalid > 0) {
    const share = w.callingInvalid / w.attempts;
    out.push({
      code: 'INVALID_CALLING_NUMBER',
      observed: w.callingInvalid,
      threshold: 0,
      detail: `${int(w.callingInvalid)} calls (${pct(share)}) used caller IDs that cannot exist in the numbering plan (bad area code or exchange, wrong length, letters)`,
      weight: 60,
      excess: Math.min(1, share * 5),
      minSeverity: band(
        w.callingInvalid,
        share,
        { count: 50, share: 0.2 },
        { count: 10, share: 0.05 },
        'medium',
      ),
    });
  }
  return out;
}
