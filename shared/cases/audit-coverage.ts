import { counted } from '../detect/format.ts';
import type { CaseRecord } from './model.ts';

/**
 * What a case record says its audit stream must hold, beyond the hash chain itself: a record of each
 * decision and each refused decision it keeps, and `case.closed` last once it is closed. Records
 * deleted from the end of a stream leave a shorter chain whose hashes all hold; the case record,
 * kept in another table, still says what happened. Returns what is missing, or null.
 */
export function missingFromCaseAudit(record: CaseRecord, actions: readonly string[]): string | null {
  const decided = actions.filter((a) => a === 'decision.analyst' || a === 'decision.executive').length;
  if (decided < record.decisions.length)
    return `the case holds ${counted(record.decisions.length, 'decision')}, its audit stream ${decided}`;
  const refused = actions.filter((a) => a === 'decision.refused').length;
  if (refused < record.refusals.length)
    return `the case holds ${counted(record.refusals.length, 'refused decision')}, its audit stream ${refused}`;
  if (record.status === 'closed' && actions.at(-1) !== 'case.closed')
    return `the case is closed, its audit stream ends with ${actions.at(-1) ?? 'nothing'} instead of case.closed`;
  return null;
}
