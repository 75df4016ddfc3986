import { isoUtc } from '../cdr/time.ts';
import type { Customer } from './customers.ts';
import type { Severity } from './finding.ts';
import { counted, int, pct, plural } from './format.ts';
import type { FiredReason } from './rules/evaluate.ts';
import type { WindowAggregate } from './window.ts';

/**
 * Regulatory rules that no policy can relax: a PSTN call from a Do-Not-Originate number (47 CFR
 * 64.1200(o)) or from an invalid caller ID must never have been accepted, so even one call fires.
 * Volume decides how severe it is: any DNO call is at least `high`; invalid caller IDs are `medium`
 * at most below 10 calls (a handful of extensions leaking to the PSTN is a switch to fix, not a
 * robocaller), `high` from 10 calls. A customer the carrier suspended or terminated must send no
 * calls at all after that (CALLS_AFTER_ENFORCEMENT): any one shows the block did not take at the
 * switch (or a trunk was left open), which a regulator would ask about before anything else.
 */
export interface HardReason extends FiredReason {
  minSeverity: Severity;
}

/** Calls from which invalid caller IDs are `high` on their own. */
export const INVALID_HIGH_CALLS = 10;

function band(
  count: number,
  share: number,
  critical: { count: number; share: number },
  highFromCount: number,
  floor: Severity,
): Severity {
  if (count >= critical.count && share >= critical.share) return 'critical';
  if (count >= highFromCount) return 'high';
  return floor;
}

/**
 * The hour's PSTN calls placed after the customer was suspended or terminated: all of them when the
 * hour's first PSTN call came after, else at least one when its last did (the window's first and
 * last calls are its PSTN calls': an emergency call, never blocked, neither counts nor hides the calls
 * after it); null when none is known to have come after, or the customer is not blocked.
 */
function callsAfterEnforcement(
  w: WindowAggregate,
  customer: Customer,
): { calls: number; all: boolean; sinceMs: number } | null {
  if (customer.status !== 'suspended' && customer.status !== 'terminated') return null;
  const changedMs = Date.parse(customer.status_changed_at ?? '');
  // a customer suspended, then terminated: its calls had to stop at the suspension
  const blockedMs = Date.parse(customer.blocked_since ?? '');
  const sinceMs = Number.isNaN(blockedMs) ? changedMs : Math.min(blockedMs, changedMs);
  if (Number.isNaN(sinceMs) || w.attempts === 0) return null;
  if (w.firstMs >= sinceMs) return { calls: w.attempts, all: true, sinceMs };
  if (w.lastMs >= sinceMs) return { calls: 1, all: false, sinceMs };
  return null;
}

/**
 * When the customer's calls had to stop, in words: its suspension, and the termination after it
 * (`terminatedMs`, NaN for a customer not terminated).
 */
function blockedWhen(status: 'suspended' | 'terminated', sinceMs: number, terminatedMs: number): string {
  if (!(sinceMs < terminatedMs)) return `${status} (${isoUtc(sinceMs)})`;
  return status === 'terminated'
    ? `suspended (${isoUtc(sinceMs)}), the last of them after it was terminated (${isoUtc(terminatedMs)})`
    : `suspended (${isoUtc(sinceMs)}; terminated since ${isoUtc(terminatedMs)})`;
}

export function evaluateHardRules(w: WindowAggregate, customer: Customer): HardReason[] {
  const out: HardReason[] = [];
  const after = callsAfterEnforcement(w, customer);
  if (after) {
    // calls only between a suspension and the termination after it are calls after a suspension
    const terminatedMs =
      customer.status === 'terminated' ? Date.parse(customer.status_changed_at ?? '') : Number.NaN;
    const status = w.lastMs < terminatedMs ? 'suspended' : (customer.status as 'suspended' | 'terminated');
    const calls = after.all
      ? counted(after.calls, 'call')
      : `calls until ${isoUtc(w.lastMs)} (at least one of the hour's ${int(w.attempts)})`;
    out.push({
      code: 'CALLS_AFTER_ENFORCEMENT',
      observed: after.calls,
      threshold: 0,
      detail: `${calls} reached the PSTN after the customer was ${blockedWhen(status, after.sinceMs, terminatedMs)}; its traffic should have been blocked at the switch`,
      weight: 70,
      excess: 1,
      volume: 1,
      minSeverity: status === 'terminated' ? 'critical' : 'high',
    });
  }
  if (w.callingDno > 0) {
    const share = w.callingDno / w.attempts;
    out.push({
      code: 'DNO_CALLING_NUMBER',
      observed: w.callingDno,
      threshold: 0,
      detail: `${counted(w.callingDno, 'call')} (${pct(share)}) used ${plural(w.callingDno, 'a caller ID', 'caller IDs')} on the Do-Not-Originate list; ${plural(w.callingDno, 'it', 'each')} should have been blocked`,
      weight: 70,
      excess: 1,
      volume: 1,
      minSeverity: band(w.callingDno, share, { count: 10, share: 0.05 }, 1, 'high'),
    });
  }
  if (w.callingInvalid > 0) {
    const share = w.callingInvalid / w.attempts;
    out.push({
      code: 'INVALID_CALLING_NUMBER',
      observed: w.callingInvalid,
      threshold: 0,
      detail: `${counted(w.callingInvalid, 'call')} (${pct(share)}) reached the PSTN with ${plural(w.callingInvalid, 'a caller ID', 'caller IDs')} that cannot exist in the numbering plan (extension, bad area code or exchange, wrong length, letters, reserved fictitious numbers); the switch should have blocked ${plural(w.callingInvalid, 'it', 'them')}`,
      weight: 60,
      excess: Math.min(1, share * 5),
      // below INVALID_HIGH_CALLS the strength stays under 60: medium at most on its own
      volume: Math.min(1, w.callingInvalid / INVALID_HIGH_CALLS),
      minSeverity: band(w.callingInvalid, share, { count: 50, share: 0.2 }, INVALID_HIGH_CALLS, 'medium'),
    });
  }
  return out;
}
