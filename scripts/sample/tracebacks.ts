import type { SampleCall } from './call.ts';
import { randomNumberInZone } from './nanp.ts';
import { formatNumber, type NumberStyle } from './number-format.ts';
import { createRandom, deriveSeed } from './random.ts';
import { isoUtc } from './time.ts';

/** Where a tagged call ended up: enough to say what a correct traceback answer contains. */
export interface LocatedCall {
  tag: string;
  call: SampleCall;
  /** path of the batch or native file, relative to the sample folder */
  batch: string;
  /** 1-based physical line (header is line 1 in CSV) in the decompressed content */
  line: number;
  /** how the CDR spelled the numbers, so the request can spell them differently */
  callingStyle: NumberStyle;
  calledStyle: NumberStyle;
  /** reading the batch needs these CLI options (native formats) */
  inputFormat: 'auto' | 'asterisk' | 'freeswitch';
  timezone?: string;
}

export interface TracebackRequest {
  traceback_id: string;
  received_at: string;
  call_time: string;
  calling_number: string;
  called_number: string;
  requester: string;
  campaign: string;
}

export interface ExpectedAnswer {
  status: 'found' | 'not_found';
  call_id: string | null;
  customer_id: string | null;
  trunk_id: string | null;
  switch_id: string | null;
  batch: string | null;
  line: number | null;
  start_time: string | null;
  /** seconds the request's call_time is off from the real start (the requester's clock) */
  call_time_skew_s: number | null;
  input_format: string;
  timezone: string | null;
}

/** Spellings a requester uses; always one the CDR did not use, so matching must normalize. */
const REQUEST_STYLES: readonly NumberStyle[] = ['e164', 'nanp10', 'pretty', 'nanp11'];
const CAMPAIGNS = [
  'IRS impersonation',
  'Auto warranty',
  'Medicare benefits',
  'Utility disconnect',
  'Bank fraud alert',
];

function otherStyle(used: NumberStyle, index: number): NumberStyle {
  const choices = REQUEST_STYLES.filter((s) => s !== used);
  return choices[index % choices.length];
}

/**
 * Traceback requests (docs/traceback.md) for the located calls plus one for a call that never
 * crossed this network, with the answers a correct lookup gives. Skews are up to 60 s either way.
 */
export function buildTracebacks(
  seed: number,
  dayStartMs: number,
  located: readonly LocatedCall[],
): Array<{ request: TracebackRequest; expected: ExpectedAnswer }> {
  const random = createRandom(deriveSeed(seed, 'tracebacks'));
  const year = new Date(dayStartMs).getUTCFullYear();
  const receivedBase = dayStartMs + 86_400_000 + 14 * 3_600_000; // next day, 14:00 UTC
  const out: Array<{ request: TracebackRequest; expected: ExpectedAnswer }> = [];
  const sorted = [...located].sort((a, b) => a.tag.localeCompare(b.tag));
  sorted.forEach((entry, i) => {
    const skewS = (random.chance(0.5) ? -1 : 1) * random.int(5, 60);
    const id = `ITG-${year}-${String(1201 + i).padStart(6, '0')}`;
    out.push({
      request: {
        traceback_id: id,
        received_at: isoUtc(receivedBase + i * 17 * 60_000),
        call_time: isoUtc(entry.call.startMs + skewS * 1000),
        calling_number: formatNumber(entry.call.calling, otherStyle(entry.callingStyle, i), ''),
        called_number: formatNumber(entry.call.called, otherStyle(entry.calledStyle, i + 1), ''),
        requester: 'ITG',
        campaign: CAMPAIGNS[i % CAMPAIGNS.length],
      },
      expected: {
        status: 'found',
        call_id: entry.call.callId,
        customer_id: entry.call.customerId,
        trunk_id: entry.call.trunkId,
        switch_id: entry.call.switchId,
        batch: entry.batch,
        line: entry.line,
        start_time: isoUtc(entry.call.startMs),
        call_time_skew_s: skewS,
        input_format: entry.inputFormat,
        timezone: entry.timezone ?? null,
      },
    });
  });
  // a request for a call this carrier never carried: fresh numbers, mid-afternoon
  const i = out.length;
  out.push({
    request: {
      traceback_id: `ITG-${year}-${String(1201 + i).padStart(6, '0')}`,
      received_at: isoUtc(receivedBase + i * 17 * 60_000),
      call_time: isoUtc(dayStartMs + 16 * 3_600_000 + random.int(0, 3599) * 1000),
      calling_number: formatNumber(randomNumberInZone(random, 'America/New_York'), 'pretty', ''),
      called_number: formatNumber(randomNumberInZone(random, 'America/Chicago'), 'nanp10', ''),
      requester: 'ITG',
      campaign: CAMPAIGNS[i % CAMPAIGNS.length],
    },
    expected: {
      status: 'not_found',
      call_id: null,
      customer_id: null,
      trunk_id: null,
      switch_id: null,
      batch: null,
      line: null,
      start_time: null,
      call_time_skew_s: null,
      input_format: 'auto',
      timezone: null,
    },
  });
  return out;
}
