import type { FindingsDocument } from '../shared/detect/finding.ts';
import { int, windowText } from '../shared/detect/format.ts';
import { terminalSafe } from './terminal-text.ts';

const COLOR: Record<string, string> = {
  critical: '\x1b[1;31m',
  high: '\x1b[31m',
  medium: '\x1b[33m',
  low: '\x1b[2m',
};

/** The findings as a person reads them on a terminal: worst first, each reason as a sentence. */
export function renderTable(doc: FindingsDocument, color: boolean): string {
  const lines: string[] = [];
  const paint = (sev: string, text: string) => (color ? `${COLOR[sev] ?? ''}${text}\x1b[0m` : text);
  for (const f of doc.findings) {
    const window = windowText(f.window_start, f.window_end);
    // ids and details come from CDRs and reference files: escaped before they reach the terminal
    const who = terminalSafe(`${f.customer_id} (${f.metrics.vetting}, ${f.metrics.traffic_profile})`);
    lines.push(
      `${paint(f.severity, f.severity.toUpperCase().padEnd(8))} ${String(f.score).padStart(3)}  ${who}  ${window}  ${int(Number(f.metrics.calls))} calls`,
    );
    for (const r of f.reasons)
      lines.push(terminalSafe(`           - ${r.code}: ${r.detail} (threshold ${r.threshold})`));
  }
  const bySev = new Map<string, number>();
  for (const f of doc.findings) bySev.set(f.severity, (bySev.get(f.severity) ?? 0) + 1);
  const customers = new Set(doc.findings.map((f) => f.customer_id)).size;
  const sevText = ['critical', 'high', 'medium', 'low'].map((s) => `${bySev.get(s) ?? 0} ${s}`).join(', ');
  const s = doc.summary;
  lines.push('');
  lines.push(
    `${int(doc.findings.length)} findings (${sevText}) for ${int(customers)} customers; ${int(s.batches)} batches, ${int(s.rows)} rows, ${int(s.quarantined)} quarantined`,
  );
  return `${lines.join('\n')}\n`;
}
