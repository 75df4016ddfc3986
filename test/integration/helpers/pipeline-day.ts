import { gzipSync } from 'node:zlib';
import { conversationsAveraging } from '../../helpers/traffic.ts';
import { cdrCsv, cdrRow } from './cdr-csv.ts';

/**
 * A compact CDR day for the pipeline tests: four customers whose traffic leads to known outcomes,
 * spread over five batches from two switches (one gzip-compressed, one with rows that must be
 * quarantined), plus one batch that cannot be read at all. The expectations are computed from the
 * rows written, not typed in by hand, so the data and what the test asserts cannot drift apart.
 *
 *  - C-ABUSE (new, dialer): short calls from Do-Not-Originate and impossible caller IDs at volume,
 *    across two batches of the same hour -> critical finding, case, immediate suspension.
 *  - C-MED (standard, conversational): clean traffic with three impossible caller IDs (a hard rule
 *    that floors at medium) -> medium finding: on-call is told, no case.
 *  - C-LOW (standard, conversational): answered calls of 25 s on average -> LOW_ACD only, a low
 *    finding: recorded and audited, nobody paged.
 *  - C-QUIET (trusted): a few ordinary calls in two hours -> no finding.
 */
export const HOUR_16 = Date.UTC(2026, 10, 27, 16);
export const HOUR_17 = Date.UTC(2026, 10, 27, 17);

export const CUSTOMERS_CSV = `customer_id,name,onboarded_at,vetting,traffic_profile
C-ABUSE,Fresh Dialer LLC,2026-11-01,new,dialer
C-MED,Regional Voice Co,2023-03-15,standard,conversational
C-LOW,Short Talk Inc,2022-06-01,standard,conversational
C-QUIET,Old Friends Telecom,2015-01-10,trusted,conversational
`;

const DNO_NUMBERS = Array.from({ length: 10 }, (_, i) => `+1202743${String(1000 + i)}`);
export const DNO_TXT = `# test DNO list\n${DNO_NUMBERS.join('\n')}\n`;

export const EXPECTED_SEVERITY: Record<string, 'low' | 'medium' | 'high' | 'critical' | null> = {
  'C-ABUSE': 'critical',
  'C-MED': 'medium',
  'C-LOW': 'low',
  'C-QUIET': null,
};

export interface DayBatch {
  key: string;
  body: Buffer | string;
  /** calls that parse (what the aggregates must count) */
  calls: number;
  quarantined: number;
  /** customer -> hourMs -> calls */
  perCustomerHour: Map<string, Map<number, number>>;
}

export interface PipelineDay {
  batches: DayBatch[];
  poison: { key: string; body: Buffer };
  /** `<customer>|<hourMs>` -> attempts over every batch */
  attempts: Map<string, number>;
}

const caller = (i: number) => `+1212736${String(1000 + (i % 40))}`;
const called = (i: number) => `+1415382${String(1000 + i).padStart(4, '0')}`;

function abusiveCalls(prefix: string, n: number, offset: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const k = i + offset;
    // one in three from a DNO number, one in three from an impossible number (NPA cannot start with 1)
    const calling =
      k % 3 === 0 ? DNO_NUMBERS[k % 10] : k % 3 === 1 ? `+1123456${String(1000 + k)}` : caller(k);
    return cdrRow({
      callId: `${prefix}-${k}`,
      startMs: HOUR_16 + k * 12_000,
      customerId: 'C-ABUSE',
      calling,
      called: called(k),
      durationS: 2,
      attestation: 'C',
      trunkId: 'T9',
    });
  });
}

/** `n` answered calls 20 s apart, their lengths spread around `durationS` as people's are */
function plainCalls(customerId: string, prefix: string, n: number, hourMs: number, durationS = 75): string[] {
  const length = conversationsAveraging(durationS);
  return Array.from({ length: n }, (_, i) =>
    cdrRow({
      callId: `${prefix}-${i}`,
      startMs: hourMs + i * 20_000,
      customerId,
      calling: caller(i),
      called: called(i + 500),
      durationS: length(),
    }),
  );
}

export function pipelineDay(): PipelineDay {
  const batches: DayBatch[] = [];
  const add = (
    key: string,
    rows: string[],
    calls: Array<[string, number, number]>,
    quarantined = 0,
    gzip = false,
  ) => {
    const text = cdrCsv(rows);
    const perCustomerHour = new Map<string, Map<number, number>>();
    for (const [customer, hourMs, n] of calls) {
      const hours = perCustomerHour.get(customer) ?? new Map<number, number>();
      hours.set(hourMs, (hours.get(hourMs) ?? 0) + n);
      perCustomerHour.set(customer, hours);
    }
    const total = calls.reduce((sum, [, , n]) => sum + n, 0);
    batches.push({ key, body: gzip ? gzipSync(text) : text, calls: total, quarantined, perCustomerHour });
  };

  add('cdr/sbc-east-1/2026/11/27/16-a.csv', abusiveCalls('abuse-a', 120, 0), [['C-ABUSE', HOUR_16, 120]]);
  add(
    'cdr/sbc-west-1/2026/11/27/16-b.csv.gz',
    [...abusiveCalls('abuse-b', 100, 120), ...plainCalls('C-QUIET', 'quiet-16', 20, HOUR_16)],
    [
      ['C-ABUSE', HOUR_16, 100],
      ['C-QUIET', HOUR_16, 20],
    ],
    0,
    true,
  );
  const medium = plainCalls('C-MED', 'med', 150, HOUR_16).map((row, i) =>
    i % 50 === 7 ? row.replace(caller(i), `+1123456${String(2000 + i)}`) : row,
  );
  add(
    'cdr/sbc-east-1/2026/11/27/16-med.csv',
    [
      ...medium.slice(0, 60),
      // two rows no one can use: quarantined with their line numbers, never dropped silently
      'bad-1,not-a-time,,,,C-MED,T1,+12127361000,+14153821000,200,ANSWERED,A,,',
      'bad-2,2026-11-27T16:30:00Z,,,,,T1,+12127361000,+14153821000,200,ANSWERED,A,,',
      ...medium.slice(60),
    ],
    [['C-MED', HOUR_16, 150]],
    2,
  );
  add('cdr/sbc-east-1/2026/11/27/16-low.csv', plainCalls('C-LOW', 'low', 150, HOUR_16, 25), [
    ['C-LOW', HOUR_16, 150],
  ]);
  add('cdr/sbc-west-1/2026/11/27/17-quiet.csv', plainCalls('C-QUIET', 'quiet-17', 20, HOUR_17), [
    ['C-QUIET', HOUR_17, 20],
  ]);

  const attempts = new Map<string, number>();
  for (const b of batches)
    for (const [customer, hours] of b.perCustomerHour)
      for (const [hourMs, n] of hours)
        attempts.set(`${customer}|${hourMs}`, (attempts.get(`${customer}|${hourMs}`) ?? 0) + n);

  // a gzip stream cut in the middle: the batch cannot be read, so ingest must fail and SQS redrive it
  const whole = gzipSync(cdrCsv(plainCalls('C-QUIET', 'poison', 200, HOUR_17)));
  const poison = {
    key: 'cdr/sbc-east-1/2026/11/27/17-truncated.csv.gz',
    body: whole.subarray(0, Math.floor(whole.length / 2)),
  };
  return { batches, poison, attempts };
}
