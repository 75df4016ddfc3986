import { isInvalidCallingClass } from '../cdr/nanp.ts';
import { normalizeNumber } from '../cdr/phone.ts';
import type { Application } from './application.ts';
import { type CheckReason, lastFour } from './check-reason.ts';

/** Who holds a number (customer ids): by the number inventory, or by what customers declared. */
export type NumberHolders = (e164: string) => readonly string[];

/**
 * The telephone numbers an applicant will call from: each must be a valid number, not on the
 * Do-Not-Originate list, and not held by another customer. Held means in another customer's number
 * inventory (the carrier's own record: high), or declared by another customer when it was onboarded
 * (medium: that is its claim, with its letter of authorization; a vendor calling for a client declares
 * the client's numbers, so an analyst compares the two proofs). `own` are the ids the applicant is
 * known by: its own numbers are no one else's.
 */
export function checkNumbers(
  app: Application,
  deps: { dno: ReadonlySet<string>; holders: NumberHolders; declaredBy: NumberHolders },
  own: ReadonlySet<string>,
): CheckReason[] {
  const reasons: CheckReason[] = [];
  for (const { number, loa_reference } of app.telephone_numbers) {
    const n = normalizeNumber(number);
    if (!n.value.startsWith('+') || isInvalidCallingClass(n.cls)) {
      reasons.push({
        code: 'NUMBER_INVALID',
        risk: 'high',
        detail: `telephone number ${lastFour(number)} is not a valid number (${n.cls})`,
        evidence: { number: lastFour(number), class: n.cls, loa_reference },
      });
      continue;
    }
    if (deps.dno.has(n.value)) {
      reasons.push({
        code: 'NUMBER_ON_DNO',
        risk: 'high',
        detail: `telephone number ${lastFour(n.value)} is on the Do-Not-Originate list`,
        evidence: { number: lastFour(n.value), loa_reference },
      });
    }
    const others = (holders: NumberHolders) => holders(n.value).filter((c) => !own.has(c));
    const held = others(deps.holders);
    const declared = others(deps.declaredBy);
    if (held.length > 0 || declared.length > 0) {
      const by = [
        ...(held.length > 0 ? [`is held by customer ${held.join(', ')} (number inventory)`] : []),
        ...(declared.length > 0 ? [`was declared by customer ${declared.join(', ')} when onboarded`] : []),
      ];
      reasons.push({
        code: 'NUMBER_HELD_BY_OTHER',
        risk: held.length > 0 ? 'high' : 'medium',
        detail: `telephone number ${lastFour(n.value)} ${by.join(' and ')}`,
        evidence: { number: lastFour(n.value), held_by: held, declared_by: declared, loa_reference },
      });
    }
  }
  return reasons;
}
