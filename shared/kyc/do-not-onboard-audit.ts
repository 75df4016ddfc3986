import { appendAudit } from '../audit/append.ts';
import type { AuditStore } from '../audit/ports.ts';
import { auditRecordSchema } from '../audit/record.ts';
import { customerEntryId } from './do-not-onboard.ts';
import { TRACK_RECORD_STREAM } from './trusted-decision.ts';

/** An enforcement entry of the do-not-onboard list added or removed, as the audit log records it. */
export interface ListChange {
  change: 'added' | 'removed';
  customerId: string;
  source: 'terminated' | 'suspended';
  /** why the entry was added (the termination, the suspension) or removed (the status change) */
  reason: string;
  /** a suspended entry's addition: when the suspension began, so each suspension is recorded once */
  since?: string;
  details?: Record<string, unknown>;
}

/** The last change the chain records of each entry: `<change>@<since>`. */
function lastChanges(records: readonly unknown[]): Map<string, string> {
  const last = new Map<string, string>();
  for (const raw of records) {
    const parsed = auditRecordSchema.safeParse(raw);
    if (!parsed.success || !parsed.data.action.startsWith('do_not_onboard.') || !parsed.data.customerId)
      continue;
    const { entryId, since } = parsed.data.details ?? {};
    // a termination's record written before records named their entry is that customer's termination
    const entry =
      typeof entryId === 'string' ? entryId : customerEntryId('terminated', parsed.data.customerId);
    last.set(entry, `${parsed.data.action}@${since ?? ''}`);
  }
  return last;
}

/**
 * Records an enforcement entry added to or taken off the do-not-onboard list, in the chain that holds
 * the track-record review's actions, once per change: a retried step and a repeated suspension write
 * the entry again, not the record. An addition is recorded unless the chain's last record of that
 * entry is the same addition (a suspended entry: of the same suspension); a removal only after an
 * addition, so a status change that finds no entry (a warning, a reinstatement from a warning)
 * records nothing.
 */
export async function recordListChange(
  audit: AuditStore,
  change: ListChange,
  now: () => Date,
): Promise<void> {
  const entryId = customerEntryId(change.source, change.customerId);
  const action = `do_not_onboard.${change.change}`;
  const last = lastChanges(await audit.list(TRACK_RECORD_STREAM)).get(entryId);
  if (change.change === 'added' && last === `${action}@${change.since ?? ''}`) return;
  if (change.change === 'removed' && !last?.startsWith('do_not_onboard.added@')) return;
  await appendAudit(
    audit,
    TRACK_RECORD_STREAM,
    {
      actor: { role: 'system', id: 'system' },
      action,
      reason: change.reason,
      customerId: change.customerId,
      details: {
        source: change.source,
        entryId,
        ...(change.since ? { since: change.since } : {}),
        ...change.details,
      },
    },
    now,
  );
}
