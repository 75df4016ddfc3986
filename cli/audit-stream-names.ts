import { auditStreams } from '../shared/audit/append.ts';
import type { AuditStore } from '../shared/audit/ports.ts';
import type { CaseStore } from '../shared/cases/ports.ts';
import { UsageError } from './errors.ts';

/**
 * A stream named with --stream that holds no records: a typo, not tampering, unless its head is
 * there (its records were deleted) or it is the stream of a case on record (then the chain is lost,
 * and `audit verify` says so). Refused, naming the streams there are.
 */
export async function refuseUnknownStream(
  stream: string,
  store: Pick<AuditStore, 'list' | 'head' | 'streams'>,
  cases: Pick<CaseStore, 'get'> | null,
): Promise<void> {
  if ((await store.list(stream)).length > 0 || (await store.head(stream))) return;
  const caseId = auditStreams.caseOf(stream);
  if (caseId !== null && cases && (await cases.get(caseId))) return;
  throw new UsageError(`no audit stream '${stream}'; ${describeStreams(await store.streams())}`);
}

/**
 * The streams there are, in one line: names of their own (events, track-record) as they are, and one
 * per case or application (case#<id>, onboarding#<id>) counted, with an example, since there are many.
 */
function describeStreams(known: string[]): string {
  if (known.length === 0) return 'the audit log has no streams yet';
  const single: string[] = [];
  const families = new Map<string, string[]>();
  for (const name of known) {
    const cut = name.indexOf('#');
    if (cut < 0) single.push(name);
    else {
      const prefix = name.slice(0, cut + 1);
      const names = families.get(prefix);
      if (names) names.push(name);
      else families.set(prefix, [name]);
    }
  }
  const counted = [...families].map(([prefix, names]) =>
    names.length === 1 ? names[0] : `${names.length} ${prefix}<id> (such as ${names[0]})`,
  );
  return `the streams are: ${[...single, ...counted].join(', ')}`;
}
