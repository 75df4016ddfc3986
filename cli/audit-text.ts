import { auditRecordSchema } from '../shared/audit/record.ts';
import { maskPhoneNumbers } from '../shared/privacy/mask-numbers.ts';
import { terminalSafe } from './terminal-text.ts';

/** A detail value longer than this is cut: the line is a summary, `--json` has the record whole. */
const DETAIL_CHARS = 80;

/**
 * One line per record of `audit show`: sequence, time, who, what, why, and the customer, case and
 * details it names. Reasons and details come from people and CDRs: phone numbers masked, control
 * characters escaped. A record that does not parse is shown as such (`audit verify` names why).
 */
export function auditRecordLine(raw: unknown): string {
  const parsed = auditRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const seq = (raw as { seq?: unknown } | null)?.seq;
    return `#${typeof seq === 'number' ? seq : '?'} malformed record: traceguard audit verify says why`;
  }
  const r = parsed.data;
  const about = [r.customerId ? `customer ${r.customerId}` : '', r.caseId ? `case ${r.caseId}` : ''].filter(
    Boolean,
  );
  const details = Object.entries(r.details ?? {})
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]) => `${key} ${detailText(value)}`);
  const line =
    `#${r.seq} ${r.at} ${r.actor.role}:${r.actor.id} ${r.action}: ${r.reason}` +
    (about.length ? ` [${about.join(', ')}]` : '') +
    (details.length ? ` (${details.join('; ')})` : '');
  return terminalSafe(maskPhoneNumbers(line));
}

function detailText(value: unknown): string {
  const text =
    typeof value === 'string'
      ? value
      : Array.isArray(value) && value.every((v) => typeof v !== 'object')
        ? value.join(',')
        : JSON.stringify(value);
  return text.length > DETAIL_CHARS ? `${text.slice(0, DETAIL_CHARS - 1)}…` : text;
}

/**
 * `--since`: an ISO 8601 date (midnight UTC) or time; the records appended at or after it are shown.
 * Null when the text is neither.
 */
export function parseSince(text: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) return null;
  // a date is midnight UTC, and so is a time without a zone: the records' times are UTC
  const iso = text.length === 10 ? `${text}T00:00:00` : text.replace(' ', 'T');
  const at = new Date(/(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`);
  return Number.isNaN(at.getTime()) ? null : at;
}
