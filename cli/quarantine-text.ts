import type { BatchQuarantine, QuarantinePart } from '../shared/aws/quarantine-objects.ts';
import { isDeliveryFailure } from '../shared/ingest/delivery-failure-reason.ts';
import { maskPhoneNumbers, maskQuarantinedRow } from '../shared/privacy/mask-numbers.ts';
import { terminalSafe } from './terminal-text.ts';

/** What ingest wrote, as a terminal shows it: phone numbers masked, control characters escaped. */
function safe(text: string): string {
  return terminalSafe(maskPhoneNumbers(text));
}

/** The lines `quarantine show` prints: the latest ingest's rows, then what else is there. */
export function quarantineText(key: string, found: BatchQuarantine): string[] {
  const { parts, earlier, ingest, refused, repeatOf, failure, totals } = found;
  const rows = (list: QuarantinePart[]) => list.reduce((n, p) => n + p.rows.length, 0);
  const objects = (list: QuarantinePart[]) => list.map((p) => terminalSafe(p.object)).join(', ');
  const name = terminalSafe(key);
  const lines: string[] = [];
  if (refused !== null) lines.push(`${name}: refused, none of its calls counted: it ${safe(refused)}`);
  else if (repeatOf !== null)
    lines.push(
      `${name}: a repeat, none of its calls counted again: it holds the calls of s3://${safe(repeatOf)}, which counted them`,
    );
  // a repeat's own unusable rows are quarantined under its key: listed as any batch's
  if (refused === null && parts.length > 0) {
    lines.push(`${name}: ${rows(parts)} row(s) quarantined, in ${objects(parts)}`);
    // numbers masked here as in every terminal line; --json gives the rows as stored
    // the row as the switch wrote it, without the line end a CSV record keeps
    // ids (a customer id of ten digits) stay readable where ingest told which fields hold them
    for (const p of parts)
      for (const row of p.rows) {
        const raw = terminalSafe(maskQuarantinedRow(row.raw.replace(/\r?\n$/, ''), row.ids));
        lines.push(`  line ${row.line}: ${safe(row.reason)}\n    ${raw}`);
      }
    if (ingest === 'processing') lines.push('ingest is still reading the batch: later parts may add rows');
  } else if (refused === null && repeatOf === null)
    lines.push(`${name}: ${noRowsLine(ingest, failure, totals)}`);
  // what an operator checks rows = calls + quarantined with, without reading the manifest by hand
  // a repeat recorded before its rows were (no `repeated`) has no totals of its own to show
  if (totals !== null && refused === null && (repeatOf === null || totals.repeated !== undefined))
    lines.push(doneLine(totals));
  if (earlier.length > 0) lines.push(earlierLine(rows(earlier), objects(earlier), totals));
  return lines;
}

/** What ingest did with a batch none of whose rows it quarantined, as the manifest records it. */
function noRowsLine(
  ingest: BatchQuarantine['ingest'],
  failure: string | null,
  totals: BatchQuarantine['totals'],
): string {
  if (ingest === 'none') return 'no batch under this key in the CDR bucket';
  if (ingest === 'unread') return 'ingest has not read the batch under this key yet';
  if (ingest === 'failed' && failure !== null && isDeliveryFailure(failure))
    return `ingest failed: ${safe(failure)}`;
  if (ingest === 'failed')
    return (
      `ingest failed: it cannot read the batch: ${safe(failure ?? 'no reason recorded')}` +
      ' (its message is retried, then dead-lettered: traceguard dlq list)'
    );
  if (ingest === 'processing') return 'no row quarantined so far (ingest is still reading it)';
  // a batch of no rows had none to use either: a switch's export job writing empty files shows here
  if (totals?.rows === 0)
    return (totals.alreadyCounted ?? 0) > 0
      ? 'no row quarantined: the batch has no rows after those of the earlier upload under this key'
      : 'no row quarantined: the batch has no rows (an empty file, or a header only)';
  return 'no row quarantined (every row was usable)';
}

/**
 * rows = calls + quarantined for the rows this upload added: a file re-uploaded under its key with
 * more rows (a growing Master.csv) is read from where the earlier upload stopped, so the line says
 * how many rows that one read (as counted, and quarantined) and how many the file holds in all, and
 * whether this one read again the earlier upload's last row, held back there for want of a line end.
 * "Counted already", not "counted by it": an earlier upload that was a repeat held calls another
 * batch counted
 */
function doneLine(totals: NonNullable<BatchQuarantine['totals']>): string {
  const repeated = totals.repeated === undefined ? '' : `, ${totals.repeated} by the batch it repeats`;
  const counts = `${totals.calls} call(s) counted${repeated}, ${totals.quarantined} quarantined`;
  const { alreadyCounted = 0, alreadyQuarantined = 0, readAgain = 0 } = totals;
  const before = alreadyCounted + alreadyQuarantined;
  if (before === 0) return `ingest done: ${totals.rows} row(s): ${counts}`;
  const read =
    alreadyQuarantined === 0
      ? 'counted already'
      : `read already (${alreadyCounted} call(s) counted, ${alreadyQuarantined} quarantined)`;
  const again =
    readAgain === 0
      ? ''
      : `; of these, the first ${readAgain} row(s), the last of the earlier upload, were held back there for want of a line end (possibly cut short) and read again here`;
  return (
    `ingest done: ${totals.rows} row(s) after the ${before} of an earlier upload under this key, ${read} ` +
    `(${before + totals.rows} in the file): ${counts}${again}`
  );
}

/**
 * The rows an earlier upload under the key left in quarantine, which this ingest did not write. When
 * the batch there now extends that upload (a growing file, or the same file gzipped), they are about
 * its first rows: rows quarantined then, and the last row of the upload before, held back for want of
 * a line end, which this one read again; otherwise about a batch no longer there.
 */
function earlierLine(rows: number, objects: string, totals: BatchQuarantine['totals']): string {
  const { alreadyCounted = 0, alreadyQuarantined = 0, readAgain = 0 } = totals ?? {};
  const before = alreadyCounted + alreadyQuarantined;
  const first = `about the first ${before + readAgain} row(s) of the batch there now`;
  const counts = `(${alreadyCounted} call(s) counted, ${alreadyQuarantined} quarantined)`;
  const about =
    before === 0
      ? 'not about the batch there now'
      : readAgain === 0
        ? `${first}, which earlier uploads read ${counts} and this one extends`
        : `${first}: ${before} read by earlier uploads ${counts}, then the last ${readAgain} of the upload before, held back for want of a line end (possibly cut short), which this one read again`;
  return `not listed: ${rows} row(s) in ${objects}, left by the ingest of an earlier upload under this key, ${about} (--json lists them under "earlier")`;
}
