import { counted } from '../detect/format.ts';
import { evidenceFinding, joinedAfterEvidence } from './evidence.ts';
import type { CaseRecord, Evidence } from './model.ts';
import { redactPhoneNumbers } from './redact.ts';
import { describeDecision } from './transitions.ts';

interface HistoryLine {
  seq: number;
  at: string;
  actor: { role: string; id: string };
  action: string;
  reason: string;
}

function findingLines(f: Evidence['findings'][number]): string[] {
  return [
    `  ${f.window.start} .. ${f.window.end}  ${f.severity} score ${f.score}  batch ${f.batch ?? '-'}`,
    ...f.reasons.map((r) => `    ${r.code}: ${r.detail ?? `observed ${r.observed} vs ${r.threshold}`}`),
    `    metrics ${JSON.stringify(f.metrics)}`,
    `    ${counted(f.exampleCalls.length, 'example call')}`,
  ];
}

/** The text `traceguard cases show` prints: what an analyst needs to decide, numbers masked. */
export function renderCase(record: CaseRecord, history: HistoryLine[]): string {
  const out: string[] = [];
  out.push(`Case ${record.caseId}  customer ${record.customerId}  severity ${record.severity}`);
  out.push(
    `Status ${record.status}${record.awaitingStage ? ` (waiting for the ${record.awaitingStage} review)` : ''}`,
  );
  out.push(`Opened ${record.openedAt}${record.closedAt ? `, closed ${record.closedAt}` : ''}`);
  if (record.critical?.critical) out.push(`CRITICAL: ${record.critical.why.join('; ')}`);
  const e = record.evidence;
  if (e) {
    const c = e.customer;
    // a snapshot: the case's own steps (a suspension at once) change the status after it was taken
    out.push('', `Customer (as the evidence found it, ${e.gatheredAt})`);
    out.push(
      `  ${c.name ?? '(not in registry)'}; vetting ${c.vetting}; profile ${c.trafficProfile ?? '-'}; status then ${c.status}`,
    );
    out.push(
      `  onboarded ${c.onboardedAt ?? 'unknown'}${c.ageDays !== null ? ` (${counted(c.ageDays, 'day')} ago)` : ''}`,
    );
    out.push('', 'Findings');
    for (const f of e.findings) out.push(...findingLines(f));
    out.push(`Attestation mix (example calls): ${JSON.stringify(e.attestationMix)}`);
    out.push(
      `Tracebacks: ${e.tracebacks.total} on record, ${e.tracebacks.inLast365Days} in the last year ${e.tracebacks.ids.join(' ')}`,
    );
    out.push(`Evidence digest ${record.evidenceDigest}`);
    const later = joinedAfterEvidence(record);
    if (later.length) {
      out.push('', `Joined after the evidence was gathered (${later.length}; not in its digest)`);
      for (const t of later) {
        if (t.type === 'finding') out.push(...findingLines(evidenceFinding(t)));
        else
          out.push(`  traceback ${String(t.event.traceback_id)} (severity ${t.severity}), ${t.receivedAt}`);
      }
    }
  } else {
    out.push('', `Evidence not gathered yet; ${counted(record.triggers.length, 'event')} attached`);
  }
  if (record.decisions.length) {
    out.push('', 'Decisions');
    for (const d of record.decisions)
      out.push(`  ${d.at} ${d.stage} ${d.decidedBy}: ${describeDecision(d)} - ${d.reason}`);
  }
  if (record.refusals.length) {
    out.push('', 'Refused');
    for (const r of record.refusals) out.push(`  ${r.at} ${r.stage} ${r.by}: ${r.why}`);
  }
  if (record.failure)
    out.push('', `FAILED ${record.failure.at}: ${record.failure.error} ${record.failure.cause}`);
  if (history.length) {
    out.push('', 'History (audit trail)');
    for (const h of history)
      out.push(`  #${h.seq} ${h.at} ${h.actor.role}:${h.actor.id} ${h.action} - ${h.reason}`);
  }
  return `${redactPhoneNumbers(out.join('\n'))}\n`;
}
