import { lastFour } from './check-reason.ts';
import type { Dossier } from './dossier.ts';

interface HistoryLine {
  seq: number;
  at: string;
  actor: { role: string; id: string };
  action: string;
  reason: string;
}

/** A dossier as a reviewer reads it; the ID number keeps its last four characters (`--json` has it all). */
export function renderDossier(d: Dossier, history: HistoryLine[]): string {
  const app = d.application;
  const a = app.address;
  const lines = [
    `Application ${d.applicationId} (customer ${d.customerId}), submitted ${d.submittedAt} by ${d.submittedBy}`,
    `Status: ${d.awaitingStage ? `waiting for the ${d.awaitingStage} review` : d.status}${d.outcome ? ` (${d.outcome.why})` : ''}`,
    '',
    `Legal name: ${app.legal_name}${app.dba ? ` (DBA ${app.dba})` : ''}`,
    `Address: ${a.street}, ${a.city}, ${a.region} ${a.postal_code}, ${a.country}`,
    `ID number: ${lastFour(app.id_number)}   Alternate phone: ${lastFour(app.alternate_phone)}`,
    `Contact: ${app.contact.name} <${app.contact.email}>`,
    `Traffic: ${app.traffic_profile}, ${app.intended_use.join(', ')}; ${app.expected_volume.calls_per_day} calls/day, peak ${app.expected_volume.peak_per_hour}/h`,
    `Originating IPs: ${app.originating_ips.join(', ') || 'none declared'}`,
    `Numbers: ${app.telephone_numbers.length}${app.provider ? `; provider, RMD ${app.rmd?.rmd_number}` : ''}`,
    '',
  ];
  if (d.assessment) {
    // a barred application was never put to a reviewer: no approval is required of anyone
    lines.push(
      d.assessment.barred
        ? `Risk: ${d.assessment.risk}; refused without review: ${d.assessment.barred}`
        : `Risk: ${d.assessment.risk}${d.assessment.executiveBecause.length ? `; executive approval required (${d.assessment.executiveBecause.join(', ')})` : ''}`,
    );
    for (const r of d.assessment.reasons) lines.push(`  ${r.risk.toUpperCase()} ${r.code}: ${r.detail}`);
    if (d.assessment.reasons.length === 0) lines.push('  no check raised anything');
    lines.push('');
  }
  for (const [stage, decision] of [
    ['Analyst', d.analyst],
    ['Executive', d.executive],
  ] as const) {
    if (decision)
      lines.push(
        `${stage}: ${decision.decision} by ${decision.decidedBy} at ${decision.at}: ${decision.reason}`,
      );
  }
  for (const r of d.refusals) lines.push(`Refused ${r.stage} decision by ${r.by} at ${r.at}: ${r.why}`);
  if (history.length) {
    lines.push('', 'Audit history:');
    for (const h of history)
      lines.push(`  ${h.seq}. ${h.at} ${h.actor.role}:${h.actor.id} ${h.action}: ${h.reason}`);
  }
  return `${lines.join('\n')}\n`;
}
