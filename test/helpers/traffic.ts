import { normalizeNumber } from '../../shared/cdr/phone.ts';
import type { Attestation, CallRecord } from '../../shared/cdr/record.ts';
import { Aggregator } from '../../shared/detect/aggregator.ts';
import { scoreAll } from '../../shared/detect/analysis.ts';
import type { Customer } from '../../shared/detect/customers.ts';
import { type Finding, type Severity, severityRank } from '../../shared/detect/finding.ts';
import { loadPolicy } from '../../shared/detect/policy.ts';
import { emptyReference, type ReferenceData } from '../../shared/detect/reference.ts';
import type { TracebackHistory } from '../../shared/detect/traceback-history.ts';

/** Small seeded PRNG so synthetic traffic is the same on every run. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)],
  };
}

export interface CallSpec {
  calling?: string;
  called?: string;
  answered?: boolean;
  durationS?: number;
  sipCode?: number;
  attestation?: Attestation;
  trunkId?: string;
  sourceIp?: string;
}

const EAST = ['212', '646', '718', '305', '404', '617', '202', '215'];

/** A valid-looking NANP number (never 555-01XX, never N11) in one of a few eastern area codes. */
export function randomNumber(r: ReturnType<typeof rng>, npas = EAST): string {
  return `+1${r.pick(npas)}${r.int(2, 9)}${r.int(0, 9)}${r.int(2, 9)}${String(r.int(0, 9999)).padStart(4, '0')}`;
}

/**
 * A conversation's length when the test does not set one: 90 to 270 s, 180 on average, as unlike from
 * call to call as people's calls are (a recorded message is as long every time: UNIFORM_DURATION).
 */
export const conversationS = (i: number) => 90 + ((i * 37) % 181);

/**
 * Lengths of people's calls averaging `averageS`: a quarter either side of it, in turn, so the average
 * is `averageS` over an even number of calls and the lengths differ as conversations' do.
 */
export function conversationsAveraging(averageS: number): () => number {
  let k = 0;
  return () => Math.round(averageS * (k++ % 2 === 0 ? 1.25 : 0.75));
}

/** `n` calls of one customer spread over one UTC hour, each shaped by `shape(i)`. */
export function callsInHour(
  customerId: string,
  hourMs: number,
  n: number,
  shape: (i: number) => CallSpec,
  seed = 1,
): CallRecord[] {
  const r = rng(seed);
  const out: CallRecord[] = [];
  for (let i = 0; i < n; i++) {
    const s = shape(i);
    const calling = normalizeNumber(s.calling ?? randomNumber(r));
    const called = normalizeNumber(s.called ?? randomNumber(r));
    const answered = s.answered ?? true;
    out.push({
      callId: `${customerId}-${hourMs}-${i}`,
      startMs: hourMs + Math.floor((i * 3_600_000) / n),
      answerMs: null,
      endMs: null,
      durationS: answered ? (s.durationS ?? conversationS(i)) : 0,
      answered,
      customerId,
      trunkId: s.trunkId ?? 'T1',
      calling: calling.value,
      callingClass: calling.cls,
      called: called.value,
      calledClass: called.cls,
      sipCode: s.sipCode ?? (answered ? 200 : 486),
      disposition: '',
      attestation: s.attestation ?? 'A',
      verstat: '',
      sourceIp: s.sourceIp ?? '192.0.2.1',
      line: i + 2,
    });
  }
  return out;
}

export function customer(
  id: string,
  vetting: Customer['vetting'],
  profile: Customer['traffic_profile'],
): Customer {
  return { customer_id: id, name: id, onboarded_at: '2024-01-01', vetting, traffic_profile: profile };
}

export function analyzeCalls(
  calls: CallRecord[],
  ref: ReferenceData = emptyReference(),
  tracebacks: TracebackHistory | null = null,
  /** a partial policy laid over the default one */
  policy?: unknown,
): Finding[] {
  const agg = new Aggregator(ref);
  for (const c of calls) agg.add(c);
  return scoreAll(agg, ref, loadPolicy(policy), tracebacks);
}

export function codesFor(findings: Finding[], customerId: string): Set<string> {
  return new Set(
    findings.filter((f) => f.customer_id === customerId).flatMap((f) => f.reasons.map((r) => r.code)),
  );
}

/** Reference data holding these customers' registry rows, and nothing else. */
export function referenceWith(...customers: Customer[]): ReferenceData {
  const r = emptyReference();
  for (const c of customers) r.customers.set(c.customer_id, c);
  return r;
}

/** The worst severity of one customer's findings, or 'none' when it has none. */
export function worstSeverity(findings: Finding[], customerId: string): Severity | 'none' {
  let worst: Severity | 'none' = 'none';
  for (const f of findings)
    if (f.customer_id === customerId && (worst === 'none' || severityRank(f.severity) > severityRank(worst)))
      worst = f.severity;
  return worst;
}

/** 14:00 UTC on the sample day: 9:00 in New York, inside calling hours. */
export const HOUR = Date.UTC(2026, 10, 27, 14);
