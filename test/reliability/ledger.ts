import { GetObjectCommand } from '@aws-sdk/client-s3';
import { quarantineKeyOf } from '../../shared/ingest/keys.ts';
import { type BatchSpec, cdrBatch, HOUR0 } from '../unit/ingest-cdr-fixtures.ts';
import type { FaultStack } from './fault-stack.ts';

/**
 * What went into the stack (batches with known rows per customer-hour and known bad rows) and the
 * checks that compare it with what the stack holds once it settled: every row counted exactly once
 * (aggregated or quarantined, per batch and in total) and every finding published exactly once.
 * The checks return violations as sentences (empty = guarantee held), so a test can also show that
 * they do catch a broken guarantee.
 */
export interface DroppedBatch {
  key: string;
  body: string;
  /** data lines in the file */
  rows: number;
  /** lines that must end up in quarantine */
  bad: number;
  badCallIds: string[];
  /** `customer|hourMs` -> valid calls of this batch in that window */
  windows: Map<string, number>;
  customers: string[];
  robocallers: string[];
}

export function droppedBatch(key: string, spec: BatchSpec): DroppedBatch {
  const windows = new Map<string, number>();
  const start = spec.startHourMs ?? HOUR0;
  for (let h = 0; h < spec.hours; h++) {
    for (const c of spec.customers) windows.set(`${c}|${start + h * 3_600_000}`, spec.rowsPerWindow);
  }
  const bad = spec.badRows ?? 0;
  return {
    key,
    body: cdrBatch(spec),
    rows: spec.rowsPerWindow * spec.customers.length * spec.hours + bad,
    bad,
    badCallIds: Array.from({ length: bad }, (_, i) => `${spec.idPrefix ?? 'c'}bad-${i}`),
    windows,
    customers: spec.customers,
    robocallers: spec.robocallers ?? [],
  };
}

export interface Settled {
  /** manifest BATCH items by object key */
  manifest: Map<string, Record<string, unknown>>;
  /** `customer|hourMs` -> calls in the customer-level window */
  customerWindows: Map<string, number>;
  /** `customer|hourMs` -> calls summed over that customer's trunk windows */
  trunkWindows: Map<string, number>;
  /** window items still holding a publish claim (a crashed publisher that nobody cleaned up) */
  openClaims: string[];
  quarantine: Map<string, string>;
}

export async function readSettled(fs: FaultStack, batches: DroppedBatch[]): Promise<Settled> {
  const manifest = new Map<string, Record<string, unknown>>();
  for (const item of await fs.scan(fs.table('ManifestTable'))) {
    if (item.sk === 'BATCH') manifest.set(String(item.key), item);
  }
  const customerWindows = new Map<string, number>();
  const trunkWindows = new Map<string, number>();
  const openClaims: string[] = [];
  for (const item of await fs.scan(fs.table('AggregatesTable'))) {
    const sk = String(item.sk);
    if (!sk.startsWith('H#') && !sk.startsWith('T#')) continue;
    const customer = String(item.pk).replace(/^CUST#/, '');
    const key = `${customer}|${Number(item.hourMs)}`;
    const target = sk.startsWith('H#') ? customerWindows : trunkWindows;
    target.set(key, (target.get(key) ?? 0) + Number(item.attempts));
    if (item.claimBy !== undefined) openClaims.push(`${item.pk} ${sk} claimed by ${item.claimBy}`);
  }
  const quarantine = new Map<string, string>();
  for (const b of batches) {
    if (b.bad === 0) continue;
    try {
      const got = await fs.s3.send(
        new GetObjectCommand({ Bucket: fs.bucket, Key: quarantineKeyOf(b.key, 0) }),
      );
      quarantine.set(b.key, (await got.Body?.transformToString()) ?? '');
    } catch {
      // missing: reported by the check
    }
  }
  return { manifest, customerWindows, trunkWindows, openClaims, quarantine };
}

/** Rows in = aggregated + quarantined, per batch and per window, nothing counted twice, nothing lost. */
export function exactlyOnceViolations(batches: DroppedBatch[], settled: Settled): string[] {
  const problems: string[] = [];
  const expected = new Map<string, number>();
  let rowsIn = 0;
  let badIn = 0;
  for (const b of batches) {
    rowsIn += b.rows;
    badIn += b.bad;
    for (const [w, n] of b.windows) expected.set(w, (expected.get(w) ?? 0) + n);
    const m = settled.manifest.get(b.key);
    if (!m) {
      problems.push(`${b.key}: no manifest item (batch never processed)`);
      continue;
    }
    if (m.status !== 'done') problems.push(`${b.key}: manifest status ${String(m.status)}, not done`);
    if (m.rows !== b.rows)
      problems.push(`${b.key}: ${String(m.rows)} rows in the manifest, ${b.rows} in the file`);
    if (Number(m.calls) + Number(m.quarantined) !== b.rows)
      problems.push(
        `${b.key}: calls ${String(m.calls)} + quarantined ${String(m.quarantined)} != ${b.rows} rows`,
      );
    if (m.quarantined !== b.bad)
      problems.push(`${b.key}: ${String(m.quarantined)} quarantined, expected ${b.bad}`);
    if (b.bad > 0) {
      const q = settled.quarantine.get(b.key);
      if (q === undefined) problems.push(`${b.key}: quarantine object missing`);
      else {
        const lines = q.split('\n').filter((l) => l !== '');
        if (lines.length !== b.bad)
          problems.push(`${b.key}: quarantine object has ${lines.length} lines, expected ${b.bad}`);
        for (const id of b.badCallIds)
          if (!q.includes(id)) problems.push(`${b.key}: bad row ${id} not in quarantine`);
      }
    }
  }
  let aggregated = 0;
  for (const [w, n] of expected) {
    const got = settled.customerWindows.get(w) ?? 0;
    const trunks = settled.trunkWindows.get(w) ?? 0;
    aggregated += got;
    if (got !== n)
      problems.push(
        `window ${w}: ${got} calls aggregated, ${n} dropped (${got > n ? 'counted twice' : 'lost'})`,
      );
    if (trunks !== n)
      problems.push(
        `window ${w}: trunk windows hold ${trunks} calls, ${n} dropped (${trunks > n ? 'counted twice' : 'lost'})`,
      );
  }
  if (aggregated + badIn !== rowsIn)
    problems.push(`total: ${aggregated} aggregated + ${badIn} quarantined != ${rowsIn} rows dropped`);
  const customers = new Set(batches.flatMap((b) => b.customers));
  for (const claim of settled.openClaims)
    if (customers.has(claim.split(' ')[0].slice(5))) problems.push(`stuck: ${claim}`);
  return problems;
}

export interface PublishedFinding {
  customer_id: string;
  window_start: string;
  severity: string;
}

/** Every robocaller window has a finding; no window's severity was published twice. */
export function publicationViolations(
  batches: DroppedBatch[],
  published: Array<Record<string, unknown>>,
): string[] {
  const problems: string[] = [];
  const customers = new Set(batches.flatMap((b) => b.customers));
  const findings = published.filter(
    (m) => m.type === 'finding' && customers.has(String(m.customer_id)),
  ) as unknown as PublishedFinding[];
  const seen = new Map<string, number>();
  for (const f of findings) {
    const k = `${f.customer_id} ${f.window_start} ${f.severity}`;
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  for (const [k, n] of seen) if (n > 1) problems.push(`finding ${k} published ${n} times`);
  const windowsWithFinding = new Set(findings.map((f) => `${f.customer_id}|${Date.parse(f.window_start)}`));
  for (const b of batches) {
    for (const w of b.windows.keys()) {
      if (b.robocallers.includes(w.split('|')[0]) && !windowsWithFinding.has(w))
        problems.push(`robocaller window ${w}: no finding published (lost)`);
    }
  }
  return [...new Set(problems)];
}
