import { distinctCalls } from '../traceback/history.ts';
import type { FindingEvent, TracebackEvent } from './events.ts';
import type { CaseRecord, CaseTrigger, Evidence } from './model.ts';
import type { CustomerProfile, TracebackHistoryEntry } from './ports.ts';

const DAY_MS = 86_400_000;

type EvidenceFinding = Evidence['findings'][number];

/** A finding trigger as the evidence holds it. */
export function evidenceFinding(trigger: CaseTrigger): EvidenceFinding {
  const f = trigger.event as unknown as FindingEvent;
  return {
    window: { start: f.window_start, end: f.window_end },
    severity: f.severity,
    score: f.score,
    reasons: f.reasons,
    metrics: f.metrics ?? {},
    batch: f.batch ?? null,
    exampleCalls: f.example_calls ?? [],
  };
}

/**
 * The findings and tracebacks that joined the case after its evidence was gathered (a customer's
 * later hours, a traceback answered since): the evidence and its digest are the snapshot the case
 * was opened on, and stay as they were, but an analyst deciding now must see these too. A finding is
 * in the evidence when one of its findings has the same window and severity (a trigger's key is
 * customer, window and severity); a traceback, when its id is among the evidence's.
 */
export function joinedAfterEvidence(record: CaseRecord): CaseTrigger[] {
  const e = record.evidence;
  if (!e) return [];
  const held = new Set(e.findings.map((f) => `${f.window.start} ${f.window.end} ${f.severity}`));
  return record.triggers.filter((t) => {
    if (t.type === 'traceback')
      return !e.tracebacks.ids.includes((t.event as unknown as TracebackEvent).traceback_id);
    const f = evidenceFinding(t);
    return !held.has(`${f.window.start} ${f.window.end} ${f.severity}`);
  });
}

/**
 * Builds the evidence an analyst reviews from what the case already holds (its findings with
 * reasons, metrics and example calls; its tracebacks) plus the customer's registry row and traceback
 * history. Pure, so the same case always yields the same evidence and digest.
 */
export function buildEvidence(
  record: CaseRecord,
  profile: CustomerProfile | null,
  allHistory: TracebackHistoryEntry[],
  now: Date,
): Evidence {
  // a call asked about under two ids is one traceback (no event was raised for the second request)
  const history = distinctCalls(allHistory);
  const findings = record.triggers.filter((t) => t.type === 'finding').map(evidenceFinding);
  const tracebackEvents = record.triggers
    .filter((t) => t.type === 'traceback')
    .map((t) => t.event as unknown as TracebackEvent);

  const ids = new Set(history.map((h) => h.tracebackId));
  for (const t of tracebackEvents) ids.add(t.traceback_id);
  const yearAgo = now.getTime() - 365 * DAY_MS;
  const recentHistory = history.filter((h) => Date.parse(h.answeredAt) >= yearAgo).map((h) => h.tracebackId);
  const recent = new Set([...recentHistory, ...tracebackEvents.map((t) => t.traceback_id)]);

  const onboardedMs = profile?.onboardedAt ? Date.parse(profile.onboardedAt) : Number.NaN;
  return {
    customer: {
      id: record.customerId,
      name: profile?.name ?? null,
      // docs/input-contract.md: customers missing from the registry are treated as new
      vetting: profile?.vetting ?? 'new',
      onboardedAt: profile?.onboardedAt ?? null,
      ageDays: Number.isFinite(onboardedMs) ? Math.floor((now.getTime() - onboardedMs) / DAY_MS) : null,
      status: profile?.status ?? 'active',
      trafficProfile: profile?.trafficProfile ?? null,
    },
    findings,
    attestationMix: attestationMixOf(findings),
    tracebacks: {
      total: ids.size,
      inLast365Days: recent.size,
      highestRepeatCount: Math.max(0, ...tracebackEvents.map((t) => t.repeat_count)),
      ids: [...ids].sort(),
    },
    gatheredAt: now.toISOString(),
  };
}

/**
 * Share of A, B, C and unsigned calls over the case's findings, from the window counts every finding
 * carries (metrics attestation_a/_b/_c, unsigned); example calls are the fallback for older producers.
 */
function attestationMixOf(
  findings: Array<{ metrics: Record<string, unknown>; exampleCalls: Array<Record<string, unknown>> }>,
): Record<string, number> {
  const counts: Record<string, number> = { A: 0, B: 0, C: 0, unsigned: 0 };
  const fields: Record<string, string> = {
    A: 'attestation_a',
    B: 'attestation_b',
    C: 'attestation_c',
    unsigned: 'unsigned',
  };
  let total = 0;
  for (const f of findings) {
    for (const [level, field] of Object.entries(fields)) {
      const n = Number(f.metrics[field] ?? 0);
      if (Number.isFinite(n) && n > 0) {
        counts[level] += n;
        total += n;
      }
    }
  }
  if (total === 0) return attestationMix(findings.flatMap((f) => f.exampleCalls));
  return Object.fromEntries(
    Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => [k, Math.round((n / total) * 1000) / 1000]),
  );
}

function attestationMix(calls: Array<Record<string, unknown>>): Record<string, number> {
  if (calls.length === 0) return {};
  const counts: Record<string, number> = {};
  for (const call of calls) {
    const level = String(call.attestation ?? '').toUpperCase();
    const key = ['A', 'B', 'C'].includes(level) ? level : 'unsigned';
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return Object.fromEntries(
    Object.entries(counts).map(([k, n]) => [k, Math.round((n / calls.length) * 1000) / 1000]),
  );
}
