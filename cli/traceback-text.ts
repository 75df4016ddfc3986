import { counted } from '../shared/detect/format.ts';
import { describeRemaining } from '../shared/traceback/deadline-watch.ts';
import type { TracebackRecord } from '../shared/traceback/record.ts';
import { terminalSafe } from './terminal-text.ts';

/**
 * Columns padded to their widest cell. Cells come from requests and CDRs (requester, campaign,
 * customer and call ids): escaped before they reach the terminal.
 */
export function textTable(rows: string[][], indent = ''): string {
  const safe = rows.map((row) => row.map((cell) => terminalSafe(cell)));
  const widths = safe[0].map((_, i) => Math.max(...safe.map((row) => row[i].length)));
  return safe
    .map(
      (row) =>
        `${indent}${row
          .map((cell, i) => cell.padEnd(widths[i]))
          .join('  ')
          .trimEnd()}`,
    )
    .join('\n');
}

/**
 * `traceguard traceback show`: one request as a person answering it reads it, its status and time
 * left first, then what was searched and found. Phone numbers and the CDR rows are left to `--json`.
 */
export function tracebackSummary(record: TracebackRecord, nowMs: number): string {
  const answer = record.answer;
  const line = (label: string, text: string) => `${label.padEnd(10)} ${terminalSafe(text)}`;
  const lines = [
    line('traceback', `${record.tracebackId}: ${answer ? answer.status : 'open, not answered yet'}`),
  ];
  const dueIn = describeRemaining(Date.parse(record.deadline) - nowMs);
  if (answer && record.answeredAt) {
    const atAnswer = describeRemaining(Date.parse(record.deadline) - Date.parse(record.answeredAt));
    lines.push(
      line(
        'answered',
        `${record.answeredAt} (${atAnswer.endsWith(' left') ? `with ${atAnswer}` : atAnswer})`,
      ),
    );
    lines.push(line('deadline', record.deadline));
  } else lines.push(line('deadline', `${record.deadline} (${dueIn})`));
  lines.push(
    line(
      'received',
      `${record.receivedAt}${record.requester ? ` from ${record.requester}` : ''}${record.campaign ? `, campaign "${record.campaign}"` : ''}`,
    ),
  );
  const switchId = record.request?.switch_id;
  lines.push(line('call time', `${record.callTime}${switchId ? ` (switch ${switchId} only)` : ''}`));
  if (!answer) return `${lines.join('\n')}\n`;

  lines.push(
    line(
      'searched',
      `${counted(answer.searched.batches, 'batch', 'batches')}, calls from ${answer.searched.from} to ${answer.searched.to}`,
    ),
  );
  if (record.customerId)
    lines.push(
      line(
        'customer',
        `${record.customerId}${record.trunkId ? ` on trunk ${record.trunkId}` : ''}${record.repeatCount ? `: traceback ${record.repeatCount} in the review window, severity ${record.severity}` : ''}; ${record.eventPublishedAt ? `escalated ${record.eventPublishedAt}` : answer.same_call_as ? `not escalated again: the call was traced back under ${answer.same_call_as}` : 'not escalated yet'}`,
      ),
    );
  if (record.firstAnswer)
    lines.push(
      line(
        'earlier',
        `answered ${record.firstAnswer.answer.status} at ${record.firstAnswer.answeredAt} over ${counted(record.firstAnswer.answer.searched.batches, 'batch', 'batches')}; searched again when late batches arrived`,
      ),
    );
  lines.push(line('answer', answer.note));
  if (answer.matches.length > 0) {
    lines.push(
      `matches (${answer.searched.matched ?? answer.matches.length}${answer.searched.matched ? `, the ${answer.matches.length} closest listed` : ''}):`,
    );
    lines.push(
      textTable(
        [
          ['START', 'CALL', 'CUSTOMER', 'TRUNK', 'SWITCH', 'ATTEST', 'BATCH:LINE'],
          ...answer.matches.map((m) => [
            m.start_time,
            m.call_id,
            m.customer_id,
            m.trunk_id,
            m.switch_id,
            // null: the switch does not report attestation; '': the call was unsigned
            m.attestation === null ? '-' : m.attestation || 'unsigned',
            `${m.batch}:${m.line}`,
          ]),
        ],
        '  ',
      ),
    );
  }
  lines.push(
    `(the whole record, numbers and CDR rows included: traceguard traceback show ${terminalSafe(record.tracebackId)} --json)`,
  );
  return `${lines.join('\n')}\n`;
}

/**
 * What `traceguard traceback submit` says. A new request: when its answer is due. A request on record
 * under its id (docs/traceback.md: a resubmission gets the answer already on record) says so instead
 * of announcing a new deadline: still open, the deadline of its first receipt; answered, that answer
 * (`sent` is null when it was not sent again: a `found` answer is final); a `not_found` one is sent
 * again, since intake searches it again when batches of its time arrived since.
 */
export function submittedText(
  request: { tracebackId: string; dueAt: string },
  known: TracebackRecord | null,
  sent: { messageId: string } | null,
  nowMs: number,
): string {
  const message = sent ? ` (message ${sent.messageId})` : '';
  const id = terminalSafe(request.tracebackId);
  if (!known) return `submitted traceback ${id}${message}; answer due ${request.dueAt}\n`;
  if (!known.answer)
    return `submitted traceback ${id} again${message}: received first at ${known.receivedAt}, not answered yet; answer due ${known.deadline}\n`;
  const resent = sent
    ? `sent again${message}: it is searched again if batches of its time arrived since`
    : 'not sent again: the answer on record stands';
  return `traceback ${id} was answered ${known.answer.status} at ${known.answeredAt ?? 'an unrecorded time'}; ${resent}. The answer on record:\n${tracebackSummary(known, nowMs)}`;
}
