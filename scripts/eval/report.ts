import type { EvalScore } from './score.ts';
import { SEVERITY_COLUMNS } from './score.ts';

export interface EvalResults extends EvalScore {
  rows: { in: number; aggregated: number; quarantined: number; balanced: boolean };
  targets: Record<string, boolean>;
  seconds: { generate: number; total: number };
}

const pct = (x: number | null) => (x === null ? '   -  ' : `${(x * 100).toFixed(1).padStart(5)}%`);

/** The figures as a person reads them in a terminal. */
export function renderReport(r: EvalResults): string {
  const lines: string[] = [];
  lines.push('reason code                        planted  found  recall  precision');
  for (const [code, s] of Object.entries(r.per_code)) {
    lines.push(
      `${code.padEnd(34)} ${String(s.planted).padStart(7)} ${String(s.detected).padStart(6)}  ${pct(s.recall)}  ${pct(s.precision)}`,
    );
  }
  lines.push(
    `${'all (customer, reason) pairs'.padEnd(34)} ${' '.repeat(14)}  ${pct(r.recall)}  ${pct(r.precision)}`,
  );
  lines.push('');
  lines.push(`planted intensity  ${SEVERITY_COLUMNS.map((s) => s.padStart(8)).join('')}`);
  for (const [intensity, row] of Object.entries(r.severity_matrix)) {
    lines.push(`${intensity.padEnd(18)} ${SEVERITY_COLUMNS.map((s) => String(row[s]).padStart(8)).join('')}`);
  }
  lines.push('');
  lines.push(
    `abusive customers at high or above: ${r.abusive_at_high} of ${r.abusive_customers} (${pct(r.abusive_high_share).trim()})`,
  );
  for (const [what, w] of Object.entries(r.abusive_by_what))
    lines.push(`  of them, ${what}: ${w.at_high} of ${w.customers} at high or above`);
  lines.push('below high, by planted code (just past / twice / blatant):');
  for (const [code, b] of Object.entries(r.below_high_by_code)) {
    if (b.below === 0) continue;
    const i = b.by_intensity;
    lines.push(
      `  ${code.padEnd(32)} ${b.below} of ${b.planted} (${i.just_past} / ${i.twice} / ${i.blatant})`,
    );
  }
  lines.push(`legitimate customers at high or above: ${r.legit_at_high.length} of ${r.legit_customers}`);
  for (const l of r.legit_at_high.slice(0, 10))
    lines.push(`  ${l.customer_id} ${l.what}: ${l.severity} (${l.codes.join(', ')})`);
  for (const u of r.unlabelled_customers)
    lines.push(`  not labelled by the corpus: ${u.customer_id}: ${u.severity} (${u.codes.join(', ')})`);
  lines.push(
    `rows in ${r.rows.in} = aggregated ${r.rows.aggregated} + quarantined ${r.rows.quarantined}: ${r.rows.balanced ? 'yes' : 'NO'}`,
  );
  lines.push(
    `targets: ${Object.entries(r.targets)
      .map(([name, ok]) => `${name} ${ok ? 'met' : 'NOT met'}`)
      .join('; ')}`,
  );
  lines.push(`${r.seconds.total} s (corpus ${r.seconds.generate} s)`);
  return `${lines.join('\n')}\n`;
}
