import { isInvalidCallingClass } from '../cdr/nanp.ts';
import { normalizeNumber } from '../cdr/phone.ts';
import type { Application } from './application.ts';
import { type CheckReason, lastFour } from './check-reason.ts';

/** Who holds a number today (customer ids), from the number inventory. */
export type NumberHolders = (e164: string) => readonly string[];

/**
 * The telephone numbers an applicant will call from: each must be a valid number, not on the
 * Do-Not-Originate list, and not held by another customer.
 */
export function checkNumbers(
  app: Application,
  deps: { dno: ReadonlySet<string>; holders: NumberHolders },
): CheckReason[] {
  const reasons: CheckReason[] = [];
  const self = app.renewing_customer_id;
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
    const others = deps.holders(n.value).filter((c) => c !== self);
    if (others.length > 0) {
      reasons.push({
        code: 'NUMBER_HELD_BY_OTHER',
        risk: 'high',
        detail: `telephone number ${lastFour(n.value)} is held by customer ${others.join(', ')}`,
        evidence: { number: lastFour(n.value), held_by: others, loa_reference },
      });
    }
  }
  return reasons;
}
