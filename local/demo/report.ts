import type { CaseRecord } from '../../shared/cases/model.ts';
import { type Finding, SEVERITIES, severityRank } from '../../shared/detect/finding.ts';
import { windowText } from '../../shared/detect/format.ts';
import type { TracebackRecord } from '../../shared/traceback/record.ts';
import type { TappedMessage } from './taps.ts';

/**
 * What `npm start` shows after the sample day went through the pipeline: the findings published on
 * ComplianceEvents (worst per customer, reasons in words), what on-call received, the cases waiting
 * for review and the traceback answers, then the commands to act on them.
 */
const MAX_CUSTOMERS = 15;
const MAX_ALERTS = 8;

/** The findings among the ComplianceEvents messages (other events and unreadable bodies skipped). */
function findingsOf(events: TappedMessage[]): Finding[] {
  const findings: Finding[] = [];
  for (const m of events) {
    try {
      const f: Finding & { type?: string } = JSON.parse(m.body);
      if (f.type === 'finding') findings.push(f);
    } catch {
      // not JSON: not a finding
    }
  }
  return findings;
}

/** The worst finding of each group (the highest severity, then the highest score). */
function worstBy(findings: Finding[], group: (f: Finding) => string): Finding[] {
  const best = new Map<string, Finding>();
  for (const f of findings) {
    const have = best.get(group(f));
    if (
      !have ||
      severityRank(f.severity) > severityRank(have.severity) ||
      (f.severity === have.severity && f.score > have.score)
    ) {
      best.set(group(f), f);
    }
  }
  return [...best.values()].sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity) || b.score - a.score,
  );
}

/** ", for 15 customers (at most 2 per customer: C905 2, ...)": how well the episode policy held. */
function alertsPerCustomer(alerts: TappedMessage[]): string {
  const per = new Map<string, number>();
  for (const a of alerts) {
    const customer = a.attributes.customer_id;
    if (customer) per.set(customer, (per.get(customer) ?? 0) + 1);
  }
  if (per.size === 0) return '';
  const most = Math.max(...per.values());
  const top = [...per]
    .filter(([, n]) => n === most)
    .map(([c]) => c)
    .sort()
    .slice(0, 5);
  return ` for ${per.size} customer(s), at most ${most} per customer (${top.join(', ')}${top.length < [...per.values()].filter((n) => n === most).length ? ', ...' : ''})`;
}

export function renderReport(input: {
  events: TappedMessage[];
  alerts: TappedMessage[];
  cases: CaseRecord[];
  tracebacks: TracebackRecord[];
}): string {
  const out: string[] = [];
  const findings = findingsOf(input.events);
  // a customer-hour (or day) raised from high to critical is published twice: counted once, at its highest
  const windows = worstBy(findings, (f) => `${f.customer_id} ${f.window_start} ${f.window_end}`);
  const bySeverity = SEVERITIES.map((s) => `${windows.filter((f) => f.severity === s).length} ${s}`)
    .reverse()
    .join(', ');
  const worst = worstBy(findings, (f) => f.customer_id);
  out.push(
    `\n== Findings published on ComplianceEvents: ${findings.length} for ${windows.length} customer-hour(s) or -day(s) (at their highest ${bySeverity}) for ${worst.length} customer(s)`,
  );
  for (const f of worst.slice(0, MAX_CUSTOMERS)) {
    out.push(
      `  ${f.severity.toUpperCase().padEnd(8)} ${String(f.score).padStart(3)}  ${f.customer_id.padEnd(6)} ${windowText(f.window_start, f.window_end)}  ${f.metrics.calls} calls`,
    );
    for (const r of f.reasons) out.push(`             - ${r.code}: ${r.detail}`);
  }
  if (worst.length > MAX_CUSTOMERS) out.push(`  ... and ${worst.length - MAX_CUSTOMERS} more customers`);

  out.push(`\n== On-call received ${input.alerts.length} alert(s)${alertsPerCustomer(input.alerts)}`);
  for (const a of input.alerts.slice(0, MAX_ALERTS))
    out.push(`  ${a.attributes.subject ?? a.body.split('\n')[0].slice(0, 110)}`);
  if (input.alerts.length > MAX_ALERTS) out.push(`  ... and ${input.alerts.length - MAX_ALERTS} more`);

  out.push(`\n== Cases open: ${input.cases.length}`);
  for (const c of input.cases) {
    const waiting = c.awaitingStage ? `waiting for ${c.awaitingStage} review` : c.status;
    const critical = c.critical?.critical ? ' (critical: customer suspended at once)' : '';
    out.push(`  ${c.caseId}  ${c.customerId.padEnd(6)} ${c.severity.padEnd(8)} ${waiting}${critical}`);
  }

  out.push(`\n== Traceback requests: ${input.tracebacks.length}`);
  for (const t of input.tracebacks) {
    const m = t.answer?.matches?.[0];
    const what =
      t.status !== 'answered'
        ? `open, due ${t.deadline}`
        : m
          ? `found: customer ${m.customer_id}, trunk ${m.trunk_id}, switch ${m.switch_id}, call ${m.call_id}`
          : t.answer?.searched?.batches === 0
            ? 'not found: no batch of its time was on record, nothing searched'
            : 'not found on our network';
    out.push(`  ${t.tracebackId}  ${what}`);
  }

  out.push(
    '\nAct on them from another shell (the CLI finds this stack through .data/endpoints.json, or the data folder TRACEGUARD_DATA_DIR names):',
  );
  out.push('  npx traceguard cases list');
  out.push('  npx traceguard cases show <case-id>');
  out.push('  npx traceguard cases decide <case-id> --decision terminate --reason "..." --as analyst-alice');
  out.push('  npx traceguard cases decide <case-id> --decision terminate --reason "..." --as exec-bob');
  out.push('  npx traceguard customers status <customer-id>');
  out.push('  npx traceguard audit verify');
  out.push('  npx traceguard traceback list');
  return `${out.join('\n')}\n`;
}
